//! Old browsers, simulated: JS fixtures hide the standard WebRTC globals and expose prefixed or
//! callback-style wrappers around the browser's real implementation, and a full loopback call
//! runs through the public API in each.
//!
//! The scenarios change page globals, so they run one after another inside a single test
//! (tests of one file share a page and may interleave at await points). Each scenario returns
//! its failure instead of panicking, so the fixture guard's `Drop` always restores the globals
//! and every scenario runs; a scenario also restores leftovers before it starts.
#![cfg(target_arch = "wasm32")]

use std::future::Future;
use std::rc::Rc;

use futures::{FutureExt, StreamExt};
use rtcweb::{
    media::{MediaKind, RemoteTrack},
    peer::OfferOptions,
    Configuration, DataChannelOptions, Error, IceServer, MediaConstraints, Message, PeerConnection,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/js/legacy.js")]
extern "C" {
    #[wasm_bindgen(catch)]
    fn pretend(kind: &str) -> Result<(), JsValue>;
    fn restore_all();
    fn globals_intact() -> bool;
    fn fixture_log() -> String;
    fn set_refusal(json: &str);
}

/// Restores the page's globals when dropped, whatever happened in between.
struct Fixture;

impl Fixture {
    fn new(kind: &str) -> Result<Self, String> {
        pretend(kind).map_err(|e| format!("fixture {kind}: {e:?}"))?;
        Ok(Fixture)
    }

    fn log(&self) -> serde_json::Value {
        serde_json::from_str(&fixture_log()).unwrap_or(serde_json::Value::Null)
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        restore_all();
    }
}

macro_rules! check {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

/// `future`, or an error after `ms`.
async fn within<T>(ms: u32, what: &str, future: impl Future<Output = T>) -> Result<T, String> {
    futures::select! {
        value = future.fuse() => Ok(value),
        _ = gloo_timers::future::TimeoutFuture::new(ms).fuse() => {
            Err(format!("{what}: no result within {ms} ms"))
        }
    }
}

/// Forwards `from`'s candidates to `to`, reporting failures on the returned channel.
fn trickle(
    from: &Rc<PeerConnection>,
    to: &Rc<PeerConnection>,
) -> futures::channel::mpsc::UnboundedReceiver<Error> {
    let (report, reports) = futures::channel::mpsc::unbounded();
    let mut candidates = from.ice_candidates();
    let to = Rc::downgrade(to);
    spawn_local(async move {
        while let Some(candidate) = candidates.next().await {
            let Some(to) = to.upgrade() else { break };
            if let Err(e) = to.add_ice_candidate(&candidate).await {
                let _ = report.unbounded_send(e);
            }
        }
    });
    reports
}

/// What a loopback call saw; it holds the caller and its capture until dropped.
struct CallReport {
    caller: Rc<PeerConnection>,
    captured: Option<rtcweb::LocalMedia>,
    remote_tracks: Vec<RemoteTrack>,
    senders: usize,
    stats: Vec<rtcweb::stats::RawStats>,
}

/// A loopback call through the public API: a data channel from `a` to `b` carrying a message
/// each way, and with `media` the fake camera and microphone sent from `a` to `b`.
async fn loopback(
    config: &Configuration,
    offer_options: &OfferOptions,
    media: bool,
) -> Result<CallReport, String> {
    let a = Rc::new(PeerConnection::new(config).map_err(|e| format!("new a: {e}"))?);
    let b = Rc::new(PeerConnection::new(config).map_err(|e| format!("new b: {e}"))?);
    let mut a_errors = trickle(&a, &b);
    let mut b_errors = trickle(&b, &a);
    let mut incoming = b.data_channels();
    let mut tracks = b.tracks();
    let local = a
        .create_data_channel(&DataChannelOptions::new("legacy"))
        .map_err(|e| format!("create channel: {e}"))?;
    let captured = if media {
        let captured = within(
            10_000,
            "getUserMedia",
            rtcweb::get_user_media(&MediaConstraints::audio_video()),
        )
        .await?
        .map_err(|e| format!("getUserMedia: {e}"))?;
        Some(captured)
    } else {
        None
    };
    let senders = match &captured {
        Some(captured) => a
            .add_stream(captured.stream())
            .map_err(|e| format!("add_stream: {e}"))?
            .len(),
        None => 0,
    };

    let offer = a
        .create_offer(offer_options)
        .await
        .map_err(|e| format!("create_offer: {e}"))?;
    a.set_local_description(&offer)
        .await
        .map_err(|e| format!("a set_local_description: {e}"))?;
    b.set_remote_description(&offer)
        .await
        .map_err(|e| format!("b set_remote_description: {e}"))?;
    let answer = b
        .create_answer()
        .await
        .map_err(|e| format!("create_answer: {e}"))?;
    b.set_local_description(&answer)
        .await
        .map_err(|e| format!("b set_local_description: {e}"))?;
    a.set_remote_description(&answer)
        .await
        .map_err(|e| format!("a set_remote_description: {e}"))?;

    within(15_000, "local channel open", local.opened())
        .await?
        .map_err(|e| format!("local channel: {e}"))?;
    let remote = within(5_000, "remote channel", incoming.next())
        .await?
        .ok_or("no remote channel")?;
    within(5_000, "remote channel open", remote.opened())
        .await?
        .map_err(|e| format!("remote channel: {e}"))?;
    let mut remote_messages = remote.messages();
    let mut local_messages = local.messages();
    local
        .send_text("ping")
        .await
        .map_err(|e| format!("send: {e}"))?;
    let got = within(5_000, "ping", remote_messages.next()).await?;
    check!(got == Some(Message::Text("ping".into())), "b got {got:?}");
    remote
        .send_text("pong")
        .await
        .map_err(|e| format!("reply: {e}"))?;
    let got = within(5_000, "pong", local_messages.next()).await?;
    check!(got == Some(Message::Text("pong".into())), "a got {got:?}");

    let mut remote_tracks = Vec::new();
    if media {
        let first = within(10_000, "remote track", tracks.next())
            .await?
            .ok_or("no remote track")?;
        remote_tracks.push(first);
        // The second track follows, from a `track` event or from the same `addstream`.
        if let Ok(Some(second)) = within(2_000, "second track", tracks.next()).await {
            remote_tracks.push(second);
        }
    }
    let stats = within(5_000, "stats", a.stats())
        .await?
        .map_err(|e| format!("stats: {e}"))?
        .entries()
        .to_vec();
    if let Ok(e) = a_errors.try_recv() {
        return Err(format!("adding a's candidate to b: {e}"));
    }
    if let Ok(e) = b_errors.try_recv() {
        return Err(format!("adding b's candidate to a: {e}"));
    }
    Ok(CallReport {
        caller: a,
        captured,
        remote_tracks,
        senders,
        stats,
    })
}

fn constructed(log: &serde_json::Value, index: usize) -> serde_json::Value {
    log["constructed"][index]
        .as_str()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(serde_json::Value::Null)
}

async fn webkit() -> Result<(), String> {
    let fixture = Fixture::new("webkit")?;
    let found = rtcweb::support::implementation();
    check!(
        found.peer_connection == Some("webkitRTCPeerConnection"),
        "{found:?}"
    );
    check!(
        found.promises && found.ice_server_url && !found.description_instances,
        "{found:?}"
    );
    check!(
        found.get_user_media == Some("navigator.webkitGetUserMedia"),
        "{found:?}"
    );
    let report = loopback(&Configuration::default(), &Default::default(), true).await?;
    check!(report.senders == 2, "{} senders", report.senders);
    check!(!report.remote_tracks.is_empty(), "no remote tracks");
    check!(!report.stats.is_empty(), "no stats");
    let log = fixture.log();
    let (config, constraints) = (
        constructed(&log, 0)[0].clone(),
        constructed(&log, 0)[1].clone(),
    );
    check!(
        constraints == serde_json::json!({"optional": [{"DtlsSrtpKeyAgreement": true}]}),
        "constructor constraints {constraints}"
    );
    check!(
        config["iceServers"] == serde_json::json!([]),
        "config {config}"
    );
    check!(
        log["misuse"] == serde_json::json!([]),
        "misuse {}",
        log["misuse"]
    );
    Ok(())
}

async fn moz() -> Result<(), String> {
    let fixture = Fixture::new("moz")?;
    let found = rtcweb::support::implementation();
    check!(
        found.peer_connection == Some("mozRTCPeerConnection")
            && found.session_description == Some("mozRTCSessionDescription")
            && found.ice_candidate == Some("mozRTCIceCandidate"),
        "{found:?}"
    );
    check!(
        found.promises && found.description_instances && found.ice_server_url,
        "{found:?}"
    );
    check!(
        found.get_user_media == Some("navigator.mozGetUserMedia"),
        "{found:?}"
    );
    let report = loopback(&Configuration::default(), &Default::default(), true).await?;
    check!(report.senders == 2, "{} senders", report.senders);
    check!(!report.remote_tracks.is_empty(), "no remote tracks");
    let log = fixture.log();
    check!(
        log["misuse"] == serde_json::json!([]),
        "misuse {}",
        log["misuse"]
    );
    check!(
        log["calls"]["setRemoteDescription"] == serde_json::json!(2),
        "calls {}",
        log["calls"]
    );
    check!(
        log["calls"]["addIceCandidate"].as_u64().unwrap_or(0) > 0,
        "calls {}",
        log["calls"]
    );
    Ok(())
}

async fn callbacks() -> Result<(), String> {
    let fixture = Fixture::new("callbacks")?;
    let found = rtcweb::support::implementation();
    check!(
        found.peer_connection == Some("RTCPeerConnection"),
        "{found:?}"
    );
    check!(
        !found.promises && found.description_instances && !found.ice_server_url,
        "{found:?}"
    );
    let config = Configuration {
        ice_servers: vec![IceServer::new("stun:127.0.0.1:3478")],
        ..Default::default()
    };
    let options = OfferOptions {
        offer_to_receive_audio: Some(true),
        offer_to_receive_video: Some(false),
        ..Default::default()
    };
    let report = loopback(&config, &options, false).await?;
    check!(
        !report.stats.is_empty(),
        "no stats through the callback form"
    );
    let log = fixture.log();
    check!(
        log["misuse"] == serde_json::json!([]),
        "misuse {}",
        log["misuse"]
    );
    // Each operation was called once, in the callback form.
    let calls = &log["calls"];
    check!(
        calls["createOffer"] == serde_json::json!(1)
            && calls["createAnswer"] == serde_json::json!(1)
            && calls["setLocalDescription"] == serde_json::json!(2)
            && calls["setRemoteDescription"] == serde_json::json!(2)
            && calls["getStats"] == serde_json::json!(1),
        "calls {calls}"
    );
    check!(
        log["offerConstraints"]
            == serde_json::json!([
                r#"{"mandatory":{"OfferToReceiveAudio":true,"OfferToReceiveVideo":false}}"#
            ]),
        "offer constraints {}",
        log["offerConstraints"]
    );
    // The standard constructor: `urls`, and no legacy constraints.
    let args = constructed(&log, 0);
    check!(
        args[0]["iceServers"] == serde_json::json!([{"urls": ["stun:127.0.0.1:3478"]}])
            && args[1].is_null(),
        "constructor arguments {args}"
    );
    Ok(())
}

async fn webkit_callbacks() -> Result<(), String> {
    let fixture = Fixture::new("webkit-callbacks")?;
    let found = rtcweb::support::implementation();
    check!(
        found.peer_connection == Some("webkitRTCPeerConnection")
            && !found.promises
            && found.ice_server_url
            && found.description_instances,
        "{found:?}"
    );
    let report = loopback(&Configuration::default(), &Default::default(), true).await?;
    check!(!report.remote_tracks.is_empty(), "no remote tracks");
    let typed = report
        .stats
        .iter()
        .filter(|s| !s.id.is_empty() && !s.kind.is_empty() && s.timestamp > 0.0)
        .count();
    check!(
        typed == report.stats.len() && typed > 0,
        "{typed} of {} stats entries with id, type and timestamp",
        report.stats.len()
    );
    let log = fixture.log();
    check!(
        log["misuse"] == serde_json::json!([]),
        "misuse {}",
        log["misuse"]
    );
    let calls = &log["calls"];
    check!(
        calls["createOffer"] == serde_json::json!(1)
            && calls["createAnswer"] == serde_json::json!(1)
            && calls["getStats"] == serde_json::json!(1),
        "calls {calls}"
    );
    Ok(())
}

async fn url_only() -> Result<(), String> {
    let fixture = Fixture::new("url-only")?;
    let config = Configuration {
        ice_servers: vec![
            IceServer::new(["stun:127.0.0.1:3478", "stun:127.0.0.1:3479"]),
            IceServer::new("turn:127.0.0.1:3478").with_credentials("user", "secret"),
        ],
        ..Default::default()
    };
    loopback(&config, &Default::default(), false).await?;
    let log = fixture.log();
    let servers = constructed(&log, 0)[0]["iceServers"].clone();
    check!(
        servers
            == serde_json::json!([
                {"url": "stun:127.0.0.1:3478"},
                {"url": "stun:127.0.0.1:3479"},
                {"url": "turn:127.0.0.1:3478", "username": "user", "credential": "secret"},
            ]),
        "ice servers {servers}"
    );
    Ok(())
}

async fn add_stream_only() -> Result<(), String> {
    let fixture = Fixture::new("add-stream-only")?;
    let found = rtcweb::support::implementation();
    check!(!found.add_track && !found.track_event, "{found:?}");
    let report = loopback(&Configuration::default(), &Default::default(), true).await?;
    check!(report.senders == 0, "{} senders", report.senders);
    // One `addstream` event becomes one remote track per track of the stream.
    let kinds: Vec<_> = report
        .remote_tracks
        .iter()
        .map(|t| t.track.kind())
        .collect();
    check!(
        kinds == [MediaKind::Video, MediaKind::Audio],
        "remote tracks {kinds:?} (video, then audio, expected)"
    );
    let stream = report.remote_tracks[0]
        .streams
        .first()
        .ok_or("no remote stream")?;
    check!(
        stream.tracks().len() == 2,
        "{} tracks in the remote stream",
        stream.tracks().len()
    );
    let captured = report.captured.as_ref().ok_or("no capture")?;
    report
        .caller
        .remove_stream(captured.stream())
        .map_err(|e| format!("remove_stream: {e}"))?;
    let log = fixture.log();
    check!(
        log["calls"]["removeStream"] == serde_json::json!(1),
        "calls {}",
        log["calls"]
    );
    check!(
        log["calls"]["addStream"] == serde_json::json!(1),
        "calls {}",
        log["calls"]
    );
    check!(
        log["trackListeners"] == serde_json::json!(0),
        "listened for track events: {}",
        log["trackListeners"]
    );
    Ok(())
}

async fn old_get_user_media_errors() -> Result<(), String> {
    let _fixture = Fixture::new("refusing")?;
    let cases = [
        (
            r#"{"name": "PermissionDeniedError", "message": "no"}"#,
            "NotAllowed",
        ),
        (
            r#"{"name": "PermissionDismissedError", "message": "no"}"#,
            "NotAllowed",
        ),
        (
            r#"{"name": "DevicesNotFoundError", "message": "none"}"#,
            "NotFound",
        ),
        (
            r#"{"name": "TrackStartError", "message": "busy"}"#,
            "NotReadable",
        ),
        (
            r#"{"name": "SourceUnavailableError", "message": "busy"}"#,
            "NotReadable",
        ),
        (
            r#"{"name": "ConstraintNotSatisfiedError", "message": "", "constraintName": "width"}"#,
            "Overconstrained width",
        ),
        (r#""PERMISSION_DENIED""#, "NotAllowed"),
        (r#""NO_DEVICES_FOUND""#, "NotFound"),
        (r#""HARDWARE_UNAVAILABLE""#, "NotReadable"),
    ];
    for (refusal, expected) in cases {
        set_refusal(refusal);
        let result = rtcweb::get_user_media(&MediaConstraints::audio_video()).await;
        let got = match &result {
            Err(Error::NotAllowed(_)) => "NotAllowed".to_owned(),
            Err(Error::NotFound(_)) => "NotFound".to_owned(),
            Err(Error::NotReadable(_)) => "NotReadable".to_owned(),
            Err(Error::Overconstrained { constraint, .. }) => {
                format!("Overconstrained {constraint}")
            }
            Err(other) => format!("{other:?}"),
            Ok(_) => "a capture".to_owned(),
        };
        check!(got == expected, "{refusal}: {got}, expected {expected}");
    }
    Ok(())
}

async fn no_webrtc() -> Result<(), String> {
    let _fixture = Fixture::new("none")?;
    let found = rtcweb::support::implementation();
    check!(
        found.peer_connection.is_none()
            && found.session_description.is_none()
            && found.get_user_media.is_none()
            && !found.promises,
        "{found:?}"
    );
    let pc = PeerConnection::new(&Configuration::default());
    check!(matches!(pc, Err(Error::Unsupported(_))), "{pc:?}");
    let media = rtcweb::get_user_media(&MediaConstraints::audio_video()).await;
    check!(
        matches!(media, Err(Error::Unsupported(_))),
        "{:?}",
        media.map(|_| ())
    );
    Ok(())
}

#[wasm_bindgen_test]
async fn old_browsers_are_handled_without_touching_the_page_for_good() {
    check_modern_page();
    let mut failures = Vec::new();
    macro_rules! scenario {
        ($name:literal, $run:expr) => {
            let result = $run.await;
            if !globals_intact() {
                restore_all();
                failures.push(format!("{}: globals not restored", $name));
            }
            if let Err(e) = result {
                failures.push(format!("{}: {e}", $name));
            }
        };
    }
    scenario!("webkit-prefixed", webkit());
    scenario!("moz-prefixed", moz());
    scenario!("callback-only", callbacks());
    scenario!("webkit-prefixed, callback-only", webkit_callbacks());
    scenario!("url-only ICE servers", url_only());
    scenario!("addStream-only", add_stream_only());
    scenario!("old getUserMedia errors", old_get_user_media_errors());
    scenario!("no WebRTC", no_webrtc());
    check_modern_page();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The real page, for contrast: the standard implementation with promises.
fn check_modern_page() {
    assert!(globals_intact());
    let found = rtcweb::support::implementation();
    assert_eq!(found.peer_connection, Some("RTCPeerConnection"));
    assert!(
        found.promises && found.add_track && found.track_event,
        "{found:?}"
    );
    assert!(
        !found.ice_server_url && !found.description_instances,
        "{found:?}"
    );
    assert_eq!(
        found.get_user_media,
        Some("navigator.mediaDevices.getUserMedia")
    );
}
