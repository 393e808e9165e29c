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
    Configuration, DataChannelOptions, Error, IceServer, MediaConstraints, MediaKind, Message,
    OfferOptions, PeerConnection, RemoteTrack,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
// What the page had when this module loaded, before any fixture.
const WINDOW_NAMES = ["RTCPeerConnection", "webkitRTCPeerConnection", "mozRTCPeerConnection",
                      "RTCSessionDescription", "mozRTCSessionDescription",
                      "RTCIceCandidate", "mozRTCIceCandidate"];
const NAVIGATOR_NAMES = ["mediaDevices", "getUserMedia", "webkitGetUserMedia", "mozGetUserMedia"];
const initial = {
  window: WINDOW_NAMES.map((n) => [n, Object.getOwnPropertyDescriptor(window, n), window[n]]),
  navigator: NAVIGATOR_NAMES.map((n) => [n, Object.getOwnPropertyDescriptor(navigator, n),
                                         navigator[n]]),
};
const RealPC = window.RTCPeerConnection;
const RealSD = window.RTCSessionDescription;
const RealIC = window.RTCIceCandidate;
const realGetUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);

const undos = [];
function override(target, key, value) {
  const own = Object.getOwnPropertyDescriptor(target, key);
  Object.defineProperty(target, key, { value, configurable: true, writable: true });
  undos.push(() => {
    if (own) Object.defineProperty(target, key, own); else delete target[key];
  });
}

export function restore_all() {
  while (undos.length) undos.pop()();
}

// Whether every global a fixture touches is as it was when the module loaded.
export function globals_intact() {
  const same = (target, [name, descriptor, value]) => {
    const now = Object.getOwnPropertyDescriptor(target, name);
    return target[name] === value && (now === undefined) === (descriptor === undefined);
  };
  return initial.window.every((e) => same(window, e)) &&
         initial.navigator.every((e) => same(navigator, e));
}

function hide_all() {
  WINDOW_NAMES.forEach((n) => override(window, n, undefined));
  NAVIGATOR_NAMES.forEach((n) => override(navigator, n, undefined));
}

// Old-style session descriptions and candidates (mozRTCSessionDescription, mozRTCIceCandidate).
function MozSD(init) {
  this.type = init && init.type;
  this.sdp = init && init.sdp;
}
MozSD.prototype.toJSON = function () { return { type: this.type, sdp: this.sdp }; };
function MozIC(init) {
  this.candidate = init && init.candidate;
  this.sdpMid = init && init.sdpMid;
  this.sdpMLineIndex = init && init.sdpMLineIndex;
}
MozIC.prototype.toJSON = function () {
  return { candidate: this.candidate, sdpMid: this.sdpMid, sdpMLineIndex: this.sdpMLineIndex };
};

const plainDescription = (d) => ({ type: d.type, sdp: d.sdp });
const plainCandidate = (c) => {
  const init = { candidate: c.candidate };
  if (c.sdpMid !== undefined && c.sdpMid !== null) init.sdpMid = c.sdpMid;
  if (c.sdpMLineIndex !== undefined && c.sdpMLineIndex !== null) init.sdpMLineIndex = c.sdpMLineIndex;
  return init;
};

// A legacy peer connection class around the real one. Options:
//   callbacks: only callback-form async methods (createOffer(success, failure, constraints)...)
//   instances: { sd, ic } classes that descriptions and candidates must be instances of
//   urlOnly: the constructor refuses iceServers[].urls and requires url
//   addStreamOnly: no addTrack, no ontrack / track event; addStream and onaddstream instead
function legacyClass(opts) {
  const real = RealPC.prototype;
  const proto = Object.create(real);
  const log = { constructed: [], misuse: [], calls: {}, offerConstraints: [], trackListeners: 0 };
  const count = (name) => { log.calls[name] = (log.calls[name] || 0) + 1; };
  const need = (value, Class, what) => {
    if (Class && !(value instanceof Class)) {
      log.misuse.push(what + " not an instance");
      throw new TypeError(what + " must be an instance of " + Class.name);
    }
  };
  function Legacy(config, constraints) {
    log.constructed.push(JSON.stringify([config === undefined ? null : config,
                                         constraints === undefined ? null : constraints]));
    const servers = (config && config.iceServers) || [];
    if (opts.urlOnly && servers.some((s) => "urls" in s || typeof s.url !== "string")) {
      throw new TypeError("this browser knows only iceServers[].url");
    }
    // The real implementation takes urls.
    const modern = Object.assign({}, config, {
      iceServers: servers.map((s) => {
        const m = { urls: s.urls !== undefined ? s.urls : s.url };
        if (s.username !== undefined) m.username = s.username;
        if (s.credential !== undefined) m.credential = s.credential;
        return m;
      }),
    });
    const pc = new RealPC(modern);
    Object.setPrototypeOf(pc, proto);
    // Chromium still fires its own legacy `addstream` events; elsewhere the fixture does.
    if (opts.addStreamOnly && !("onaddstream" in real)) {
      const seen = new Set();
      EventTarget.prototype.addEventListener.call(pc, "track", (e) => {
        for (const stream of e.streams) {
          if (seen.has(stream.id)) continue;
          seen.add(stream.id);
          const event = new Event("addstream");
          event.stream = stream;
          pc.dispatchEvent(event);
          if (typeof pc.onaddstream === "function") pc.onaddstream(event);
        }
      });
    }
    return pc;
  }
  Legacy.prototype = proto;
  Object.defineProperty(proto, "constructor", { value: Legacy, configurable: true });
  const define = (name, value) =>
    Object.defineProperty(proto, name, { value, configurable: true, writable: true });

  if (opts.callbacks) {
    const callbackMethod = (name, run) => function (first, second, third) {
      count(name);
      // createOffer/createAnswer(success, failure, constraints); others (arg, success, failure)
      const withArg = name !== "createOffer" && name !== "createAnswer";
      const [arg, success, failure, extra] = withArg ? [first, second, third, undefined]
                                                      : [undefined, first, second, third];
      if (typeof success !== "function" || typeof failure !== "function") {
        log.misuse.push(name + " called without callbacks");
        throw new TypeError(name + " needs success and failure callbacks");
      }
      run.call(this, arg, extra).then(success, failure);
      return undefined;
    };
    define("createOffer", callbackMethod("createOffer", function (_, constraints) {
      log.offerConstraints.push(JSON.stringify(constraints === undefined ? null : constraints));
      return real.createOffer.call(this);
    }));
    define("createAnswer", callbackMethod("createAnswer", function () {
      return real.createAnswer.call(this).then((d) => d);
    }));
    define("setLocalDescription", callbackMethod("setLocalDescription", function (d) {
      need(d, RealSD, "description");
      return real.setLocalDescription.call(this, plainDescription(d)).then(() => undefined);
    }));
    define("setRemoteDescription", callbackMethod("setRemoteDescription", function (d) {
      need(d, RealSD, "description");
      return real.setRemoteDescription.call(this, plainDescription(d)).then(() => undefined);
    }));
    define("addIceCandidate", callbackMethod("addIceCandidate", function (c) {
      need(c, RealIC, "candidate");
      return real.addIceCandidate.call(this, plainCandidate(c)).then(() => undefined);
    }));
    if (opts.chromeStats) {
      // Old Chrome: getStats(successCallback, optional selector), length 1, answering with an
      // RTCStatsResponse whose reports give their values as strings through names()/stat().
      define("getStats", function (success) {
        count("getStats");
        if (typeof success !== "function") {
          log.misuse.push("getStats called without a success callback first");
          throw new TypeError("getStats needs a success callback");
        }
        real.getStats.call(this, arguments[1] || null).then((report) => {
          const list = [];
          report.forEach((stats) => list.push({
            id: stats.id,
            type: stats.type,
            timestamp: new Date(stats.timestamp),
            names: () => Object.keys(stats).filter((k) => !["id", "type", "timestamp"].includes(k)),
            stat: (name) => String(stats[name]),
          }));
          success({ result: () => list });
        });
        return undefined;
      });
    } else {
      define("getStats", callbackMethod("getStats", function (selector) {
        return real.getStats.call(this, selector || null);
      }));
    }
  } else if (opts.instances) {
    const { sd, ic } = opts.instances;
    define("setLocalDescription", function (d) {
      count("setLocalDescription");
      need(d, sd, "description");
      return real.setLocalDescription.call(this, plainDescription(d));
    });
    define("setRemoteDescription", function (d) {
      count("setRemoteDescription");
      need(d, sd, "description");
      return real.setRemoteDescription.call(this, plainDescription(d));
    });
    define("addIceCandidate", function (c) {
      count("addIceCandidate");
      need(c, ic, "candidate");
      return real.addIceCandidate.call(this, plainCandidate(c));
    });
  }
  if (opts.addStreamOnly) {
    define("addTrack", undefined);
    define("ontrack", undefined);
    if (!("onaddstream" in real)) define("onaddstream", null);
    define("addStream", function (stream) {
      count("addStream");
      for (const track of stream.getTracks()) real.addTrack.call(this, track, stream);
    });
    define("removeStream", function (stream) {
      count("removeStream");
      const tracks = stream.getTracks();
      for (const sender of real.getSenders.call(this)) {
        if (tracks.includes(sender.track)) real.removeTrack.call(this, sender);
      }
    });
    define("addEventListener", function (type, listener, options) {
      if (type === "track") { log.trackListeners += 1; return; }
      return EventTarget.prototype.addEventListener.call(this, type, listener, options);
    });
  }
  return { Legacy, log };
}

function legacyGetUserMedia(constraints, ok, fail) {
  realGetUserMedia(constraints).then(ok, fail);
}

let currentLog = null;

// Builds the page of an old browser; returns nothing, `fixture_log()` reports on it.
export function pretend(kind) {
  restore_all();
  hide_all();
  let made;
  switch (kind) {
    case "webkit":
      // Chrome 51-55: webkitRTCPeerConnection with promises, unprefixed description and
      // candidate classes, navigator.webkitGetUserMedia.
      made = legacyClass({});
      override(window, "webkitRTCPeerConnection", made.Legacy);
      override(window, "RTCSessionDescription", RealSD);
      override(window, "RTCIceCandidate", RealIC);
      override(navigator, "webkitGetUserMedia", legacyGetUserMedia);
      break;
    case "webkit-callbacks":
      // Chrome before 51: webkitRTCPeerConnection with callback-only methods and its own
      // getStats(success, selector).
      made = legacyClass({ callbacks: true, chromeStats: true });
      override(window, "webkitRTCPeerConnection", made.Legacy);
      override(window, "RTCSessionDescription", RealSD);
      override(window, "RTCIceCandidate", RealIC);
      override(navigator, "webkitGetUserMedia", legacyGetUserMedia);
      break;
    case "moz":
      // Firefox before 44: everything moz-prefixed, instances required.
      made = legacyClass({ instances: { sd: MozSD, ic: MozIC } });
      override(window, "mozRTCPeerConnection", made.Legacy);
      override(window, "mozRTCSessionDescription", MozSD);
      override(window, "mozRTCIceCandidate", MozIC);
      override(navigator, "mozGetUserMedia", legacyGetUserMedia);
      break;
    case "callbacks":
      // The 2013 specification: callback-only methods taking instances.
      made = legacyClass({ callbacks: true });
      override(window, "RTCPeerConnection", made.Legacy);
      override(window, "RTCSessionDescription", RealSD);
      override(window, "RTCIceCandidate", RealIC);
      break;
    case "url-only":
      made = legacyClass({ urlOnly: true });
      override(window, "webkitRTCPeerConnection", made.Legacy);
      override(window, "RTCSessionDescription", RealSD);
      override(window, "RTCIceCandidate", RealIC);
      break;
    case "add-stream-only":
      made = legacyClass({ addStreamOnly: true });
      override(window, "RTCPeerConnection", made.Legacy);
      override(window, "RTCSessionDescription", RealSD);
      override(window, "RTCIceCandidate", RealIC);
      override(navigator, "mediaDevices", initial.navigator[0][2]);
      break;
    case "refusing":
      // An old browser whose callback getUserMedia fails with `refusal` (see set_refusal).
      override(navigator, "webkitGetUserMedia", (c, ok, fail) => setTimeout(() => fail(refusal), 0));
      made = { log: null };
      break;
    case "none":
      made = { log: null };
      break;
    default:
      throw new Error("unknown fixture " + kind);
  }
  currentLog = made.log;
}

let refusal = null;
// What the "refusing" fixture fails with: a JSON value (an error-like object or a string).
export function set_refusal(json) {
  refusal = JSON.parse(json);
}

// The fixture's record as JSON: constructor arguments, misuse, call counts.
export function fixture_log() {
  return JSON.stringify(currentLog);
}
"#)]
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
    stats: Vec<rtcweb::RawStats>,
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
    let found = rtcweb::implementation();
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
    let found = rtcweb::implementation();
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
    let found = rtcweb::implementation();
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
    let found = rtcweb::implementation();
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
    let found = rtcweb::implementation();
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
    let found = rtcweb::implementation();
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
    let found = rtcweb::implementation();
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
