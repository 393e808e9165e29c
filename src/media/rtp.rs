//! Media over a peer connection: senders, receivers, transceivers, codecs, and remote tracks
//! ([`RTCRtpSender`], [`RTCRtpReceiver`], [`RTCRtpTransceiver`]).
//!
//! [`RTCRtpSender`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpSender
//! [`RTCRtpReceiver`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpReceiver
//! [`RTCRtpTransceiver`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpTransceiver

use wasm_bindgen::JsValue;
use web_sys::{RtcRtpReceiver, RtcRtpSender, RtcRtpTransceiver};

use super::{MediaKind, MediaStream, MediaTrack};
use crate::{sys, Error, EventStream, PeerConnection};

string_enum! {
    /// Whether a transceiver sends, receives, both or neither ([`direction`]).
    ///
    /// ```
    /// use rtcweb::TransceiverDirection;
    /// assert!(TransceiverDirection::SendRecv.sends() && TransceiverDirection::SendRecv.receives());
    /// assert!(!TransceiverDirection::RecvOnly.sends());
    /// ```
    ///
    /// [`direction`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpTransceiver/direction
    #[derive(Default)]
    pub enum TransceiverDirection("transceiver direction") {
        /// Send and receive.
        #[default]
        SendRecv = "sendrecv",
        /// Only send.
        SendOnly = "sendonly",
        /// Only receive.
        RecvOnly = "recvonly",
        /// Neither, but keep the slot in the session.
        Inactive = "inactive",
        /// Stopped for good.
        Stopped = "stopped",
    }
}

impl TransceiverDirection {
    /// Whether media is sent in this direction.
    ///
    /// ```
    /// assert!(rtcweb::TransceiverDirection::SendOnly.sends());
    /// ```
    pub fn sends(self) -> bool {
        matches!(
            self,
            TransceiverDirection::SendRecv | TransceiverDirection::SendOnly
        )
    }

    /// Whether media is received in this direction.
    ///
    /// ```
    /// assert!(rtcweb::TransceiverDirection::RecvOnly.receives());
    /// ```
    pub fn receives(self) -> bool {
        matches!(
            self,
            TransceiverDirection::SendRecv | TransceiverDirection::RecvOnly
        )
    }
}

/// How to create a transceiver ([`RTCRtpTransceiverInit`]).
///
/// ```
/// use rtcweb::{TransceiverDirection, TransceiverInit};
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

/// A codec the browser can send or receive ([`RTCRtpCodecCapability`]).
///
/// ```
/// let vp8 = rtcweb::CodecCapability {
///     mime_type: "video/VP8".into(),
///     clock_rate: 90000,
///     channels: None,
///     sdp_fmtp_line: None,
/// };
/// assert!(!vp8.is_auxiliary());
/// ```
///
/// [`RTCRtpCodecCapability`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpReceiver/getCapabilities_static#codecs
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CodecCapability {
    /// Such as `video/VP8` or `audio/opus`.
    pub mime_type: String,
    /// Ticks per second of the RTP clock.
    pub clock_rate: u32,
    /// Audio channels.
    pub channels: Option<u16>,
    /// The codec's `a=fmtp` parameters, such as an H.264 profile.
    pub sdp_fmtp_line: Option<String>,
}

impl CodecCapability {
    /// Whether this is a helper format rather than a media codec: retransmission (`rtx`),
    /// redundancy (`red`), forward error correction (`ulpfec`, `flexfec-03`) or comfort noise
    /// (`CN`), telephone events (`telephone-event`).
    ///
    /// ```
    /// let rtx = rtcweb::CodecCapability { mime_type: "video/rtx".into(), clock_rate: 90000, channels: None, sdp_fmtp_line: None };
    /// assert!(rtx.is_auxiliary());
    /// ```
    pub fn is_auxiliary(&self) -> bool {
        let name = self
            .mime_type
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        matches!(
            name.as_str(),
            "rtx" | "red" | "ulpfec" | "flexfec-03" | "cn" | "telephone-event"
        )
    }
}

/// What a browser can send or receive for one kind of media
/// ([`getCapabilities`](https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpReceiver/getCapabilities_static)).
///
/// ```no_run
/// use rtcweb::{MediaKind, RtpReceiver};
/// if let Some(caps) = RtpReceiver::capabilities(MediaKind::Video) {
///     let names: Vec<_> = caps.codecs.iter().map(|c| c.mime_type.as_str()).collect();
///     println!("can receive {names:?}");
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RtpCapabilities {
    /// The codecs, the browser's favourite first.
    pub codecs: Vec<CodecCapability>,
    /// The URIs of the RTP header extensions.
    pub header_extensions: Vec<String>,
}

impl RtpCapabilities {
    /// The codecs reordered so those of `mime_types` come first, in that order (case does not
    /// matter), followed by all others as before: the list for
    /// [`Transceiver::set_codec_preferences`]. `None` when none of `mime_types` is here.
    ///
    /// ```
    /// use rtcweb::{CodecCapability, RtpCapabilities};
    /// let codec = |m: &str| CodecCapability { mime_type: m.into(), clock_rate: 90000, channels: None, sdp_fmtp_line: None };
    /// let caps = RtpCapabilities { codecs: vec![codec("video/VP8"), codec("video/rtx"), codec("video/VP9")], header_extensions: vec![] };
    /// let order: Vec<_> = caps.preferring(&["video/vp9"]).unwrap().into_iter().map(|c| c.mime_type).collect();
    /// assert_eq!(order, ["video/VP9", "video/VP8", "video/rtx"]);
    /// assert!(caps.preferring(&["video/AV1"]).is_none());
    /// ```
    pub fn preferring(&self, mime_types: &[&str]) -> Option<Vec<CodecCapability>> {
        let mut first = Vec::new();
        for mime in mime_types {
            first.extend(
                self.codecs
                    .iter()
                    .filter(|c| c.mime_type.eq_ignore_ascii_case(mime))
                    .cloned(),
            );
        }
        if first.is_empty() {
            return None;
        }
        let rest = self.codecs.iter().filter(|c| {
            !mime_types
                .iter()
                .any(|m| c.mime_type.eq_ignore_ascii_case(m))
        });
        first.extend(rest.cloned());
        Some(first)
    }
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
    /// let sender = rtcweb::RtpSender::from_raw(raw);
    /// # }
    /// ```
    pub fn from_raw(raw: RtcRtpSender) -> Self {
        RtpSender { raw }
    }

    /// The browser's sender.
    ///
    /// ```no_run
    /// # fn run(sender: &rtcweb::RtpSender) {
    /// let raw: &web_sys::RtcRtpSender = sender.as_raw();
    /// # }
    /// ```
    pub fn as_raw(&self) -> &RtcRtpSender {
        &self.raw
    }

    /// The track being sent, if any ([`track`](https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpSender/track)).
    ///
    /// ```no_run
    /// # fn run(sender: &rtcweb::RtpSender) {
    /// let sending = sender.track().is_some();
    /// # }
    /// ```
    pub fn track(&self) -> Option<MediaTrack> {
        sys::media::object(&self.raw, "track").map(MediaTrack::from_raw)
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
    /// # async fn run(sender: &rtcweb::RtpSender, back_camera: &rtcweb::MediaTrack) -> Result<(), rtcweb::Error> {
    /// sender.replace_track(Some(back_camera)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn replace_track(&self, track: Option<&MediaTrack>) -> Result<(), Error> {
        sys::media::replace_track(&self.raw, track.map(MediaTrack::as_raw)).await
    }

    /// The codecs and extensions this browser can send for `kind`
    /// ([`RTCRtpSender.getCapabilities`](https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpSender/getCapabilities_static));
    /// `None` where the browser lacks it.
    ///
    /// ```no_run
    /// let audio = rtcweb::RtpSender::capabilities(rtcweb::MediaKind::Audio);
    /// ```
    pub fn capabilities(kind: MediaKind) -> Option<RtpCapabilities> {
        sys::media::capabilities("RTCRtpSender", kind)
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
/// # fn run(receiver: &rtcweb::RtpReceiver) {
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
    /// let receiver = rtcweb::RtpReceiver::from_raw(raw);
    /// # }
    /// ```
    pub fn from_raw(raw: RtcRtpReceiver) -> Self {
        RtpReceiver { raw }
    }

    /// The browser's receiver.
    ///
    /// ```no_run
    /// # fn run(receiver: &rtcweb::RtpReceiver) {
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
    /// # fn run(receiver: &rtcweb::RtpReceiver) {
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
    /// let video = rtcweb::RtpReceiver::capabilities(rtcweb::MediaKind::Video);
    /// ```
    pub fn capabilities(kind: MediaKind) -> Option<RtpCapabilities> {
        sys::media::capabilities("RTCRtpReceiver", kind)
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
/// use rtcweb::{MediaKind, TransceiverDirection, TransceiverInit};
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
    /// let transceiver = rtcweb::Transceiver::from_raw(raw);
    /// # }
    /// ```
    pub fn from_raw(raw: RtcRtpTransceiver) -> Self {
        Transceiver { raw }
    }

    /// The browser's transceiver.
    ///
    /// ```no_run
    /// # fn run(t: &rtcweb::Transceiver) {
    /// let raw: &web_sys::RtcRtpTransceiver = t.as_raw();
    /// # }
    /// ```
    pub fn as_raw(&self) -> &RtcRtpTransceiver {
        &self.raw
    }

    /// The media section's id once negotiated ([`mid`](https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpTransceiver/mid)).
    ///
    /// ```no_run
    /// # fn run(t: &rtcweb::Transceiver) {
    /// let negotiated = t.mid().is_some();
    /// # }
    /// ```
    pub fn mid(&self) -> Option<String> {
        sys::get_string(&self.raw, "mid")
    }

    /// The direction this side asks for ([`direction`](https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpTransceiver/direction)).
    ///
    /// ```no_run
    /// # fn run(t: &rtcweb::Transceiver) {
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
    /// # fn run(t: &rtcweb::Transceiver) -> Result<(), rtcweb::Error> {
    /// t.set_direction(rtcweb::TransceiverDirection::Inactive)?; // hold
    /// # Ok(()) }
    /// ```
    pub fn set_direction(&self, direction: TransceiverDirection) -> Result<(), Error> {
        sys::media::set_direction(&self.raw, direction.as_str())
    }

    /// The direction the last negotiation settled on; `None` before one
    /// ([`currentDirection`](https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpTransceiver/currentDirection)).
    ///
    /// ```no_run
    /// # fn run(t: &rtcweb::Transceiver) {
    /// let flowing = t.current_direction().is_some_and(|d| d.receives());
    /// # }
    /// ```
    pub fn current_direction(&self) -> Option<TransceiverDirection> {
        sys::state(&self.raw, "currentDirection")
    }

    /// The sender half.
    ///
    /// ```no_run
    /// # fn run(t: &rtcweb::Transceiver) {
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
    /// # fn run(t: &rtcweb::Transceiver) {
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
    /// # fn run(t: &rtcweb::Transceiver) -> Result<(), rtcweb::Error> {
    /// t.stop()?;
    /// # Ok(()) }
    /// ```
    pub fn stop(&self) -> Result<(), Error> {
        sys::media::stop_transceiver(&self.raw)
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
    /// use rtcweb::{MediaKind, RtpReceiver};
    /// # fn run(t: &rtcweb::Transceiver) -> Result<(), rtcweb::Error> {
    /// if let Some(order) = RtpReceiver::capabilities(MediaKind::Video).and_then(|c| c.preferring(&["video/VP9"])) {
    ///     t.set_codec_preferences(&order)?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn set_codec_preferences(&self, codecs: &[CodecCapability]) -> Result<(), Error> {
        sys::media::set_codec_preferences(&self.raw, codecs)
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
    /// # fn run(t: &rtcweb::Transceiver) -> Result<(), rtcweb::Error> {
    /// t.prefer_codecs(rtcweb::MediaKind::Audio, &["audio/opus"])?;
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
///         stream.attach(video, &rtcweb::AttachOptions::default())?;
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

/// Media: sending tracks, transceivers and remote tracks.
impl PeerConnection {
    /// Sends a track to the remote peer, which sees it in `streams` (the streams' ids travel
    /// in the SDP) ([`addTrack`](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/addTrack)).
    /// A negotiation is needed afterwards.
    ///
    /// # Errors
    /// [`Error::InvalidAccess`] when the track is already sent on this connection;
    /// [`Error::InvalidState`] when the connection is closed; [`Error::Unsupported`] in old
    /// browsers that have only `addStream` (no senders): use [`add_stream`](Self::add_stream)
    /// there.
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection, media: &rtcweb::LocalMedia) -> Result<(), rtcweb::Error> {
    /// for track in media.tracks() {
    ///     pc.add_track(&track, &[media.stream()])?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn add_track(
        &self,
        track: &MediaTrack,
        streams: &[&MediaStream],
    ) -> Result<RtpSender, Error> {
        let streams: Vec<&web_sys::MediaStream> = streams.iter().map(|s| s.as_raw()).collect();
        sys::media::add_track(self.as_raw(), track.as_raw(), &streams).map(RtpSender::from_raw)
    }

    /// Sends every track of a stream, in that stream: [`add_track`](Self::add_track) for each.
    /// In old browsers without `addTrack` it calls the legacy `addStream` instead and returns
    /// no senders (those browsers have none).
    ///
    /// # Errors
    /// As for [`add_track`](Self::add_track); tracks added before the failure stay added.
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection, media: &rtcweb::LocalMedia) -> Result<(), rtcweb::Error> {
    /// let senders = pc.add_stream(media.stream())?;
    /// # Ok(()) }
    /// ```
    pub fn add_stream(&self, stream: &MediaStream) -> Result<Vec<RtpSender>, Error> {
        if !sys::media::has_add_track(self.as_raw()) {
            // Old browsers (Chrome before 64, Safari before 11): the legacy addStream, which
            // has no senders to return.
            sys::media::add_stream(self.as_raw(), stream.as_raw())?;
            return Ok(Vec::new());
        }
        stream
            .tracks()
            .iter()
            .map(|track| self.add_track(track, &[stream]))
            .collect()
    }

    /// Stops sending a sender's track; its transceiver stays, receiving only
    /// ([`removeTrack`](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/removeTrack)).
    /// A negotiation is needed afterwards.
    ///
    /// # Errors
    /// [`Error::InvalidState`] when the connection is closed; [`Error::InvalidAccess`] for a
    /// sender of another connection.
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection, sender: &rtcweb::RtpSender) -> Result<(), rtcweb::Error> {
    /// pc.remove_track(sender)?;
    /// # Ok(()) }
    /// ```
    pub fn remove_track(&self, sender: &RtpSender) -> Result<(), Error> {
        sys::media::remove_track(self.as_raw(), sender.as_raw())
    }

    /// Stops sending every track of `stream`: [`remove_track`](Self::remove_track) for each
    /// sender whose track is in it (the legacy `removeStream` in old browsers without
    /// `addTrack`).
    ///
    /// # Errors
    /// As for [`remove_track`](Self::remove_track).
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection, media: &rtcweb::LocalMedia) -> Result<(), rtcweb::Error> {
    /// pc.remove_stream(media.stream())?;
    /// # Ok(()) }
    /// ```
    pub fn remove_stream(&self, stream: &MediaStream) -> Result<(), Error> {
        if !sys::media::has_add_track(self.as_raw()) {
            // Old browsers without senders: the legacy removeStream.
            return sys::media::remove_stream(self.as_raw(), stream.as_raw());
        }
        let tracks = stream.tracks();
        for sender in self.senders() {
            if sender.track().is_some_and(|t| tracks.contains(&t)) {
                self.remove_track(&sender)?;
            }
        }
        Ok(())
    }

    /// Adds a transceiver for `kind` with no track yet, such as to receive without sending
    /// ([`addTransceiver`](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/addTransceiver)).
    ///
    /// # Errors
    /// [`Error::InvalidState`] when the connection is closed; [`Error::Unsupported`] in
    /// browsers without transceivers.
    ///
    /// ```no_run
    /// use rtcweb::{MediaKind, TransceiverDirection, TransceiverInit};
    /// # fn run(pc: &rtcweb::PeerConnection) -> Result<(), rtcweb::Error> {
    /// let init = TransceiverInit { direction: TransceiverDirection::RecvOnly, ..Default::default() };
    /// pc.add_transceiver(MediaKind::Audio, &init)?;
    /// # Ok(()) }
    /// ```
    pub fn add_transceiver(
        &self,
        kind: MediaKind,
        init: &TransceiverInit,
    ) -> Result<Transceiver, Error> {
        sys::media::add_transceiver(
            self.as_raw(),
            &JsValue::from_str(kind.as_str()),
            init.direction.as_str(),
            &init
                .streams
                .iter()
                .map(MediaStream::as_raw)
                .collect::<Vec<_>>(),
        )
        .map(Transceiver::from_raw)
    }

    /// Adds a transceiver that sends `track`.
    ///
    /// # Errors
    /// As for [`add_transceiver`](Self::add_transceiver).
    ///
    /// ```no_run
    /// use rtcweb::{TransceiverDirection, TransceiverInit};
    /// # fn run(pc: &rtcweb::PeerConnection, camera: &rtcweb::MediaTrack) -> Result<(), rtcweb::Error> {
    /// let init = TransceiverInit { direction: TransceiverDirection::SendOnly, ..Default::default() };
    /// let t = pc.add_transceiver_with_track(camera, &init)?;
    /// # Ok(()) }
    /// ```
    pub fn add_transceiver_with_track(
        &self,
        track: &MediaTrack,
        init: &TransceiverInit,
    ) -> Result<Transceiver, Error> {
        sys::media::add_transceiver(
            self.as_raw(),
            track.as_raw(),
            init.direction.as_str(),
            &init
                .streams
                .iter()
                .map(MediaStream::as_raw)
                .collect::<Vec<_>>(),
        )
        .map(Transceiver::from_raw)
    }

    /// The connection's transceivers ([`getTransceivers`](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/getTransceivers)).
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection) {
    /// for t in pc.transceivers() { println!("{:?} {}", t.mid(), t.direction()); }
    /// # }
    /// ```
    pub fn transceivers(&self) -> Vec<Transceiver> {
        sys::media::list(self.as_raw(), "getTransceivers")
            .into_iter()
            .map(Transceiver::from_raw)
            .collect()
    }

    /// The connection's senders ([`getSenders`](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/getSenders)).
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection) {
    /// let sending = pc.senders().iter().filter(|s| s.track().is_some()).count();
    /// # }
    /// ```
    pub fn senders(&self) -> Vec<RtpSender> {
        sys::media::list(self.as_raw(), "getSenders")
            .into_iter()
            .map(RtpSender::from_raw)
            .collect()
    }

    /// The connection's receivers ([`getReceivers`](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/getReceivers)).
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection) {
    /// let remote_tracks: Vec<_> = pc.receivers().iter().map(|r| r.track()).collect();
    /// # }
    /// ```
    pub fn receivers(&self) -> Vec<RtpReceiver> {
        sys::media::list(self.as_raw(), "getReceivers")
            .into_iter()
            .map(RtpReceiver::from_raw)
            .collect()
    }

    /// Tracks the remote peer sends, as they arrive with their streams
    /// ([`track`](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/track_event)
    /// events). They arrive while the remote description is applied: subscribe before calling
    /// [`set_remote_description`](Self::set_remote_description), or find them later through
    /// [`receivers`](Self::receivers). The stream ends when the connection is closed.
    ///
    /// Old browsers without the `track` event (Chrome before 56, Safari before 11) fire
    /// `addstream` once per remote stream instead: there each of the stream's tracks arrives
    /// as a [`RemoteTrack`] (video before audio), without receiver or transceiver.
    ///
    /// ```no_run
    /// use futures::StreamExt;
    /// # async fn run(pc: &rtcweb::PeerConnection) {
    /// let mut tracks = pc.tracks();
    /// while let Some(remote) = tracks.next().await {
    ///     println!("remote {} track", remote.track.kind());
    /// }
    /// # }
    /// ```
    pub fn tracks(&self) -> EventStream<RemoteTrack> {
        fn remote(event: sys::media::TrackEvent) -> RemoteTrack {
            RemoteTrack {
                track: MediaTrack::from_raw(event.track),
                streams: event
                    .streams
                    .into_iter()
                    .map(MediaStream::from_raw)
                    .collect(),
                receiver: event.receiver.map(RtpReceiver::from_raw),
                transceiver: event.transceiver.map(Transceiver::from_raw),
            }
        }
        if sys::media::has_track_event(self.as_raw()) {
            self.listen("track", |event| sys::media::track_event(event).map(remote))
        } else {
            self.listen("addstream", |event| {
                sys::media::add_stream_event(event)
                    .into_iter()
                    .map(remote)
                    .collect::<Vec<_>>()
            })
        }
    }
}
