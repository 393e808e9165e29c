//! Data-channel throughput: rtcweb against the browser's own JavaScript API, in the same page.
//!
//! Run with `scripts/bench.sh` (release build, Chromium and Firefox). It prints figures and
//! asserts only that every message arrived; timings are never asserted.
#![cfg(target_arch = "wasm32")]

use futures::StreamExt;
use rtcweb::{Configuration, DataChannelOptions, Message, PeerConnection};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/benches/js/data_channel.js")]
extern "C" {
    fn raw_run(count: u32, size: u32) -> js_sys::Promise;
    fn now() -> f64;
}

async fn rtcweb_run(count: u32, size: usize) -> f64 {
    let a = Rc::new(PeerConnection::new(&Configuration::default()).unwrap());
    let b = Rc::new(PeerConnection::new(&Configuration::default()).unwrap());
    for (from, to) in [(a.clone(), b.clone()), (b.clone(), a.clone())] {
        let mut candidates = from.ice_candidates();
        spawn_local(async move {
            while let Some(candidate) = candidates.next().await {
                let _ = to.add_ice_candidate(&candidate).await;
            }
        });
    }
    let mut incoming = b.data_channels();
    let channel = a
        .create_data_channel(&DataChannelOptions::new("bench"))
        .unwrap();
    let offer = a.create_offer(&Default::default()).await.unwrap();
    a.set_local_description(&offer).await.unwrap();
    b.set_remote_description(&offer).await.unwrap();
    let answer = b.create_answer().await.unwrap();
    b.set_local_description(&answer).await.unwrap();
    a.set_remote_description(&answer).await.unwrap();
    let remote = incoming.next().await.unwrap();
    let mut messages = remote.messages();
    channel.opened().await.unwrap();

    let mut payload = vec![0u8; size];
    let start = now();
    let send = async {
        for i in 0..count {
            payload[0] = i as u8;
            channel.send_bytes(&payload).await.unwrap();
        }
    };
    let receive = async {
        let mut received = 0;
        while received < count {
            match messages.next().await {
                Some(Message::Binary(_)) => received += 1,
                other => panic!("unexpected {other:?} after {received} messages"),
            }
        }
    };
    futures::join!(send, receive);
    let ms = now() - start;
    a.close();
    b.close();
    ms
}

fn median(mut runs: Vec<f64>) -> f64 {
    runs.sort_by(f64::total_cmp);
    runs[runs.len() / 2]
}

async fn compare(name: &str, count: u32, size: usize) {
    let (mut raw, mut ours) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        let ms = JsFuture::from(raw_run(count, size as u32)).await.unwrap();
        raw.push(ms.as_f64().unwrap());
        ours.push(rtcweb_run(count, size).await);
    }
    let (raw, ours) = (median(raw), median(ours));
    let mb = f64::from(count) * size as f64 / 1e6;
    console_log!(
        "BENCH {name}: {count} x {size} B | raw JS {raw:.0} ms ({:.1} MB/s, {:.0} msg/s) | rtcweb {ours:.0} ms ({:.1} MB/s, {:.0} msg/s) | rtcweb/raw time ratio {:.2}",
        mb / raw * 1e3,
        f64::from(count) / raw * 1e3,
        mb / ours * 1e3,
        f64::from(count) / ours * 1e3,
        ours / raw
    );
}

#[wasm_bindgen_test]
async fn bulk_throughput() {
    compare("bulk", 4_000, 16 * 1024).await;
}

#[wasm_bindgen_test]
async fn small_message_rate() {
    compare("small", 20_000, 64).await;
}
