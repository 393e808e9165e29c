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

/// Changes are routed to the streams they reach (not sent to every stream): each stream gets
/// exactly the events for its location, once, and nothing for writes elsewhere.
#[tokio::test]
async fn each_stream_gets_the_changes_that_reach_it_once_and_no_others() {
    let db = start(Config::default()).await;
    let locations = ["", "rooms", "rooms/a", "rooms/a/mesh/x", "rooms/b", "other"];
    let mut streams = Vec::new();
    for at in locations {
        let mut events = Events::open(&db.client, &db.url(&format!("{at}.json"))).await;
        events.next().await;
        streams.push(events);
    }
    // A patch above some streams, at one and beside others, with two entries below one.
    db.send(
        "PATCH",
        "rooms.json",
        r#"{"a/mesh/x/m1": 1, "a/mesh/x/m2": 2, "b/updated": 3}"#,
    )
    .await;
    // A put below some and beside the rest.
    db.put("rooms/a/presence/p.json", json!(4)).await;
    // Then a marker below each location (none reaches a stream before its own): it must be
    // the next event after the expected ones.
    for at in locations {
        let marker = if at.is_empty() {
            "marker".to_owned()
        } else {
            format!("{at}/marker")
        };
        db.put(&format!("{marker}.json"), json!(at)).await;
    }
    let expected: Vec<Vec<(&str, Value)>> = vec![
        vec![
            (
                "patch",
                json!({"path": "/rooms", "data": {"a/mesh/x/m1": 1, "a/mesh/x/m2": 2, "b/updated": 3}}),
            ),
            ("put", json!({"path": "/rooms/a/presence/p", "data": 4})),
        ],
        vec![
            (
                "patch",
                json!({"path": "/", "data": {"a/mesh/x/m1": 1, "a/mesh/x/m2": 2, "b/updated": 3}}),
            ),
            ("put", json!({"path": "/a/presence/p", "data": 4})),
        ],
        vec![
            ("put", json!({"path": "/mesh/x/m1", "data": 1})),
            ("put", json!({"path": "/mesh/x/m2", "data": 2})),
            ("put", json!({"path": "/presence/p", "data": 4})),
        ],
        vec![
            ("put", json!({"path": "/m1", "data": 1})),
            ("put", json!({"path": "/m2", "data": 2})),
        ],
        vec![("put", json!({"path": "/updated", "data": 3}))],
        vec![],
    ];
    for ((at, events), expected) in locations.iter().zip(&mut streams).zip(expected) {
        let mut got = Vec::new();
        loop {
            let (event, data) = events.next().await;
            if data["data"] == json!(at) {
                break;
            }
            got.push((event, data));
        }
        let expected: Vec<(String, Value)> = expected
            .into_iter()
            .map(|(e, d)| (e.to_owned(), d))
            .collect();
        assert_eq!(got, expected, "stream at {at:?}");
    }
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
