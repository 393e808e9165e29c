//! Helpers shared by the browser tests: connected pairs of peer connections in one page.

use std::rc::Rc;

use futures::channel::mpsc;
use futures::StreamExt;
use rtcweb::signaling::Database;
use rtcweb::{
    peer::PeerConnectionState, Configuration, DataChannel, Error, IceCandidate, PeerConnection,
};
use wasm_bindgen_futures::spawn_local;

/// Forwards every candidate `from` gathers to `to`, reporting each one and the result of
/// adding it on the returned channel.
pub fn trickle(
    from: &Rc<PeerConnection>,
    to: &Rc<PeerConnection>,
) -> mpsc::UnboundedReceiver<(IceCandidate, Result<(), Error>)> {
    let (report, reports) = mpsc::unbounded();
    let mut candidates = from.ice_candidates();
    let to = Rc::downgrade(to);
    spawn_local(async move {
        while let Some(candidate) = candidates.next().await {
            let Some(to) = to.upgrade() else { break };
            let result = to.add_ice_candidate(&candidate).await;
            let _ = report.unbounded_send((candidate, result));
        }
    });
    reports
}

/// One offer/answer exchange from `offerer` to `answerer`.
pub async fn negotiate(offerer: &PeerConnection, answerer: &PeerConnection) -> Result<(), Error> {
    let offer = offerer.create_offer(&Default::default()).await?;
    offerer.set_local_description(&offer).await?;
    answerer.set_remote_description(&offer).await?;
    let answer = answerer.create_answer().await?;
    answerer.set_local_description(&answer).await?;
    offerer.set_remote_description(&answer).await
}

/// Two connections with candidates trickling both ways.
pub fn pair() -> (Rc<PeerConnection>, Rc<PeerConnection>) {
    let a = Rc::new(PeerConnection::new(&Configuration::default()).expect("a"));
    let b = Rc::new(PeerConnection::new(&Configuration::default()).expect("b"));
    drop(trickle(&a, &b));
    drop(trickle(&b, &a));
    (a, b)
}

/// A connected pair with an open channel `label` on each side.
pub async fn connected_channel(
    options: &rtcweb::DataChannelOptions,
) -> (
    Rc<PeerConnection>,
    Rc<PeerConnection>,
    DataChannel,
    DataChannel,
) {
    let (a, b) = pair();
    let mut incoming = b.data_channels();
    let local = a.create_data_channel(options).expect("create channel");
    negotiate(&a, &b).await.expect("negotiate");
    local.opened().await.expect("local channel opens");
    let remote = incoming.next().await.expect("remote channel arrives");
    remote.opened().await.expect("remote channel opens");
    (a, b, local, remote)
}

/// Waits until `pc` reports `state`, checking the current state first.
pub async fn wait_for_state(pc: &PeerConnection, state: PeerConnectionState) {
    let mut changes = pc.connection_state_changes();
    while pc.connection_state() != state {
        if changes.next().await.is_none() {
            panic!("connection closed before reaching {state}");
        }
    }
}

/// The `a=ice-ufrag` line of an SDP: it identifies the ICE session, which browsers keep even
/// where they rewrite other lines of a description.
pub fn ice_ufrag(sdp: &str) -> Option<String> {
    sdp.lines()
        .find(|l| l.starts_with("a=ice-ufrag:"))
        .map(str::to_owned)
}

/// The test server (rtcweb-signal), as `scripts/test.sh` starts it.
pub const DB: &str = match option_env!("RTCWEB_TEST_DB") {
    Some(url) => url,
    None => "http://127.0.0.1:18461",
};
/// The controller that restarts it (and pauses coturn).
pub const CONTROL: &str = match option_env!("RTCWEB_TEST_CONTROL") {
    Some(url) => url,
    None => "http://127.0.0.1:18462",
};
/// The test server's database. When nothing answers at `DB`, the test stops with one line
/// that says how to start the server, instead of an `unwrap` on a network error later.
pub async fn database() -> Database {
    let probe = gloo_net::http::Request::get(&format!("{DB}/.json?shallow=true"))
        .send()
        .await;
    if probe.is_err() {
        panic!(
            "rtcweb-signal is not running at {DB}: start it with `scripts/test-server.sh` \
             (scripts/test.sh does this by itself)"
        );
    }
    Database::new(DB)
}

/// A fresh location name, so reruns and parallel browsers never collide.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", (js_sys::Math::random() * 1e12) as u64)
}

/// Waits `ms` milliseconds.
pub async fn sleep(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}
