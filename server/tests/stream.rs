//! Streaming over real HTTP: Firebase's event framing, relative paths, keep-alives, cancel on
//! rules, the stream limit, and shutdown with streams open.

mod common;

use std::time::Duration;

use common::{start, Events};
use rtcweb_signal::Config;
use serde_json::{json, Value};

#[tokio::test]
async fn the_first_event_is_the_whole_value_in_firebase_framing() {
    let db = start(Config::default()).await;
    db.put("rooms/r1.json", json!({"offer": {"sdp": "v=0"}}))
        .await;
    let mut events = Events::open(&db.client, &db.url("rooms/r1.json")).await;
    assert_eq!(
        events.next_raw().await.unwrap(),
        "event: put\ndata: {\"path\":\"/\",\"data\":{\"offer\":{\"sdp\":\"v=0\"}}}"
    );
}

#[tokio::test]
async fn writes_below_above_and_patches_arrive_relative_to_the_location() {
    let db = start(Config::default()).await;
    let mut events = Events::open(&db.client, &db.url("rooms/r1.json")).await;
    assert_eq!(
        events.next().await,
        ("put".into(), json!({"path": "/", "data": null}))
    );

    db.put("rooms/r1/offer.json", json!({"sdp": "o"})).await;
    assert_eq!(
        events.next().await,
        (
            "put".into(),
            json!({"path": "/offer", "data": {"sdp": "o"}})
        )
    );
    // Elsewhere: nothing; then a write above replaces the whole value.
    db.put("rooms/r2.json", json!(1)).await;
    db.put("rooms.json", json!({"r1": {"answer": "a"}})).await;
    assert_eq!(
        events.next().await,
        ("put".into(), json!({"path": "/", "data": {"answer": "a"}}))
    );
    db.send(
        "PATCH",
        "rooms/r1.json",
        r#"{"candidates/c1": "x", "answer": null}"#,
    )
    .await;
    assert_eq!(
        events.next().await,
        (
            "patch".into(),
            json!({"path": "/", "data": {"candidates/c1": "x", "answer": null}})
        )
    );
    db.send("PATCH", "rooms/r1/candidates.json", r#"{"c2": "y"}"#)
        .await;
    assert_eq!(
        events.next().await,
        (
            "patch".into(),
            json!({"path": "/candidates", "data": {"c2": "y"}})
        )
    );
    // A patch above the location becomes a put of what changed in it.
    db.send("PATCH", "rooms.json", r#"{"r1/bye": true, "r3": 1}"#)
        .await;
    assert_eq!(
        events.next().await,
        ("put".into(), json!({"path": "/bye", "data": true}))
    );
    let (_, pushed) = db.send("POST", "rooms/r1/log.json", r#""hi""#).await;
    let name = pushed["name"].as_str().unwrap();
    assert_eq!(
        events.next().await,
        (
            "put".into(),
            json!({"path": format!("/log/{name}"), "data": "hi"})
        )
    );
    db.send("DELETE", "rooms/r1.json", "").await;
    assert_eq!(
        events.next().await,
        ("put".into(), json!({"path": "/", "data": null}))
    );
}

#[tokio::test]
async fn keep_alives_are_sent_on_idle_streams() {
    let db = start(Config {
        keep_alive: Duration::from_millis(50),
        ..Default::default()
    })
    .await;
    let mut events = Events::open(&db.client, &db.url("x.json")).await;
    events.next_raw().await.unwrap();
    assert_eq!(
        events.next_raw().await.unwrap(),
        "event: keep-alive\ndata: null"
    );
}

#[tokio::test]
async fn streams_are_cancelled_when_rules_stop_allowing_the_read() {
    let db = start(Config {
        emulator: true,
        ..Default::default()
    })
    .await;
    let mut events = Events::open(&db.client, &db.url("private.json")).await;
    events.next().await;
    let response = db
        .client
        .put(db.url(".settings/rules.json"))
        .header("authorization", "Bearer owner")
        .body(r#"{"rules": {".read": false, ".write": true}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        events.next_raw().await.unwrap(),
        "event: cancel\ndata: \"Permission denied\""
    );
    assert_eq!(events.next_raw().await, None);
    // Opening a stream without read access is refused outright.
    let refused = db
        .client
        .get(db.url("private.json"))
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
}

#[tokio::test]
async fn streams_have_cors_headers() {
    let db = start(Config::default()).await;
    let response = db
        .client
        .get(db.url("x.json"))
        .header("accept", "text/event-stream")
        .header("origin", "http://example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    assert_eq!(response.headers()["content-type"], "text/event-stream");
}

#[tokio::test]
async fn the_number_of_streams_is_limited() {
    let db = start(Config {
        max_streams: 2,
        ..Default::default()
    })
    .await;
    let first = Events::open(&db.client, &db.url("a.json")).await;
    let _second = Events::open(&db.client, &db.url("a.json")).await;
    let third = db
        .client
        .get(db.url("a.json"))
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(third.status(), 503);
    let body: Value = third.json().await.unwrap();
    assert!(body["error"]
        .as_str()
        .unwrap()
        .contains("Too many open streams"));
    // Closing a stream frees its place.
    drop(first);
    let mut reopened = None;
    for _ in 0..100 {
        let attempt = db
            .client
            .get(db.url("a.json"))
            .header("accept", "text/event-stream")
            .send()
            .await
            .unwrap();
        if attempt.status() == 200 {
            reopened = Some(attempt);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(reopened.is_some());
}

#[tokio::test]
async fn shutdown_ends_open_streams() {
    let db = start(Config::default()).await;
    let mut events = Events::open(&db.client, &db.url("a.json")).await;
    events.next().await;
    db.stop.send(()).unwrap();
    assert_eq!(events.next_raw().await, None);
}
