//! Memory stays bounded under slow readers: events are rendered once and shared, a stream that
//! falls more than its budget behind ends with an `overflow` event, and a fast one gets all.

mod common;

use std::time::Duration;

use common::start;
use rtcweb_signal::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

const SLOW: usize = 50;
const WRITES: usize = 5;
const WRITE_BYTES: usize = 2 * 1024 * 1024;

fn rss_kib() -> usize {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

async fn open_slow(addr: std::net::SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stream = socket.connect(addr).await.unwrap();
    stream
        .write_all(b"GET /big.json HTTP/1.1\r\nhost: x\r\naccept: text/event-stream\r\n\r\n")
        .await
        .unwrap();
    stream
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_readers_are_ended_and_hold_little() {
    let db = start(Config {
        stream_budget: 1024 * 1024,
        max_streams: SLOW + 10,
        ..Default::default()
    })
    .await;
    let mut slow = Vec::new();
    for _ in 0..SLOW {
        slow.push(open_slow(db.addr).await);
    }
    let mut fast = common::Events::open(&db.client, &db.url("big.json")).await;
    assert_eq!(fast.next().await.1["data"], serde_json::Value::Null);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let before = rss_kib();
    for i in 0..WRITES {
        let value = serde_json::json!({ "n": i, "blob": "x".repeat(WRITE_BYTES) });
        db.put("big.json", value).await;
        let (event, data) = fast.next().await;
        assert_eq!(event, "put");
        assert_eq!(data["data"]["n"], i);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let grown_mib = rss_kib().saturating_sub(before) / 1024;
    // Each slow stream holding its own copy of every write would be SLOW x WRITES x 2 MiB
    // (500 MiB); shared and budgeted, it is a few writes' worth.
    eprintln!(
        "RSS grew by {grown_mib} MiB with {SLOW} stalled streams and {WRITES} writes of 2 MiB"
    );
    assert!(grown_mib < 200, "RSS grew by {grown_mib} MiB");
    // A stalled stream, read at last, ends with the overflow event and the end of its body
    // (the last chunk of a chunked response).
    let mut stream = slow.pop().unwrap();
    let mut text = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        let mut buf = vec![0u8; 64 * 1024];
        while !String::from_utf8_lossy(&text[text.len().saturating_sub(400)..])
            .ends_with("\r\n0\r\n\r\n")
        {
            let n = stream.read(&mut buf).await.unwrap();
            assert!(n > 0, "closed before the end of the body");
            text.extend_from_slice(&buf[..n]);
        }
    })
    .await;
    assert!(read.is_ok(), "the overflowed stream did not end");
    let tail = String::from_utf8_lossy(&text[text.len().saturating_sub(400)..]).into_owned();
    assert!(tail.contains("event: overflow"), "{tail}");
    assert!(tail.contains("reconnect to resync"), "{tail}");
}

#[tokio::test]
async fn a_read_larger_than_the_room_left_for_answers_gets_503() {
    let db = start(Config {
        max_buffered_bytes: 1024 * 1024,
        ..Default::default()
    })
    .await;
    db.put("big.json", serde_json::json!("x".repeat(2 * 1024 * 1024)))
        .await;
    db.put("small.json", serde_json::json!("y".repeat(512 * 1024)))
        .await;
    let (status, body) = db.send("GET", "big.json", "").await;
    assert_eq!(status, 503);
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("memory for answers in flight"),
        "{body}"
    );
    // What fits is answered, whole, and gives its room back once sent.
    for _ in 0..4 {
        assert_eq!(
            db.get("small.json").await,
            serde_json::json!("y".repeat(512 * 1024))
        );
    }
}
