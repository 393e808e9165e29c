//! Helpers shared by the HTTP tests: a server on a free port, a client and an SSE reader.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use rtcweb_signal::{Config, Server};
use serde_json::Value;

/// A running server; dropping `stop` shuts it down.
pub struct Running {
    pub addr: SocketAddr,
    pub stop: tokio::sync::oneshot::Sender<()>,
    pub client: reqwest::Client,
}

impl Running {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}/{}", self.addr, path.trim_start_matches('/'))
    }

    /// GET as JSON.
    pub async fn get(&self, path: &str) -> Value {
        self.client
            .get(self.url(path))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// PUT a JSON value as the admin; panics unless 200.
    pub async fn put(&self, path: &str, value: Value) {
        let response = self
            .client
            .put(self.url(path))
            .body(value.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    }

    /// Sends `method` with a raw body; returns status and JSON body (null when empty).
    pub async fn send(&self, method: &str, path: &str, body: &str) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let response = self
            .client
            .request(method, self.url(path))
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        };
        (status, value)
    }
}

pub async fn start(config: Config) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = Server::new(config).unwrap();
    tokio::spawn(server.serve(listener, async {
        let _ = stopped.await;
    }));
    Running {
        addr,
        stop,
        client: reqwest::Client::new(),
    }
}

/// An open event stream, read event by event.
pub struct Events {
    pub response: reqwest::Response,
    buffer: String,
}

impl Events {
    /// Opens a stream on `url`, which must answer 200 `text/event-stream`.
    pub async fn open(client: &reqwest::Client, url: &str) -> Events {
        let response = client
            .get(url)
            .header("accept", "text/event-stream")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Events {
            response,
            buffer: String::new(),
        }
    }

    /// The next raw event block (`event: ...\ndata: ...`), or None when the stream ends.
    pub async fn next_raw(&mut self) -> Option<String> {
        tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                if let Some(end) = self.buffer.find("\n\n") {
                    let block = self.buffer[..end].to_owned();
                    self.buffer.drain(..end + 2);
                    return Some(block);
                }
                match self.response.chunk().await.unwrap() {
                    Some(chunk) => self.buffer.push_str(std::str::from_utf8(&chunk).unwrap()),
                    None => return None,
                }
            }
        })
        .await
        .expect("no event within 10 s")
    }

    /// The next event as (name, data), skipping keep-alives.
    pub async fn next(&mut self) -> (String, Value) {
        loop {
            let block = self.next_raw().await.expect("stream ended");
            let (event, data) = parse(&block);
            if event != "keep-alive" {
                return (event, data);
            }
        }
    }
}

/// Splits an event block into its name and JSON data.
pub fn parse(block: &str) -> (String, Value) {
    let mut event = String::new();
    let mut data = Value::Null;
    for line in block.lines() {
        if let Some(name) = line.strip_prefix("event: ") {
            event = name.to_owned();
        } else if let Some(text) = line.strip_prefix("data: ") {
            data = serde_json::from_str(text).unwrap();
        }
    }
    (event, data)
}

/// An unsigned JWT for `uid`, as the emulator accepts.
pub fn token(uid: &str) -> String {
    use base64::Engine;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.",
        engine.encode(r#"{"alg":"none","typ":"JWT"}"#),
        engine.encode(serde_json::json!({"sub": uid, "user_id": uid}).to_string())
    )
}
