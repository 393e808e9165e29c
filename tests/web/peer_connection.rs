//! PeerConnection in real browsers: negotiation, trickle ICE, restarts, errors and drop.

use std::rc::Rc;

use crate::common::{ice_ufrag, negotiate, pair, trickle, wait_for_state};
use futures::StreamExt;
use rtcweb::{
    ice::IceTransportPolicy,
    peer::{BundlePolicy, OfferOptions, PeerConnectionState, SignalingState},
    sdp::SdpType,
    Configuration, DataChannelOptions, Error, IceCandidate, IceServer, Message, PeerConnection,
    SessionDescription,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

#[wasm_bindgen(module = "/tests/js/peer_connection.js")]
extern "C" {
    fn candidate_to_json(init: &str) -> String;
    fn description_to_json(init: &str) -> String;
    fn configuration_of(pc: &web_sys::RtcPeerConnection) -> String;
    fn count_listeners(target: &JsValue) -> js_sys::Function;
}

fn live_listeners(counter: &js_sys::Function) -> f64 {
    counter
        .call0(&JsValue::NULL)
        .ok()
        .and_then(|n| n.as_f64())
        .unwrap_or(-1.0)
}

#[wasm_bindgen_test]
async fn loopback_offer_answer_with_trickled_candidates() {
    let a = Rc::new(PeerConnection::new(&Configuration::default()).unwrap());
    let b = Rc::new(PeerConnection::new(&Configuration::default()).unwrap());
    let mut a_reports = trickle(&a, &b);
    drop(trickle(&b, &a));
    let mut incoming = b.data_channels();
    let _channel = a
        .create_data_channel(&DataChannelOptions::new("x"))
        .unwrap();

    let offer = a.create_offer(&Default::default()).await.unwrap();
    assert_eq!(offer.sdp_type, SdpType::Offer);
    assert!(offer.sdp.starts_with("v=0"));
    // The description's JSON is the browser's toJSON, byte for byte.
    let json = serde_json::to_string(&offer).unwrap();
    assert_eq!(description_to_json(&json), json);

    a.set_local_description(&offer).await.unwrap();
    assert_eq!(a.signaling_state(), SignalingState::HaveLocalOffer);
    // Browsers may rewrite the offer they apply (Firefox adds lines), but not its ICE identity.
    let applied = a.local_description().expect("a local description");
    assert_eq!(applied.sdp_type, SdpType::Offer);
    assert_eq!(ice_ufrag(&applied.sdp), ice_ufrag(&offer.sdp));
    b.set_remote_description(&offer).await.unwrap();
    assert_eq!(b.signaling_state(), SignalingState::HaveRemoteOffer);
    let answer = b.create_answer().await.unwrap();
    assert_eq!(answer.sdp_type, SdpType::Answer);
    b.set_local_description(&answer).await.unwrap();
    a.set_remote_description(&answer).await.unwrap();
    assert_eq!(a.signaling_state(), SignalingState::Stable);
    let current = a
        .current_remote_description()
        .expect("a current remote description");
    assert_eq!(current.sdp_type, SdpType::Answer);
    assert_eq!(ice_ufrag(&current.sdp), ice_ufrag(&answer.sdp));

    // Every candidate is trickled and accepted, then the end of candidates.
    let mut real = 0;
    loop {
        let (candidate, result) = a_reports.next().await.expect("candidates until the end");
        assert_eq!(result, Ok(()), "adding {candidate:?}");
        if candidate.is_end_of_candidates() {
            break;
        }
        real += 1;
        let line = candidate
            .line()
            .expect("the browser's candidate line parses");
        assert!(line.port > 0);
        // Printing gives the same line (the transport's case aside: Firefox writes "UDP").
        assert!(
            line.to_string().eq_ignore_ascii_case(&candidate.candidate),
            "{line}"
        );
        // The same JSON as the browser's toJSON: the same keys and values (key order differs
        // between browsers: Chromium follows the spec's, Firefox puts sdpMLineIndex first).
        let json = serde_json::to_string(&candidate).unwrap();
        let browser: serde_json::Value = serde_json::from_str(&candidate_to_json(&json)).unwrap();
        assert_eq!(browser, serde_json::to_value(&candidate).unwrap());
    }
    assert!(real > 0, "at least one real candidate");

    wait_for_state(&a, PeerConnectionState::Connected).await;
    wait_for_state(&b, PeerConnectionState::Connected).await;
    let remote = incoming.next().await.expect("the channel arrives");
    assert_eq!(remote.label(), "x");
}

#[wasm_bindgen_test]
async fn renegotiation_adds_a_second_channel() {
    let (a, b) = pair();
    let mut incoming = b.data_channels();
    let first = a
        .create_data_channel(&DataChannelOptions::new("first"))
        .unwrap();
    negotiate(&a, &b).await.unwrap();
    first.opened().await.unwrap();
    let first_remote = incoming.next().await.unwrap();

    // A second negotiation, with the parameterless setLocalDescription on both sides.
    let second = a
        .create_data_channel(&DataChannelOptions::new("second"))
        .unwrap();
    let offer = a.set_local_description_implicit().await.unwrap();
    assert_eq!(offer.sdp_type, SdpType::Offer);
    b.set_remote_description(&offer).await.unwrap();
    let answer = b.set_local_description_implicit().await.unwrap();
    assert_eq!(answer.sdp_type, SdpType::Answer);
    a.set_remote_description(&answer).await.unwrap();
    assert_eq!(a.signaling_state(), SignalingState::Stable);

    second.opened().await.unwrap();
    let second_remote = incoming.next().await.unwrap();
    assert_eq!(second_remote.label(), "second");
    second.send_text("on the second").await.unwrap();
    first.send_text("on the first").await.unwrap();
    assert_eq!(
        second_remote.messages().next().await,
        Some(Message::Text("on the second".into()))
    );
    assert_eq!(
        first_remote.messages().next().await,
        Some(Message::Text("on the first".into()))
    );
}

#[wasm_bindgen_test]
async fn ice_restart_keeps_the_channel_working() {
    let (a, b, local, remote) =
        crate::common::connected_channel(&DataChannelOptions::new("r")).await;
    wait_for_state(&a, PeerConnectionState::Connected).await;
    let ufrag = |pc: &PeerConnection| pc.local_description().and_then(|d| ice_ufrag(&d.sdp));
    let before = ufrag(&a);

    let mut needed = a.negotiation_needed();
    a.restart_ice().unwrap();
    needed
        .next()
        .await
        .expect("restartIce fires negotiationneeded");
    negotiate(&a, &b).await.unwrap();
    assert_ne!(ufrag(&a), before, "the restart brings new ICE credentials");

    wait_for_state(&a, PeerConnectionState::Connected).await;
    let mut messages = remote.messages();
    local.send_text("after restart").await.unwrap();
    assert_eq!(
        messages.next().await,
        Some(Message::Text("after restart".into()))
    );
}

#[wasm_bindgen_test]
async fn closing_is_seen_on_the_other_side_and_ends_streams() {
    let (a, b, local, remote) =
        crate::common::connected_channel(&DataChannelOptions::new("c")).await;
    let mut remote_messages = remote.messages();
    let mut a_states = a.signaling_state_changes();
    let mut a_candidates = a.ice_candidates();

    local.send_text("last words").await.unwrap();
    assert_eq!(
        remote_messages.next().await,
        Some(Message::Text("last words".into()))
    );
    a.close();
    assert_eq!(a.signaling_state(), SignalingState::Closed);
    // The local streams end (after any events still buffered); the remote channel sees the
    // close.
    while a_states.next().await.is_some() {}
    while a_candidates.next().await.is_some() {}
    remote.closed().await.unwrap();
    assert_eq!(remote_messages.next().await, None);
    assert!(local.send_text("too late").await.is_err());
    drop(b);
}

#[wasm_bindgen_test]
async fn bad_input_gives_typed_errors_and_the_page_stays_usable() {
    let pc = PeerConnection::new(&Configuration::default()).unwrap();

    // A candidate before any remote description.
    let early = IceCandidate::new(
        "candidate:1 1 udp 2122260223 127.0.0.1 9 typ host",
        Some("0"),
        Some(0),
    );
    let err = pc.add_ice_candidate(&early).await.unwrap_err();
    assert!(matches!(err, Error::InvalidState(_)), "{err:?}");

    // Malformed SDP.
    let garbage = SessionDescription::new(SdpType::Offer, "this is not SDP");
    let err = pc.set_remote_description(&garbage).await.unwrap_err();
    assert!(
        matches!(err, Error::Syntax(_)),
        "malformed SDP gave {err:?}"
    );
    assert!(!err.to_string().is_empty());

    // A malformed candidate once a remote description exists.
    let (a, b) = pair();
    let _ch = a
        .create_data_channel(&DataChannelOptions::new("e"))
        .unwrap();
    negotiate(&a, &b).await.unwrap();
    let bad = IceCandidate::new("candidate:garbage", Some("0"), Some(0));
    assert!(bad.line().is_err());
    let err = b.add_ice_candidate(&bad).await.unwrap_err();
    assert!(
        matches!(err, Error::Parse { .. }),
        "malformed candidate gave {err:?}"
    );
    // A well-formed line the browser cannot use is the browser's error.
    let unusable = IceCandidate::new("candidate:1 1 udp 1 127.0.0.1 9 typ host", Some("99"), None);
    let err = b.add_ice_candidate(&unusable).await.unwrap_err();
    assert!(
        matches!(err, Error::Operation(_)),
        "unknown m-line gave {err:?}"
    );

    // Invalid options.
    let both = DataChannelOptions::new("x")
        .max_retransmits(1)
        .max_packet_life_time(1);
    assert!(matches!(a.create_data_channel(&both), Err(Error::Type(_))));
    let bad_server = Configuration {
        ice_servers: vec![IceServer::new("http://not-a-stun-url")],
        ..Default::default()
    };
    let err = PeerConnection::new(&bad_server).unwrap_err();
    assert!(matches!(err, Error::Syntax(_)), "bad ICE URL gave {err:?}");

    // A closed connection refuses work with InvalidState.
    pc.close();
    let err = pc.create_offer(&Default::default()).await.unwrap_err();
    assert!(matches!(err, Error::InvalidState(_)), "{err:?}");

    // After all that, the page still connects.
    let (_x, _y, local, remote) =
        crate::common::connected_channel(&DataChannelOptions::new("ok")).await;
    local.send_text("still fine").await.unwrap();
    assert_eq!(
        remote.messages().next().await,
        Some(Message::Text("still fine".into()))
    );
}

#[wasm_bindgen_test]
async fn dropping_a_peer_connection_closes_it_and_removes_listeners() {
    let raw = web_sys::RtcPeerConnection::new().unwrap();
    let counter = count_listeners(&raw);
    let pc = PeerConnection::from_raw(raw.clone());
    let streams = (
        pc.ice_candidates(),
        pc.connection_state_changes(),
        pc.negotiation_needed(),
    );
    assert!(live_listeners(&counter) >= 4.0);

    drop(pc);
    assert_eq!(raw.signaling_state(), web_sys::RtcSignalingState::Closed);
    // The streams end with their connection, and dropping them removes the last listeners.
    let (mut candidates, mut states, mut needed) = streams;
    assert_eq!(candidates.next().await, None);
    assert_eq!(states.next().await, None);
    assert_eq!(needed.next().await, None);
    drop((candidates, states, needed));
    assert_eq!(live_listeners(&counter), 0.0);
}

#[wasm_bindgen_test]
async fn dropping_a_data_channel_closes_it_unless_taken_with_into_raw() {
    let pc = PeerConnection::new(&Configuration::default()).unwrap();
    let channel = pc
        .create_data_channel(&DataChannelOptions::new("d"))
        .unwrap();
    let raw = channel.as_raw().clone();
    drop(channel);
    let state = raw.ready_state();
    assert!(
        matches!(
            state,
            web_sys::RtcDataChannelState::Closing | web_sys::RtcDataChannelState::Closed
        ),
        "{state:?}"
    );

    let raw = pc.as_raw().create_data_channel("kept");
    let counter = count_listeners(&raw);
    let channel = rtcweb::DataChannel::from_raw(raw.clone());
    assert!(live_listeners(&counter) >= 3.0);
    let detached = channel.into_raw();
    assert_eq!(live_listeners(&counter), 0.0);
    assert_eq!(
        detached.ready_state(),
        web_sys::RtcDataChannelState::Connecting
    );
}

#[wasm_bindgen_test]
async fn configuration_and_offer_options_reach_the_browser() {
    let config = Configuration {
        ice_servers: vec![
            IceServer::new(["stun:127.0.0.1:3478", "stun:127.0.0.1:3479"]),
            IceServer::new("turn:127.0.0.1:3478").with_credentials("user", "secret"),
        ],
        ice_transport_policy: IceTransportPolicy::Relay,
        bundle_policy: BundlePolicy::MaxBundle,
        ..Default::default()
    };
    let pc = PeerConnection::new(&config).unwrap();
    let applied: serde_json::Value = serde_json::from_str(&configuration_of(pc.as_raw())).unwrap();
    assert_eq!(applied["iceTransportPolicy"], "relay");
    assert_eq!(applied["bundlePolicy"], "max-bundle");
    assert_eq!(
        applied["iceServers"][0]["urls"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(applied["iceServers"][1]["username"], "user");

    // The legacy receive-only options still produce receiving m-lines.
    let options = OfferOptions {
        offer_to_receive_audio: Some(true),
        offer_to_receive_video: Some(true),
        ..Default::default()
    };
    let offer = pc.create_offer(&options).await.unwrap();
    assert!(offer.sdp.contains("m=audio"), "{}", offer.sdp);
    assert!(offer.sdp.contains("m=video"), "{}", offer.sdp);
    assert!(offer.sdp.contains("a=recvonly"), "{}", offer.sdp);
}
