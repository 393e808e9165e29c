//! Connections are bounded: header-read, body and idle timeouts, a connection cap with a clear
//! refusal, and a shutdown that drops what is left after its deadline. Raw TCP on loopback.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rtcweb_signal::{Config, Server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn quick() -> Config {
    Config {
        header_timeout: Duration::from_millis(300),
        body_timeout: Duration::from_millis(300),
        idle_timeout: Duration::from_millis(600),
        keep_alive: Duration::from_millis(100),
        shutdown_grace: Duration::from_millis(300),
        ..Default::default()
    }
}

struct Served {
    addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    done: tokio::task::JoinHandle<Result<(), rtcweb_signal::Error>>,
}

async fn serve(config: Config) -> Served {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = Server::new(config).unwrap();
    let done = tokio::spawn(server.serve(listener, async {
        let _ = stopped.await;
    }));
    Served { addr, stop, done }
}

/// Reads until the peer closes (or 5 s pass); returns what was read and whether it closed.
async fn read_to_close(stream: &mut TcpStream) -> (String, bool) {
    let mut all = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => all.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .is_ok();
    (String::from_utf8_lossy(&all).into_owned(), closed)
}

#[tokio::test]
async fn half_sent_headers_are_cut_off() {
    let db = serve(quick()).await;
    let mut stream = TcpStream::connect(db.addr).await.unwrap();
    stream
        .write_all(b"GET /a.json HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let (_, closed) = read_to_close(&mut stream).await;
    assert!(closed);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn silent_connections_are_closed_and_streams_stay_open() {
    let db = serve(quick()).await;
    let mut silent = TcpStream::connect(db.addr).await.unwrap();
    let started = Instant::now();
    let (_, closed) = read_to_close(&mut silent).await;
    assert!(closed);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    // A stream gets keep-alives more often than the idle timeout: it stays open.
    let client = reqwest::Client::new();
    let url = format!("http://{}/a.json", db.addr);
    let mut events = common::Events::open(&client, &url).await;
    events.next().await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let block = events
        .next_raw()
        .await
        .expect("stream ended while receiving keep-alives");
    assert!(block.starts_with("event: "), "{block}");
}

#[tokio::test]
async fn a_body_that_does_not_arrive_gets_408() {
    let db = serve(quick()).await;
    let mut stream = TcpStream::connect(db.addr).await.unwrap();
    stream
        .write_all(b"PUT /a.json HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n\"abc")
        .await
        .unwrap();
    let (text, _) = read_to_close(&mut stream).await;
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("did not arrive in time"), "{text}");
}

#[tokio::test]
async fn connections_over_the_cap_are_refused_clearly() {
    let db = serve(Config {
        max_connections: 3,
        ..quick()
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut stream = TcpStream::connect(db.addr).await.unwrap();
        // A whole request, so each connection has surely been taken.
        stream
            .write_all(b"GET /a.json HTTP/1.1\r\nhost: x\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 512];
        let n = stream.read(&mut buf).await.unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
        held.push(stream);
    }
    let mut fourth = TcpStream::connect(db.addr).await.unwrap();
    let (text, closed) = read_to_close(&mut fourth).await;
    assert!(closed);
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(text.contains("Too many connections"), "{text}");
    drop(held);
    // Places come back once connections close.
    let client = reqwest::Client::new();
    let url = format!("http://{}/a.json", db.addr);
    let mut ok = false;
    for _ in 0..50 {
        if client
            .get(&url)
            .send()
            .await
            .map(|r| r.status() == 200)
            .unwrap_or(false)
        {
            ok = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(ok);
}

#[tokio::test]
async fn shutdown_drops_stalled_requests_and_streams_after_its_deadline() {
    let db = serve(quick()).await;
    let mut stalled = TcpStream::connect(db.addr).await.unwrap();
    stalled
        .write_all(b"PUT /a.json HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n")
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let url = format!("http://{}/a.json", db.addr);
    let mut events = common::Events::open(&client, &url).await;
    events.next().await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = Instant::now();
    db.stop.send(()).unwrap();
    let finished = tokio::time::timeout(Duration::from_secs(5), db.done).await;
    assert!(
        finished.is_ok(),
        "serve did not return after the shutdown deadline"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}
