//! The signaling client in real browsers, against rtcweb-signal.
//!
//! They need `rtcweb-signal` at `DB` (under tests/support/signal-controller.mjs, which can
//! restart it, with tests/support/rules.json): `scripts/test.sh` starts it, and
//! `scripts/test-server.sh` does so for `wasm-pack test`.

use crate::common::{database, sleep, unique, CONTROL};
use std::rc::Rc;

use futures::StreamExt;
use rtcweb::signaling::{
    server_timestamp, sweep_stale_rooms, ConditionalWrite, Database, DatabaseEvent, Room,
    SignalingError,
};
use rtcweb::{
    Configuration, DataChannelOptions, Error, IceCandidate, Message, PeerConnection,
    SessionDescription,
};
use serde_json::{json, Value};
use wasm_bindgen_futures::spawn_local;
use wasm_bindgen_test::*;

/// Unsigned JWTs, which rtcweb-signal accepts as an emulator does (uid alice and bob).
const ALICE: &str =
    "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhbGljZSIsInVzZXJfaWQiOiJhbGljZSJ9.";
const BOB: &str = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJib2IiLCJ1c2VyX2lkIjoiYm9iIn0.";

#[wasm_bindgen_test]
async fn rest_reads_writes_queries_and_etags() {
    let db = database().await;
    let here = db.reference(&format!("tests/{}", unique("rest"))).unwrap();

    assert_eq!(here.get().await.unwrap(), Value::Null);
    here.set(&json!({"a": 1, "b": {"c": true}})).await.unwrap();
    here.update(&json!({"b/d": "x", "a": null})).await.unwrap();
    assert_eq!(
        here.get().await.unwrap(),
        json!({"b": {"c": true, "d": "x"}})
    );

    let list = here.child("list").unwrap();
    let first = list.push(&"one").await.unwrap();
    let second = list.push(&"two").await.unwrap();
    assert_eq!(first.len(), 20);
    assert!(first < second, "push ids sort chronologically");
    assert_eq!(
        list.query()
            .order_by_key()
            .limit_to_last(1)
            .get()
            .await
            .unwrap(),
        json!({ second.clone(): "two" })
    );
    assert_eq!(
        here.shallow().await.unwrap(),
        json!({"b": true, "list": true})
    );

    here.child("at")
        .unwrap()
        .set(&server_timestamp())
        .await
        .unwrap();
    let at: f64 = here.child("at").unwrap().get_as().await.unwrap();
    assert!(
        (at - js_sys::Date::now()).abs() < 60_000.0,
        "server time {at}"
    );

    // A conditional write succeeds with the current ETag and reports a conflict after a change.
    let counter = here.child("counter").unwrap();
    let (value, etag) = counter.get_with_etag().await.unwrap();
    assert_eq!(value, Value::Null);
    assert_eq!(
        counter.set_if_match(&1, &etag).await.unwrap(),
        ConditionalWrite::Written
    );
    match counter.set_if_match(&2, &etag).await.unwrap() {
        ConditionalWrite::Conflict { value, etag: newer } => {
            assert_eq!(value, json!(1));
            assert_ne!(newer, etag);
            assert!(counter.set_if_match(&2, &newer).await.unwrap().is_written());
        }
        ConditionalWrite::Written => panic!("a stale ETag must not write"),
    }

    here.remove().await.unwrap();
    assert_eq!(here.get().await.unwrap(), Value::Null);
}

#[wasm_bindgen_test]
async fn errors_are_typed() {
    let err = Database::new("http://127.0.0.1:9")
        .reference("x")
        .unwrap()
        .get()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Signaling(SignalingError::Unreachable(_))),
        "{err:?}"
    );

    let db = database().await;
    assert!(matches!(
        db.reference("tests/a.b"),
        Err(Error::Signaling(SignalingError::InvalidPath(_)))
    ));

    let bad_query = db
        .reference("tests")
        .unwrap()
        .query()
        .limit_to_first(1)
        .get()
        .await
        .unwrap_err();
    match bad_query {
        Error::Signaling(SignalingError::Http {
            status: 400,
            message,
        }) => assert!(!message.is_empty()),
        other => panic!("a query without orderBy gave {other:?}"),
    }

    let not_text = db.reference(&format!("tests/{}", unique("typed"))).unwrap();
    not_text.set(&json!({"a": 1})).await.unwrap();
    let err = not_text.get_as::<String>().await.unwrap_err();
    assert!(
        matches!(err, Error::Signaling(SignalingError::MalformedJson(_))),
        "{err:?}"
    );
}

#[wasm_bindgen_test]
async fn permission_denied_without_the_right_auth() {
    let path = "private/alice/note";
    let anonymous = database().await.reference(path).unwrap();
    let err = anonymous.set(&"hi").await.unwrap_err();
    assert!(
        matches!(err, Error::Signaling(SignalingError::PermissionDenied(ref m)) if m == "Permission denied"),
        "{err:?}"
    );
    let err = database()
        .await
        .with_auth(BOB)
        .reference(path)
        .unwrap()
        .get()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Signaling(SignalingError::PermissionDenied(_))),
        "{err:?}"
    );

    let alice = database().await.with_auth(ALICE).reference(path).unwrap();
    alice.set(&"hi").await.unwrap();
    assert_eq!(alice.get_as::<String>().await.unwrap(), "hi");

    // A refused stream reports the denial and ends, rather than retrying forever.
    let mut denied = anonymous.subscribe().unwrap();
    match denied.next().await {
        Some(Err(Error::Signaling(SignalingError::PermissionDenied(_)))) => {}
        other => panic!("a refused stream gave {other:?}"),
    }
    assert!(denied.next().await.is_none());
}

#[wasm_bindgen_test]
async fn a_subscription_streams_puts_and_patches_and_keeps_a_copy() {
    let db = database().await;
    let here = db.reference(&format!("tests/{}", unique("sub"))).unwrap();
    here.set(&json!({"before": 1})).await.unwrap();

    let mut changes = here.subscribe().unwrap();
    assert_eq!(
        changes.next().await.unwrap().unwrap(),
        DatabaseEvent::Put {
            path: "/".into(),
            data: json!({"before": 1})
        }
    );
    here.child("x/y").unwrap().set(&2).await.unwrap();
    assert_eq!(
        changes.next().await.unwrap().unwrap(),
        DatabaseEvent::Put {
            path: "/x/y".into(),
            data: json!(2)
        }
    );
    here.update(&json!({"before": null, "z": "new"}))
        .await
        .unwrap();
    assert!(matches!(
        changes.next().await.unwrap().unwrap(),
        DatabaseEvent::Patch { .. }
    ));
    assert_eq!(changes.snapshot(), json!({"x": {"y": 2}, "z": "new"}));
    assert!(changes.is_connected());
}

#[wasm_bindgen_test]
async fn a_stream_the_rules_stop_allowing_is_cancelled() {
    let gate = database()
        .await
        .reference(&format!("gated/{}", unique("gate")))
        .unwrap();
    gate.set(&json!({"open": true})).await.unwrap();
    let mut changes = gate.subscribe().unwrap();
    changes.next().await.unwrap().unwrap();
    // The read rule depends on the data: closing the gate makes the server cancel the stream.
    gate.child("open").unwrap().set(&false).await.unwrap();
    match changes.next().await {
        Some(Err(Error::Signaling(SignalingError::Cancelled(reason)))) => {
            assert_eq!(reason, "Permission denied")
        }
        other => panic!("expected a cancel, got {other:?}"),
    }
    assert!(
        changes.next().await.is_none(),
        "the stream ends after a cancel"
    );
    gate.remove().await.unwrap();
}

#[wasm_bindgen_test]
async fn a_subscription_reconnects_after_the_server_restarts() {
    let db = database().await;
    let here = db
        .reference(&format!("tests/{}", unique("restart")))
        .unwrap();
    here.set(&json!({"a": 1})).await.unwrap();
    let mut changes = here.subscribe().unwrap();
    changes.next().await.unwrap().unwrap();

    let restarted = gloo_net::http::Request::post(&format!("{CONTROL}/restart"))
        .send()
        .await
        .unwrap();
    assert_eq!(restarted.status(), 200);
    // Written after the restart, while the stream is (re)connecting: the copy catches up,
    // from the server's fresh initial put or from the event itself.
    here.child("b").unwrap().set(&2).await.unwrap();
    while changes.snapshot() != json!({"a": 1, "b": 2}) {
        changes
            .next()
            .await
            .expect("the stream goes on")
            .expect("no error");
    }
    here.child("c").unwrap().set(&3).await.unwrap();
    while changes.snapshot() != json!({"a": 1, "b": 2, "c": 3}) {
        changes
            .next()
            .await
            .expect("the stream goes on")
            .expect("no error");
    }
    assert!(changes.is_connected());
}

#[wasm_bindgen_test]
async fn a_room_carries_send_recv_candidates_and_presence() {
    let db = database().await;
    let id = unique("room");
    let alice = Room::new(&db, &id).unwrap();
    let bob = Room::new(&db, &id).unwrap();
    alice.join("alice").await.unwrap();
    bob.join("bob").await.unwrap();
    let mut peers = alice.peers().await.unwrap();
    peers.sort();
    assert_eq!(peers, ["alice", "bob"]);

    // recv waits for a value sent later, and returns one already there at once.
    let offer = SessionDescription::new(rtcweb::sdp::SdpType::Offer, "v=0\r\n");
    let waiting = {
        let bob = bob.clone();
        async move { bob.recv::<SessionDescription>("offer").await }
    };
    let send = async {
        sleep(50).await;
        alice.send("offer", &offer).await
    };
    let (received, sent) = futures::join!(waiting, send);
    sent.unwrap();
    assert_eq!(received.unwrap(), offer);
    assert_eq!(
        bob.recv::<SessionDescription>("offer").await.unwrap(),
        offer
    );

    // Candidates arrive in order, those pushed before subscribing included, then the end.
    let lines: Vec<IceCandidate> = (0..3)
        .map(|i| {
            IceCandidate::new(
                format!("candidate:{i} 1 udp {i} 10.0.0.{i} 9 typ host"),
                Some("0"),
                Some(0),
            )
        })
        .collect();
    alice.push_candidate("alice", &lines[0]).await.unwrap();
    let mut from_alice = bob.candidates("alice").unwrap();
    alice.push_candidate("alice", &lines[1]).await.unwrap();
    alice.push_candidate("alice", &lines[2]).await.unwrap();
    alice
        .push_candidate("alice", &IceCandidate::end_of_candidates())
        .await
        .unwrap();
    for expected in &lines {
        assert_eq!(&from_alice.next().await.unwrap().unwrap(), expected);
    }
    assert!(from_alice
        .next()
        .await
        .unwrap()
        .unwrap()
        .is_end_of_candidates());

    // The last one out removes the room.
    alice.leave("alice").await.unwrap();
    assert_eq!(bob.peers().await.unwrap(), ["bob"]);
    assert_ne!(bob.reference().get().await.unwrap(), Value::Null);
    bob.leave("bob").await.unwrap();
    assert_eq!(bob.reference().get().await.unwrap(), Value::Null);
}

#[wasm_bindgen_test]
async fn stale_rooms_are_swept_by_age() {
    let db = database().await;
    let old = Room::new(&db, &unique("old")).unwrap();
    let fresh = Room::new(&db, &unique("fresh")).unwrap();
    old.reference()
        .set(&json!({"offer": "x", "updated": 1000}))
        .await
        .unwrap();
    fresh.send("offer", &"y").await.unwrap();
    let swept = sweep_stale_rooms(&db, 3_600_000.0).await.unwrap();
    assert!(swept >= 1);
    assert_eq!(old.reference().get().await.unwrap(), Value::Null);
    assert_ne!(fresh.reference().get().await.unwrap(), Value::Null);
    fresh.hang_up().await.unwrap();
}

/// Two peers in one page meet through a room, as two browsers would.
#[wasm_bindgen_test]
async fn two_peers_connect_through_a_room() {
    let db = database().await;
    let id = unique("call");
    let caller_room = Room::new(&db, &id).unwrap();
    let callee_room = Room::new(&db, &id).unwrap();
    let caller = Rc::new(PeerConnection::new(&Configuration::default()).unwrap());
    let callee = Rc::new(PeerConnection::new(&Configuration::default()).unwrap());

    // Each side trickles its candidates into the room as they are found.
    for (pc, room, me) in [
        (caller.clone(), caller_room.clone(), "caller"),
        (callee.clone(), callee_room.clone(), "callee"),
    ] {
        let mut local = pc.ice_candidates();
        spawn_local(async move {
            while let Some(candidate) = local.next().await {
                let _ = room.push_candidate(me, &candidate).await;
            }
        });
    }
    // ... and adds the other's once it has the remote description (a candidate before it is
    // refused); the room's stream starts with the candidates already pushed.
    let add_remote_candidates = |pc: Rc<PeerConnection>, room: &Room, other: &str| {
        let mut remote = room.candidates(other).unwrap();
        spawn_local(async move {
            while let Some(Ok(candidate)) = remote.next().await {
                // A failure shows as the channel never opening, which the test asserts.
                let _ = pc.add_ice_candidate(&candidate).await;
            }
        });
    };

    let mut incoming = callee.data_channels();
    let channel = caller
        .create_data_channel(&DataChannelOptions::new("chat"))
        .unwrap();
    let offer = caller.create_offer(&Default::default()).await.unwrap();
    caller.set_local_description(&offer).await.unwrap();
    caller_room.send("offer", &offer).await.unwrap();

    let offer: SessionDescription = callee_room.recv("offer").await.unwrap();
    callee.set_remote_description(&offer).await.unwrap();
    add_remote_candidates(callee.clone(), &callee_room, "caller");
    let answer = callee.create_answer().await.unwrap();
    callee.set_local_description(&answer).await.unwrap();
    callee_room.send("answer", &answer).await.unwrap();

    let answer: SessionDescription = caller_room.recv("answer").await.unwrap();
    caller.set_remote_description(&answer).await.unwrap();
    add_remote_candidates(caller.clone(), &caller_room, "callee");

    channel.opened().await.unwrap();
    let remote = incoming.next().await.unwrap();
    channel.send_text("hello through the room").await.unwrap();
    assert_eq!(
        remote.messages().next().await,
        Some(Message::Text("hello through the room".into()))
    );
    caller_room.hang_up().await.unwrap();
}
