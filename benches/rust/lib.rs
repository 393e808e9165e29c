//! The Rust contestant of the browser benchmarks (benches/pages/): the same exchanges as the
//! raw-JS ones in benches/pages/contestants.js, written against rtcweb's Rust API as a Rust
//! app would, exported to the page as async functions.
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use futures::StreamExt;
use rtcweb::{Configuration, DataChannel, DataChannelOptions, Message, PeerConnection};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance)]
    fn now() -> f64;
}

fn js(err: rtcweb::Error) -> JsValue {
    JsValue::from_str(&err.to_string())
}

/// Two connections in this page and a channel between them, open on both ends.
struct Pair {
    a: Rc<PeerConnection>,
    b: Rc<PeerConnection>,
    tx: Rc<DataChannel>,
    rx: Rc<DataChannel>,
}

impl Drop for Pair {
    fn drop(&mut self) {
        self.a.close();
        self.b.close();
    }
}

async fn connect() -> Result<Pair, JsValue> {
    let a = Rc::new(PeerConnection::new(&Configuration::default()).map_err(js)?);
    let b = Rc::new(PeerConnection::new(&Configuration::default()).map_err(js)?);
    for (from, to) in [(a.clone(), b.clone()), (b.clone(), a.clone())] {
        let mut candidates = from.ice_candidates();
        spawn_local(async move {
            while let Some(candidate) = candidates.next().await {
                let _ = to.add_ice_candidate(&candidate).await;
            }
        });
    }
    let mut incoming = b.data_channels();
    let tx = a
        .create_data_channel(&DataChannelOptions::new("bench"))
        .map_err(js)?;
    let offer = a.create_offer(&Default::default()).await.map_err(js)?;
    a.set_local_description(&offer).await.map_err(js)?;
    b.set_remote_description(&offer).await.map_err(js)?;
    let answer = b.create_answer().await.map_err(js)?;
    b.set_local_description(&answer).await.map_err(js)?;
    a.set_remote_description(&answer).await.map_err(js)?;
    let rx = incoming.next().await.ok_or("no data channel arrived")?;
    tx.opened().await.map_err(js)?;
    rx.opened().await.map_err(js)?;
    Ok(Pair {
        a,
        b,
        tx: Rc::new(tx),
        rx: Rc::new(rx),
    })
}

/// Sends `count` binary messages of `size` bytes with `send_bytes` (which waits while the
/// browser's buffer is above rtcweb's high-water mark), and resolves to the milliseconds until
/// the last one arrived.
#[wasm_bindgen]
pub async fn transfer(count: u32, size: u32) -> Result<f64, JsValue> {
    let pair = connect().await?;
    let mut messages = pair.rx.messages();
    let payload = vec![0u8; size as usize];
    let start = now();
    let send = async {
        for _ in 0..count {
            pair.tx.send_bytes(&payload).await.map_err(js)?;
        }
        Ok::<(), JsValue>(())
    };
    let receive = async {
        let mut received = 0;
        while received < count {
            match messages.next().await {
                Some(Message::Binary(_)) => received += 1,
                other => {
                    return Err(JsValue::from_str(&format!(
                        "got {other:?} after {received}"
                    )))
                }
            }
        }
        Ok(())
    };
    let (sent, got) = futures::join!(send, receive);
    sent.and(got)?;
    Ok(now() - start)
}

/// [`transfer`] with the messages taken by `on_message`, called from each message's event,
/// instead of the `messages()` stream, whose reader's task is woken for each one.
#[wasm_bindgen]
pub async fn transfer_listener(count: u32, size: u32) -> Result<f64, JsValue> {
    let pair = connect().await?;
    let (done, finished) = futures::channel::oneshot::channel::<Result<(), String>>();
    let mut done = Some(done);
    let mut received = 0;
    let _listener = pair.rx.on_message(move |message| {
        let outcome = match message {
            Message::Binary(_) => {
                received += 1;
                (received == count).then_some(Ok(()))
            }
            other => Some(Err(format!("got {other:?} after {received}"))),
        };
        if let Some(outcome) = outcome {
            if let Some(done) = done.take() {
                let _ = done.send(outcome);
            }
        }
    });
    let payload = vec![0u8; size as usize];
    let start = now();
    for _ in 0..count {
        pair.tx.send_bytes(&payload).await.map_err(js)?;
    }
    finished
        .await
        .map_err(|_| "the channel closed")?
        .map_err(|err| JsValue::from_str(&err))?;
    Ok(now() - start)
}

/// `count` round trips of a `size`-byte message, the other side echoing each; resolves to
/// `{ times, total }`: each one's milliseconds, and all of them end to end (the browsers
/// coarsen `performance.now()`, so the total is the precise figure).
#[wasm_bindgen]
pub async fn ping_pong(count: u32, size: u32) -> Result<JsValue, JsValue> {
    let pair = connect().await?;
    let echo = pair.rx.clone();
    let mut echoed = echo.messages();
    spawn_local(async move {
        while let Some(Message::Binary(bytes)) = echoed.next().await {
            if echo.send_bytes(&bytes).await.is_err() {
                break;
            }
        }
    });
    let mut replies = pair.tx.messages();
    let payload = vec![7u8; size as usize];
    let mut times = Vec::with_capacity(count as usize);
    let begin = now();
    for _ in 0..count {
        let start = now();
        pair.tx.send_bytes(&payload).await.map_err(js)?;
        replies.next().await.ok_or("the channel closed")?;
        times.push(now() - start);
    }
    let total = now() - begin;
    let result = js_sys::Object::new();
    let times: js_sys::Float64Array = times.as_slice().into();
    js_sys::Reflect::set(&result, &"times".into(), &times)?;
    js_sys::Reflect::set(&result, &"total".into(), &total.into())?;
    Ok(result.into())
}

/// Milliseconds from nothing to a channel open on both ends, two connections in this page.
#[wasm_bindgen]
pub async fn setup() -> Result<f64, JsValue> {
    let start = now();
    let pair = connect().await?;
    let ms = now() - start;
    drop(pair);
    Ok(ms)
}
