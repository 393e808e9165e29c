//! Plain descriptions of media: kinds, devices, track settings and states, transceiver
//! directions and codec capabilities, and the wording of capture errors.

use crate::error::Error;

string_enum! {
    /// Audio or video ([`MediaStreamTrack.kind`]).
    ///
    /// ```
    /// assert_eq!(rtcweb::media::MediaKind::Video.as_str(), "video");
    /// ```
    ///
    /// [`MediaStreamTrack.kind`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/kind
    pub enum MediaKind("media kind" in "media") {
        /// Sound.
        Audio = "audio",
        /// Pictures.
        Video = "video",
    }
}

string_enum! {
    /// Which way a camera faces ([`facingMode`]).
    ///
    /// ```
    /// assert_eq!("environment".parse::<rtcweb::media::FacingMode>()?, rtcweb::media::FacingMode::Environment);
    /// # Ok::<(), rtcweb::Error>(())
    /// ```
    ///
    /// [`facingMode`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaTrackConstraints/facingMode
    pub enum FacingMode("facing mode" in "media") {
        /// Towards the user (the front camera of a phone).
        User = "user",
        /// Away from the user (the back camera).
        Environment = "environment",
        /// Towards the user's left.
        Left = "left",
        /// Towards the user's right.
        Right = "right",
    }
}

string_enum! {
    /// What a media device is ([`MediaDeviceInfo.kind`]).
    ///
    /// ```
    /// assert_eq!(rtcweb::media::DeviceKind::VideoInput.as_str(), "videoinput");
    /// ```
    ///
    /// [`MediaDeviceInfo.kind`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaDeviceInfo/kind
    pub enum DeviceKind("device kind" in "media") {
        /// A microphone.
        AudioInput = "audioinput",
        /// A speaker or headphones.
        AudioOutput = "audiooutput",
        /// A camera.
        VideoInput = "videoinput",
    }
}

string_enum! {
    /// Whether a track still carries media ([`readyState`]).
    ///
    /// ```
    /// assert_eq!(rtcweb::media::TrackState::Ended.to_string(), "ended");
    /// ```
    ///
    /// [`readyState`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/readyState
    pub enum TrackState("track state" in "media") {
        /// Carrying media (perhaps muted or disabled).
        Live = "live",
        /// Stopped for good.
        Ended = "ended",
    }
}

/// A camera, microphone or speaker ([`MediaDeviceInfo`]). Labels are empty until the page has
/// been allowed to use a device.
///
/// ```no_run
/// # async fn run() -> Result<(), rtcweb::Error> {
/// for device in rtcweb::media::enumerate_devices().await? {
///     println!("{} {} {}", device.kind, device.label, device.device_id);
/// }
/// # Ok(()) }
/// ```
///
/// [`MediaDeviceInfo`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaDeviceInfo
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeviceInfo {
    /// Identifies the device for [`VideoConstraints::device`](crate::types::constraints::VideoConstraints::device) and [`AudioConstraints::device`](crate::types::constraints::AudioConstraints::device).
    pub device_id: String,
    /// Devices of one physical product (a webcam's camera and microphone) share it.
    pub group_id: String,
    /// What the device is.
    pub kind: DeviceKind,
    /// A human-readable name.
    pub label: String,
}

/// What a track is actually doing ([`MediaTrackSettings`]); fields the browser does not report
/// are `None`.
///
/// ```no_run
/// # fn run(track: &rtcweb::MediaTrack) {
/// let settings = track.settings();
/// println!("{:?}x{:?} at {:?} fps", settings.width, settings.height, settings.frame_rate);
/// # }
/// ```
///
/// [`MediaTrackSettings`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaTrackSettings
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct TrackSettings {
    /// The source device.
    pub device_id: Option<String>,
    /// The source device's group.
    pub group_id: Option<String>,
    /// Frame width in pixels.
    pub width: Option<u32>,
    /// Frame height in pixels.
    pub height: Option<u32>,
    /// Frames per second.
    pub frame_rate: Option<f64>,
    /// Width divided by height.
    pub aspect_ratio: Option<f64>,
    /// Which way the camera faces.
    pub facing_mode: Option<FacingMode>,
    /// Whether echo cancellation is on.
    pub echo_cancellation: Option<bool>,
    /// Whether noise suppression is on.
    pub noise_suppression: Option<bool>,
    /// Whether automatic gain control is on.
    pub auto_gain_control: Option<bool>,
    /// Audio samples per second.
    pub sample_rate: Option<u32>,
    /// Audio channels.
    pub channel_count: Option<u32>,
    /// For screen capture: `monitor`, `window` or `browser`.
    pub display_surface: Option<String>,
}

string_enum! {
    /// Whether a transceiver sends, receives, both or neither ([`direction`]).
    ///
    /// ```
    /// use rtcweb::media::TransceiverDirection;
    /// assert!(TransceiverDirection::SendRecv.sends() && TransceiverDirection::SendRecv.receives());
    /// assert!(!TransceiverDirection::RecvOnly.sends());
    /// ```
    ///
    /// [`direction`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpTransceiver/direction
    #[derive(Default)]
    pub enum TransceiverDirection("transceiver direction" in "media") {
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
    /// assert!(rtcweb::media::TransceiverDirection::SendOnly.sends());
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
    /// assert!(rtcweb::media::TransceiverDirection::RecvOnly.receives());
    /// ```
    pub fn receives(self) -> bool {
        matches!(
            self,
            TransceiverDirection::SendRecv | TransceiverDirection::RecvOnly
        )
    }
}

/// A codec the browser can send or receive ([`RTCRtpCodecCapability`]).
///
/// ```
/// let vp8 = rtcweb::media::CodecCapability {
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
    /// let rtx = rtcweb::media::CodecCapability { mime_type: "video/rtx".into(), clock_rate: 90000, channels: None, sdp_fmtp_line: None };
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
/// use rtcweb::media::{MediaKind, RtpReceiver};
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
    /// [`Transceiver::set_codec_preferences`](crate::media::Transceiver::set_codec_preferences). `None` when none of `mime_types` is here.
    ///
    /// ```
    /// use rtcweb::media::{CodecCapability, RtpCapabilities};
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

/// Gives a capture error a clear message where the browser gave none (Chromium's
/// `OverconstrainedError` has an empty message and only names the constraint).
pub(crate) fn explain(error: Error) -> Error {
    match error {
        Error::NotAllowed(m) if m.is_empty() => Error::NotAllowed(
            "permission to use the camera, microphone or screen was denied".into(),
        ),
        Error::NotFound(m) if m.is_empty() => {
            Error::NotFound("no camera or microphone matches the request".into())
        }
        Error::NotReadable(m) if m.is_empty() => Error::NotReadable(
            "the device could not be started; another application may be using it".into(),
        ),
        Error::Overconstrained {
            constraint,
            message,
        } if message.is_empty() => {
            let message = if constraint.is_empty() {
                "no device can satisfy the constraints".to_owned()
            } else {
                format!("no device can satisfy the {constraint:?} constraint")
            };
            Error::Overconstrained {
                constraint,
                message,
            }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_browser_messages_are_explained() {
        let err = explain(Error::Overconstrained {
            constraint: "width".into(),
            message: String::new(),
        });
        assert_eq!(
            err.to_string(),
            r#"overconstrained (width): no device can satisfy the "width" constraint"#
        );
        assert!(explain(Error::NotAllowed(String::new()))
            .to_string()
            .contains("denied"));
        assert!(explain(Error::NotReadable(String::new()))
            .to_string()
            .contains("another application"));
        assert!(explain(Error::NotFound(String::new()))
            .to_string()
            .contains("no camera"));
    }

    #[test]
    fn browser_messages_are_kept() {
        assert_eq!(
            explain(Error::NotAllowed("Permission denied".into())),
            Error::NotAllowed("Permission denied".into())
        );
        assert_eq!(explain(Error::Type("x".into())), Error::Type("x".into()));
    }
}
