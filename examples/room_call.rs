//! The README's example: the caller's side of a call through a room, chatting over a data
//! channel. Compiled by `scripts/test.sh lint` (host and wasm32), so the README stays true.
//!
//! In a browser app, run it with `wasm_bindgen_futures::spawn_local(async { call("abc").await })`.

use futures::StreamExt;
use rtcweb::signaling::{Database, Room};
use rtcweb::{Configuration, DataChannelOptions, Message, PeerConnection, SessionDescription};
use wasm_bindgen_futures::spawn_local;

async fn call(room_id: &str) -> Result<(), rtcweb::Error> {
    let room = Room::new(&Database::new("http://127.0.0.1:8080"), room_id)?;
    room.join("caller").await?;
    let pc = std::rc::Rc::new(PeerConnection::new(&Configuration::default())?);

    // Trickle ICE through the room: ours as they are found...
    let (mut local, outgoing) = (pc.ice_candidates(), room.clone());
    spawn_local(async move {
        while let Some(candidate) = local.next().await {
            let _ = outgoing.push_candidate("caller", &candidate).await;
        }
    });

    let chat = pc.create_data_channel(&DataChannelOptions::new("chat"))?;
    let offer = pc.create_offer(&Default::default()).await?;
    pc.set_local_description(&offer).await?;
    room.send("offer", &offer).await?;
    let answer: SessionDescription = room.recv("answer").await?;
    pc.set_remote_description(&answer).await?;

    // ... and theirs once the answer is set (a candidate before it is refused); the room's
    // stream starts with the candidates already pushed.
    let (mut remote, incoming) = (room.candidates("callee")?, pc.clone());
    spawn_local(async move {
        while let Some(Ok(candidate)) = remote.next().await {
            let _ = incoming.add_ice_candidate(&candidate).await;
        }
    });

    chat.opened().await?;
    chat.send_text("hello").await?; // waits for room in the browser's send queue
    let mut messages = chat.messages();
    while let Some(Message::Text(text)) = messages.next().await {
        println!("callee says {text}");
    }
    room.leave("caller").await
}

fn main() {
    // Nothing to do natively: `call` runs in a browser.
    let _ = call;
}
