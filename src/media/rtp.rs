//! Media over a peer connection: senders, receivers, transceivers, codecs, and remote tracks
//! ([`RTCRtpSender`], [`RTCRtpReceiver`], [`RTCRtpTransceiver`]).
//!
//! [`RTCRtpSender`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpSender
//! [`RTCRtpReceiver`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpReceiver
//! [`RTCRtpTransceiver`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpTransceiver

use web_sys::{RtcRtpReceiver, RtcRtpSender, RtcRtpTransceiver};

use super::stream::MediaStream;
use super::track::MediaTrack;
use crate::error::Error;
use crate::sys;
use crate::types::media::{CodecCapability, MediaKind, RtpCapabilities, TransceiverDirection};
use crate::types::stats::StatsReport;

/// How to create a transceiver ([`RTCRtpTransceiverInit`]).
///
/// ```
/// use rtcweb::media::{TransceiverDirection, TransceiverInit};
///
/// let listen_only = TransceiverInit { direction: TransceiverDirection::RecvOnly, ..Default::default() };
/// assert!(listen_only.streams.is_empty());
/// ```
///
/// [`RTCRtpTransceiverInit`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/addTransceiver#init
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TransceiverInit {
    /// The direction to negotiate.
    pub direction: TransceiverDirection,
    /// The streams the remote peer sees the sent track in.
    pub streams: Vec<MediaStream>,
}

/// Sends one track to the remote peer ([`RTCRtpSender`]).
///
/// ```no_run
/// # async fn run(pc: &rtcweb::PeerConnection, camera: &rtcweb::MediaTrack, other: &rtcweb::MediaTrack) -> Result<(), rtcweb::Error> {
/// let sender = pc.add_track(camera, &[])?;
/// sender.replace_track(Some(other)).await?; // switch cameras, no renegotiation
/// # Ok(()) }
/// ```
///
/// [`RTCRtpSender`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpSender
#[derive(Clone, PartialEq, Eq)]
pub struct RtpSender {
    raw: RtcRtpSender,
}

impl RtpSender {
    /// Wraps a browser sender.
    ///
    /// ```no_run
    /// # fn run(raw: web_sys::RtcRtpSender) {
    /// let sender = rtcweb::media::RtpSender::from_raw(raw);
    /// # }
    /// ```
    pub fn from_raw(raw: RtcRtpSender) -> Self {
        RtpSender { raw }
    }

    /// The browser's sender.
    ///
    /// ```no_run
    /// # fn run(sender: &rtcweb::media::RtpSender) {
    /// let raw: &web_sys::RtcRtpSender = sender.as_raw();
    /// # }
    /// ```
    pub fn as_raw(&self) -> &RtcRtpSender {
        &self.raw
    }

    /// The track being sent, if any ([`track`](https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpSender/track)).
    ///
    /// ```no_run
    /// # fn run(sender: &rtcweb::media::RtpSender) {
    /// let sending = sender.track().is_some();
    /// # }
    /// ```
    pub fn track(&self) -> Option<MediaTrack> {
        sys::rtp::object(&self.raw, "track").map(MediaTrack::from_raw)
    }

    /// Sends another track (or nothing, with `None`) in place of the current one, without
    /// renegotiation: the remote keeps receiving on the same track
    /// ([`replaceTrack`](https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpSender/replaceTrack)).
    ///
    /// # Errors
    /// [`Error::Type`] for a track of the other kind; [`Error::InvalidModification`] when the
    /// new track would need renegotiation; [`Error::InvalidState`] when the connection or
    /// transceiver is closed; [`Error::Unsupported`] in browsers without it.
    ///
    /// ```no_run
    /// # async fn run(sender: &rtcweb::media::RtpSender, back_camera: &rtcweb::MediaTrack) -> Result<(), rtcweb::Error> {
    /// sender.replace_track(Some(back_camera)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn replace_track(&self, track: Option<&MediaTrack>) -> Result<(), Error> {
        sys::rtp::replace_track(&self.raw, track.map(MediaTrack::as_raw)).await
    }

    /// The codecs and extensions this browser can send for `kind`
    /// ([`RTCRtpSender.getCapabilities`](https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpSender/getCapabilities_static));
    /// `None` where the browser lacks it.
    ///
    /// ```no_run
    /// let audio = rtcweb::media::RtpSender::capabilities(rtcweb::media::MediaKind::Audio);
    /// ```
    pub fn capabilities(kind: MediaKind) -> Option<RtpCapabilities> {
        sys::rtp::capabilities("RTCRtpSender", kind)
    }

    /// Statistics of what this sender sends ([`getStats`](https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpSender/getStats)).
    ///
    /// # Errors
    /// [`Error::Unsupported`] in browsers without it.
    ///
    /// ```no_run
    /// # async fn run(sender: &rtcweb::media::RtpSender) -> Result<(), rtcweb::Error> {
    /// let sent = sender.stats().await?.outbound_rtp();
    /// # Ok(()) }
    /// ```
    pub async fn stats(&self) -> Result<StatsReport, Error> {
        sys::stats::rtp_stats(self.as_raw())
            .await
            .map(StatsReport::new)
    }
}

impl std::fmt::Debug for RtpSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RtpSender")
            .field("track", &self.track())
            .finish()
    }
}

/// Receives one track from the remote peer ([`RTCRtpReceiver`]).
///
/// ```no_run
/// # fn run(receiver: &rtcweb::media::RtpReceiver) {
/// println!("receiving {:?}", receiver.track().kind());
/// # }
/// ```
///
/// [`RTCRtpReceiver`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpReceiver
#[derive(Clone, PartialEq, Eq)]
pub struct RtpReceiver {
    raw: RtcRtpReceiver,
}

impl RtpReceiver {
    /// Wraps a browser receiver.
    ///
    /// ```no_run
    /// # fn run(raw: web_sys::RtcRtpReceiver) {
    /// let receiver = rtcweb::media::RtpReceiver::from_raw(raw);
    /// # }
    /// ```
    pub fn from_raw(raw: RtcRtpReceiver) -> Self {
        RtpReceiver { raw }
    }

    /// The browser's receiver.
    ///
    /// ```no_run
    /// # fn run(receiver: &rtcweb::media::RtpReceiver) {
    /// let raw: &web_sys::RtcRtpReceiver = receiver.as_raw();
    /// # }
    /// ```
    pub fn as_raw(&self) -> &RtcRtpReceiver {
        &self.raw
    }

    /// The track that plays what arrives; it exists (muted) before anything does
    /// ([`track`](https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpReceiver/track)).
    ///
    /// ```no_run
    /// # fn run(receiver: &rtcweb::media::RtpReceiver) {
    /// let remote = receiver.track();
    /// # }
    /// ```
    pub fn track(&self) -> MediaTrack {
        MediaTrack::from_raw(wasm_bindgen::JsCast::unchecked_into(sys::get(
            &self.raw, "track",
        )))
    }

    /// The codecs and extensions this browser can receive for `kind`
    /// ([`RTCRtpReceiver.getCapabilities`](https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpReceiver/getCapabilities_static));
    /// `None` where the browser lacks it.
    ///
    /// ```no_run
    /// let video = rtcweb::media::RtpReceiver::capabilities(rtcweb::media::MediaKind::Video);
    /// ```
    pub fn capabilities(kind: MediaKind) -> Option<RtpCapabilities> {
        sys::rtp::capabilities("RTCRtpReceiver", kind)
    }

    /// Statistics of what this receiver receives ([`getStats`](https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpReceiver/getStats)).
    ///
    /// # Errors
    /// [`Error::Unsupported`] in browsers without it.
    ///
    /// ```no_run
    /// # async fn run(receiver: &rtcweb::media::RtpReceiver) -> Result<(), rtcweb::Error> {
    /// let received = receiver.stats().await?.inbound_rtp();
    /// # Ok(()) }
    /// ```
    pub async fn stats(&self) -> Result<StatsReport, Error> {
        sys::stats::rtp_stats(self.as_raw())
            .await
            .map(StatsReport::new)
    }
}

impl std::fmt::Debug for RtpReceiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RtpReceiver").finish_non_exhaustive()
    }
}

/// A sender and a receiver sharing one media section of the session ([`RTCRtpTransceiver`]).
///
/// ```no_run
/// use rtcweb::media::{MediaKind, TransceiverDirection, TransceiverInit};
/// # fn run(pc: &rtcweb::PeerConnection) -> Result<(), rtcweb::Error> {
/// let init = TransceiverInit { direction: TransceiverDirection::RecvOnly, ..Default::default() };
/// let video_in = pc.add_transceiver(MediaKind::Video, &init)?;
/// # Ok(()) }
/// ```
///
/// [`RTCRtpTransceiver`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpTransceiver
#[derive(Clone, PartialEq, Eq)]
pub struct Transceiver {
    raw: RtcRtpTransceiver,
}

impl Transceiver {
    /// Wraps a browser transceiver.
    ///
    /// ```no_run
    /// # fn run(raw: web_sys::RtcRtpTransceiver) {
    /// let transceiver = rtcweb::media::Transceiver::from_raw(raw);
    /// # }
    /// ```
    pub fn from_raw(raw: RtcRtpTransceiver) -> Self {
        Transceiver { raw }
    }

    /// The browser's transceiver.
    ///
    /// ```no_run
    /// # fn run(t: &rtcweb::media::Transceiver) {
    /// let raw: &web_sys::RtcRtpTransceiver = t.as_raw();
    /// # }
    /// ```
    pub fn as_raw(&self) -> &RtcRtpTransceiver {
        &self.raw
    }

    /// The media section's id once negotiated ([`mid`](https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpTransceiver/mid)).
    ///
    /// ```no_run
    /// # fn run(t: &rtcweb::media::Transceiver) {
    /// let negotiated = t.mid().is_some();
    /// # }
    /// ```
    pub fn mid(&self) -> Option<String> {
        sys::get_string(&self.raw, "mid")
    }

    /// The direction this side asks for ([`direction`](https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpTransceiver/direction)).
    ///
    /// ```no_run
    /// # fn run(t: &rtcweb::media::Transceiver) {
    /// let sending = t.direction().sends();
    /// # }
    /// ```
    pub fn direction(&self) -> TransceiverDirection {
        sys::state(&self.raw, "direction").unwrap_or(TransceiverDirection::Stopped)
    }

    /// Asks for another direction; it takes effect after the next negotiation (a
    /// `negotiationneeded` event follows).
    ///
    /// # Errors
    /// [`Error::InvalidState`] when the transceiver is stopped; [`Error::Type`] for
    /// [`TransceiverDirection::Stopped`] (use [`stop`](Self::stop)).
    ///
    /// ```no_run
    /// # fn run(t: &rtcweb::media::Transceiver) -> Result<(), rtcweb::Error> {
    /// t.set_direction(rtcweb::media::TransceiverDirection::Inactive)?; // hold
    /// # Ok(()) }
    /// ```
    pub fn set_direction(&self, direction: TransceiverDirection) -> Result<(), Error> {
        sys::rtp::set_direction(&self.raw, direction.as_str())
    }

    /// The direction the last negotiation settled on; `None` before one
    /// ([`currentDirection`](https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpTransceiver/currentDirection)).
    ///
    /// ```no_run
    /// # fn run(t: &rtcweb::media::Transceiver) {
    /// let flowing = t.current_direction().is_some_and(|d| d.receives());
    /// # }
    /// ```
    pub fn current_direction(&self) -> Option<TransceiverDirection> {
        sys::state(&self.raw, "currentDirection")
    }

    /// The sender half.
    ///
    /// ```no_run
    /// # fn run(t: &rtcweb::media::Transceiver) {
    /// let track = t.sender().track();
    /// # }
    /// ```
    pub fn sender(&self) -> RtpSender {
        RtpSender::from_raw(wasm_bindgen::JsCast::unchecked_into(sys::get(
            &self.raw, "sender",
        )))
    }

    /// The receiver half.
    ///
    /// ```no_run
    /// # fn run(t: &rtcweb::media::Transceiver) {
    /// let remote = t.receiver().track();
    /// # }
    /// ```
    pub fn receiver(&self) -> RtpReceiver {
        RtpReceiver::from_raw(wasm_bindgen::JsCast::unchecked_into(sys::get(
            &self.raw, "receiver",
        )))
    }

    /// Stops sending and receiving for good; the media section is rejected at the next
    /// negotiation ([`stop`](https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpTransceiver/stop)).
    ///
    /// # Errors
    /// [`Error::InvalidState`] when the connection is closed; [`Error::Unsupported`] in
    /// browsers without it.
    ///
    /// ```no_run
    /// # fn run(t: &rtcweb::media::Transceiver) -> Result<(), rtcweb::Error> {
    /// t.stop()?;
    /// # Ok(()) }
    /// ```
    pub fn stop(&self) -> Result<(), Error> {
        sys::rtp::stop_transceiver(&self.raw)
    }

    /// Sets the codecs to negotiate, favourite first; an empty list restores the browser's
    /// default. Takes effect at the next negotiation
    /// ([`setCodecPreferences`](https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpTransceiver/setCodecPreferences)).
    /// The codecs must come from [`RtpReceiver::capabilities`].
    ///
    /// # Errors
    /// [`Error::InvalidModification`] (or [`Error::InvalidAccess`] in older browsers) for a
    /// codec the browser cannot receive or a list of only auxiliary formats;
    /// [`Error::Unsupported`] in browsers without it (Firefox before 128).
    ///
    /// ```no_run
    /// use rtcweb::media::{MediaKind, RtpReceiver};
    /// # fn run(t: &rtcweb::media::Transceiver) -> Result<(), rtcweb::Error> {
    /// if let Some(order) = RtpReceiver::capabilities(MediaKind::Video).and_then(|c| c.preferring(&["video/VP9"])) {
    ///     t.set_codec_preferences(&order)?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn set_codec_preferences(&self, codecs: &[CodecCapability]) -> Result<(), Error> {
        sys::rtp::set_codec_preferences(&self.raw, codecs)
    }

    /// Prefers the codecs of `mime_types` (such as `"video/VP9"`), in that order, over the
    /// others the browser can receive: [`RtpCapabilities::preferring`] on the receive
    /// capabilities of `kind`, then [`set_codec_preferences`](Self::set_codec_preferences).
    ///
    /// # Errors
    /// [`Error::Unsupported`] when the browser has none of them, or cannot set codec
    /// preferences.
    ///
    /// ```no_run
    /// # fn run(t: &rtcweb::media::Transceiver) -> Result<(), rtcweb::Error> {
    /// t.prefer_codecs(rtcweb::media::MediaKind::Audio, &["audio/opus"])?;
    /// # Ok(()) }
    /// ```
    pub fn prefer_codecs(&self, kind: MediaKind, mime_types: &[&str]) -> Result<(), Error> {
        let capabilities = RtpReceiver::capabilities(kind).ok_or_else(|| {
            Error::Unsupported("this browser does not list its codecs (no getCapabilities)".into())
        })?;
        let order = capabilities.preferring(mime_types).ok_or_else(|| {
            Error::Unsupported(format!("this browser cannot receive any of {mime_types:?}"))
        })?;
        self.set_codec_preferences(&order)
    }
}

impl std::fmt::Debug for Transceiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transceiver")
            .field("mid", &self.mid())
            .field("direction", &self.direction())
            .finish()
    }
}

/// A track the remote peer started sending, with the streams it put it in (the [`track`]
/// event).
///
/// ```no_run
/// use futures::StreamExt;
/// # async fn run(pc: &rtcweb::PeerConnection, video: &web_sys::HtmlMediaElement) -> Result<(), rtcweb::Error> {
/// let mut tracks = pc.tracks();
/// while let Some(remote) = tracks.next().await {
///     if let Some(stream) = remote.streams.first() {
///         stream.attach(video, &rtcweb::media::AttachOptions::default())?;
///     }
/// }
/// # Ok(()) }
/// ```
///
/// [`track`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/track_event
#[derive(Debug, Clone)]
pub struct RemoteTrack {
    /// The track.
    pub track: MediaTrack,
    /// The streams the sender associated it with (empty when it gave none).
    pub streams: Vec<MediaStream>,
    /// The receiver that receives it.
    pub receiver: Option<RtpReceiver>,
    /// The transceiver it arrived on.
    pub transceiver: Option<Transceiver>,
}
