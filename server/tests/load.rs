//! Load smoke test: 1,000 simultaneous streams on one path all receive a single write.

mod common;

use std::time::{Duration, Instant};

use common::start;
use rtcweb_signal::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const STREAMS: usize = 1000;

/// Reads from `stream` until `buffer` holds `needle`.
async fn read_until(stream: &mut TcpStream, buffer: &mut Vec<u8>, needle: &str) {
    let mut chunk = [0u8; 4096];
    while !String::from_utf8_lossy(buffer).contains(needle) {
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "stream closed before {needle:?}");
        buffer.extend_from_slice(&chunk[..n]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_streams_all_receive_one_write() {
    let started = Instant::now();
    let db = start(Config {
        max_streams: STREAMS + 10,
        max_connections: STREAMS + 10,
        ..Default::default()
    })
    .await;
    let addr = db.addr;

    // Open the streams in batches (raw HTTP/1.1, to keep the client side light).
    let mut streams = Vec::with_capacity(STREAMS);
    for _ in 0..STREAMS / 100 {
        let batch = (0..100).map(|_| {
            tokio::spawn(async move {
                let mut stream = TcpStream::connect(addr).await.unwrap();
                stream
                    .write_all(
                        b"GET /load/room.json HTTP/1.1\r\nHost: test\r\nAccept: text/event-stream\r\n\r\n",
                    )
                    .await
                    .unwrap();
                let mut buffer = Vec::new();
                // The first event: the (empty) value at the location.
                read_until(&mut stream, &mut buffer, "\"data\":null}").await;
                stream
            })
        });
        for opened in futures_util::future::join_all(batch).await {
            streams.push(opened.unwrap());
        }
    }
    assert_eq!(streams.len(), STREAMS);

    db.put("load/room/signal.json", serde_json::json!("go"))
        .await;

    let readers = streams.into_iter().map(|mut stream| {
        tokio::spawn(async move {
            let mut buffer = Vec::new();
            read_until(
                &mut stream,
                &mut buffer,
                r#"{"path":"/signal","data":"go"}"#,
            )
            .await;
        })
    });
    let all = futures_util::future::join_all(readers);
    let results = tokio::time::timeout(Duration::from_secs(20), all)
        .await
        .expect("not every stream got the write within 20 s");
    assert!(results.into_iter().all(|r| r.is_ok()));
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}
