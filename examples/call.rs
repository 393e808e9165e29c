//! The README's call example: join a room, greet every peer as it connects, print what they
//! say, and report who leaves and why. Compiled by `scripts/test.sh lint` (host and wasm32), so
//! the README stays true.
//!
//! In a browser app, run it with `wasm_bindgen_futures::spawn_local(async { chat("abc").await })`.

use futures::StreamExt;
use rtcweb::call::{Call, CallEvent, CallOptions, PeerState};
use rtcweb::signaling::Database;
use rtcweb::Message;

async fn chat(room_id: &str) -> Result<(), rtcweb::Error> {
    let db = Database::new("http://127.0.0.1:8080");
    let call = Call::join(&db, room_id, CallOptions::default()).await?;
    let mut events = call.events();
    while let Some(event) = events.next().await {
        match event {
            CallEvent::PeerJoined { peer } => println!("{peer} joined"),
            CallEvent::PeerState {
                peer,
                state: PeerState::Connected,
            } => {
                call.send(&peer, &Message::Text(format!("hello {peer}")))
                    .await?;
            }
            CallEvent::PeerState {
                peer,
                state: PeerState::Reconnecting { attempt },
            } => {
                println!("{peer}: reconnecting (attempt {attempt})");
            }
            CallEvent::PeerState {
                peer,
                state: PeerState::Left(reason),
            } => {
                println!("{peer} left: {reason:?}");
                if call.peers().is_empty() {
                    break;
                }
            }
            CallEvent::Message {
                peer,
                message: Message::Text(text),
                ..
            } => {
                println!("{peer} says {text}");
            }
            CallEvent::Error { peer, error } => println!("{peer}: {error}"),
            _ => {}
        }
    }
    call.hang_up().await
}

fn main() {
    // Nothing to do natively: `chat` runs in a browser.
    let _ = chat;
}
