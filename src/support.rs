//! Which WebRTC implementation the page has, for diagnostics.
//!
//! rtcweb resolves the browser's implementation on every call, in its private `sys` layer:
//! the standard constructors or their vendor-prefixed twins, the promise or the callback forms
//! of the asynchronous methods, `urls` or the singular `url` of ICE servers, `addTrack` or
//! `addStream`. [`implementation`] reports what those decisions would be now, without creating
//! a connection or touching the page.

use crate::sys;

/// What [`implementation`] found.
///
/// ```no_run
/// let found = rtcweb::support::implementation();
/// match found.peer_connection {
///     Some(name) => println!("WebRTC through {name}, promises: {}", found.promises),
///     None => println!("no WebRTC in this browser"),
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Implementation {
    /// The peer connection constructor: `"RTCPeerConnection"`, `"webkitRTCPeerConnection"` or
    /// `"mozRTCPeerConnection"`; `None` without WebRTC.
    pub peer_connection: Option<&'static str>,
    /// `"RTCSessionDescription"` or `"mozRTCSessionDescription"`.
    pub session_description: Option<&'static str>,
    /// `"RTCIceCandidate"` or `"mozRTCIceCandidate"`.
    pub ice_candidate: Option<&'static str>,
    /// Whether the connection's asynchronous methods are called in their promise form
    /// (`false`: the callback form of old browsers, detected by `createOffer.length >= 2`).
    pub promises: bool,
    /// Whether ICE servers are given with a singular `url` per entry (prefixed constructors)
    /// rather than `urls`.
    pub ice_server_url: bool,
    /// Whether session descriptions and candidates are passed as `RTCSessionDescription` /
    /// `RTCIceCandidate` instances (old implementations) rather than plain dictionaries.
    pub description_instances: bool,
    /// Whether connections have `addTrack` (`false`: only the legacy `addStream`).
    pub add_track: bool,
    /// Whether connections fire `track` events (`false`: the legacy `addstream`).
    pub track_event: bool,
    /// The `getUserMedia` that capture uses: `"navigator.mediaDevices.getUserMedia"`,
    /// `"navigator.getUserMedia"`, `"navigator.webkitGetUserMedia"` or
    /// `"navigator.mozGetUserMedia"`; `None` without one, or on an insecure page.
    pub get_user_media: Option<&'static str>,
}

/// Reports the WebRTC implementation this page has, as rtcweb would use it now.
///
/// It reads the global object and the peer connection constructor's prototype; it creates
/// nothing.
///
/// ```no_run
/// let found = rtcweb::support::implementation();
/// println!("{found:?}");
/// ```
pub fn implementation() -> Implementation {
    let probe = sys::legacy::probe();
    Implementation {
        peer_connection: probe.peer_connection,
        session_description: probe.session_description,
        ice_candidate: probe.ice_candidate,
        promises: probe.promises,
        ice_server_url: probe.ice_server_url,
        description_instances: probe.description_instances,
        add_track: probe.add_track,
        track_event: probe.track_event,
        get_user_media: sys::devices::get_user_media_name(),
    }
}
