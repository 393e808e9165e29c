//! Typed media constraints ([`MediaStreamConstraints`]) and their dictionaries.
//!
//! Serialization is pure: a JSON tree that the `sys` layer turns into JavaScript objects, and
//! that native tests read as it is.
//!
//! [`MediaStreamConstraints`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/getUserMedia#constraints

use serde_json::Value;

use crate::types::media::FacingMode;

/// A dictionary with its fields in the order given.
fn object(fields: Vec<(&'static str, Value)>) -> Value {
    Value::Object(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

/// A numeric constraint ([`ConstrainULong`]/[`ConstrainDouble`]): any of an exact value, an
/// ideal one, a minimum and a maximum. `exact`, `min` and `max` are requirements (the call fails
/// with [`crate::Error::Overconstrained`] when no device meets them); `ideal` is a wish.
///
/// ```
/// use rtcweb::media::Range;
///
/// let hd = Range::ideal(1280).with_min(640);
/// assert_eq!(hd.ideal, Some(1280));
/// assert_eq!(hd.min, Some(640));
/// assert!(Range::<u32>::default().is_empty());
/// ```
///
/// [`ConstrainULong`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaTrackConstraints#constrainulong
/// [`ConstrainDouble`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaTrackConstraints#constraindouble
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Range<T> {
    /// The value must be exactly this.
    pub exact: Option<T>,
    /// As close to this as the device allows.
    pub ideal: Option<T>,
    /// At least this.
    pub min: Option<T>,
    /// At most this.
    pub max: Option<T>,
}

impl<T> Range<T> {
    /// Exactly `value`, or fail.
    ///
    /// ```
    /// assert_eq!(rtcweb::media::Range::exact(640).exact, Some(640));
    /// ```
    pub fn exact(value: T) -> Self {
        Range {
            exact: Some(value),
            ideal: None,
            min: None,
            max: None,
        }
    }

    /// As close to `value` as possible.
    ///
    /// ```
    /// assert_eq!(rtcweb::media::Range::ideal(30.0).ideal, Some(30.0));
    /// ```
    pub fn ideal(value: T) -> Self {
        Range {
            exact: None,
            ideal: Some(value),
            min: None,
            max: None,
        }
    }

    /// Between `min` and `max`, both included.
    ///
    /// ```
    /// let r = rtcweb::media::Range::between(15.0, 30.0);
    /// assert_eq!((r.min, r.max), (Some(15.0), Some(30.0)));
    /// ```
    pub fn between(min: T, max: T) -> Self {
        Range {
            exact: None,
            ideal: None,
            min: Some(min),
            max: Some(max),
        }
    }

    /// The same with a minimum.
    ///
    /// ```
    /// assert_eq!(rtcweb::media::Range::ideal(720).with_min(480).min, Some(480));
    /// ```
    pub fn with_min(mut self, min: T) -> Self {
        self.min = Some(min);
        self
    }

    /// The same with a maximum.
    ///
    /// ```
    /// assert_eq!(rtcweb::media::Range::ideal(720).with_max(1080).max, Some(1080));
    /// ```
    pub fn with_max(mut self, max: T) -> Self {
        self.max = Some(max);
        self
    }

    /// The same with an ideal value.
    ///
    /// ```
    /// assert_eq!(rtcweb::media::Range::between(10, 20).with_ideal(15).ideal, Some(15));
    /// ```
    pub fn with_ideal(mut self, ideal: T) -> Self {
        self.ideal = Some(ideal);
        self
    }

    /// Whether nothing is constrained.
    ///
    /// ```
    /// assert!(!rtcweb::media::Range::exact(1).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.exact.is_none() && self.ideal.is_none() && self.min.is_none() && self.max.is_none()
    }
}

impl<T: Copy + Into<f64>> Range<T> {
    fn to_js(self) -> Option<Value> {
        let fields: Vec<(&'static str, Value)> = [
            ("exact", self.exact),
            ("ideal", self.ideal),
            ("min", self.min),
            ("max", self.max),
        ]
        .into_iter()
        .filter_map(|(key, value)| Some((key, Value::from(Into::<f64>::into(value?)))))
        .collect();
        (!fields.is_empty()).then_some(object(fields))
    }
}

/// A constraint on a discrete value ([`ConstrainDOMString`], [`ConstrainBoolean`]): required
/// exactly, or wished for.
///
/// ```
/// use rtcweb::media::{Constrain, FacingMode};
///
/// let front: Constrain<FacingMode> = Constrain::Ideal(FacingMode::User);
/// let echo: Constrain<bool> = true.into();
/// assert_eq!(echo, Constrain::Ideal(true));
/// ```
///
/// [`ConstrainDOMString`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaTrackConstraints#constraindomstring
/// [`ConstrainBoolean`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaTrackConstraints#constrainboolean
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Constrain<T> {
    /// The value must be this (a device id that no longer exists fails with
    /// [`crate::Error::Overconstrained`]).
    Exact(T),
    /// This value if possible.
    Ideal(T),
}

impl<T> From<T> for Constrain<T> {
    fn from(value: T) -> Self {
        Constrain::Ideal(value)
    }
}

impl<T> Constrain<T> {
    fn to_js(&self, value: impl Fn(&T) -> Value) -> Value {
        match self {
            Constrain::Exact(v) => object(vec![("exact", value(v))]),
            Constrain::Ideal(v) => object(vec![("ideal", value(v))]),
        }
    }
}

fn push<T>(
    fields: &mut Vec<(&'static str, Value)>,
    key: &'static str,
    value: &Option<Constrain<T>>,
    to_js: impl Fn(&T) -> Value,
) {
    if let Some(c) = value {
        fields.push((key, c.to_js(to_js)));
    }
}

fn push_range<T: Copy + Into<f64>>(
    fields: &mut Vec<(&'static str, Value)>,
    key: &'static str,
    range: &Option<Range<T>>,
) {
    if let Some(js) = range.and_then(Range::to_js) {
        fields.push((key, js));
    }
}

/// What camera to use and how ([`MediaTrackConstraints`] for video). The default asks for any
/// camera.
///
/// ```
/// use rtcweb::media::{Constrain, FacingMode, Range, VideoConstraints};
///
/// let video = VideoConstraints {
///     facing_mode: Some(Constrain::Ideal(FacingMode::User)),
///     width: Some(Range::ideal(1280)),
///     height: Some(Range::ideal(720)),
///     frame_rate: Some(Range::ideal(30.0).with_max(60.0)),
///     ..Default::default()
/// };
/// assert!(video.device_id.is_none());
/// ```
///
/// [`MediaTrackConstraints`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaTrackConstraints
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VideoConstraints {
    /// A camera's [`DeviceInfo::device_id`](crate::types::media::DeviceInfo::device_id).
    pub device_id: Option<Constrain<String>>,
    /// Front or back camera.
    pub facing_mode: Option<Constrain<FacingMode>>,
    /// Frame width in pixels.
    pub width: Option<Range<u32>>,
    /// Frame height in pixels.
    pub height: Option<Range<u32>>,
    /// Frames per second.
    pub frame_rate: Option<Range<f64>>,
    /// Width divided by height.
    pub aspect_ratio: Option<Range<f64>>,
}

impl VideoConstraints {
    /// Any camera, at about `width` × `height`.
    ///
    /// ```
    /// let vga = rtcweb::media::VideoConstraints::ideal_size(640, 480);
    /// assert_eq!(vga.width, Some(rtcweb::media::Range::ideal(640)));
    /// ```
    pub fn ideal_size(width: u32, height: u32) -> Self {
        VideoConstraints {
            width: Some(Range::ideal(width)),
            height: Some(Range::ideal(height)),
            ..Default::default()
        }
    }

    /// The camera with this device id, and no other.
    ///
    /// ```
    /// let cam = rtcweb::media::VideoConstraints::device("abc123");
    /// assert_eq!(cam.device_id, Some(rtcweb::media::Constrain::Exact("abc123".into())));
    /// ```
    pub fn device(device_id: impl Into<String>) -> Self {
        VideoConstraints {
            device_id: Some(Constrain::Exact(device_id.into())),
            ..Default::default()
        }
    }

    /// The dictionary; `true` when nothing is constrained.
    pub(crate) fn to_js(&self) -> Value {
        let mut fields = Vec::new();
        push(&mut fields, "deviceId", &self.device_id, |s| {
            Value::String(s.clone())
        });
        push(&mut fields, "facingMode", &self.facing_mode, |f| {
            Value::String(f.as_str().into())
        });
        push_range(&mut fields, "width", &self.width);
        push_range(&mut fields, "height", &self.height);
        push_range(&mut fields, "frameRate", &self.frame_rate);
        push_range(&mut fields, "aspectRatio", &self.aspect_ratio);
        if fields.is_empty() {
            Value::Bool(true)
        } else {
            object(fields)
        }
    }
}

/// What microphone to use and how ([`MediaTrackConstraints`] for audio). The default asks for
/// any microphone with the browser's default processing.
///
/// ```
/// use rtcweb::media::AudioConstraints;
///
/// // Music: no voice processing.
/// let raw = AudioConstraints {
///     echo_cancellation: Some(false.into()),
///     noise_suppression: Some(false.into()),
///     auto_gain_control: Some(false.into()),
///     ..Default::default()
/// };
/// assert!(raw.device_id.is_none());
/// ```
///
/// [`MediaTrackConstraints`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaTrackConstraints
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AudioConstraints {
    /// A microphone's [`DeviceInfo::device_id`](crate::types::media::DeviceInfo::device_id).
    pub device_id: Option<Constrain<String>>,
    /// Remove the far end's voice picked up by the microphone.
    pub echo_cancellation: Option<Constrain<bool>>,
    /// Filter background noise.
    pub noise_suppression: Option<Constrain<bool>>,
    /// Level the volume.
    pub auto_gain_control: Option<Constrain<bool>>,
    /// Samples per second.
    pub sample_rate: Option<Range<u32>>,
    /// 1 for mono, 2 for stereo.
    pub channel_count: Option<Range<u32>>,
}

impl AudioConstraints {
    /// The microphone with this device id, and no other.
    ///
    /// ```
    /// let mic = rtcweb::media::AudioConstraints::device("abc123");
    /// assert!(mic.echo_cancellation.is_none());
    /// ```
    pub fn device(device_id: impl Into<String>) -> Self {
        AudioConstraints {
            device_id: Some(Constrain::Exact(device_id.into())),
            ..Default::default()
        }
    }

    /// The dictionary; `true` when nothing is constrained.
    pub(crate) fn to_js(&self) -> Value {
        let mut fields = Vec::new();
        push(&mut fields, "deviceId", &self.device_id, |s| {
            Value::String(s.clone())
        });
        push(
            &mut fields,
            "echoCancellation",
            &self.echo_cancellation,
            |b| Value::Bool(*b),
        );
        push(
            &mut fields,
            "noiseSuppression",
            &self.noise_suppression,
            |b| Value::Bool(*b),
        );
        push(
            &mut fields,
            "autoGainControl",
            &self.auto_gain_control,
            |b| Value::Bool(*b),
        );
        push_range(&mut fields, "sampleRate", &self.sample_rate);
        push_range(&mut fields, "channelCount", &self.channel_count);
        if fields.is_empty() {
            Value::Bool(true)
        } else {
            object(fields)
        }
    }
}

/// What [`crate::get_user_media`] (or [`crate::media::get_display_media`]) should capture
/// ([`MediaStreamConstraints`]). `None` leaves a kind out; at least one must be asked for.
///
/// ```
/// use rtcweb::{MediaConstraints, media::VideoConstraints};
///
/// let call = MediaConstraints::audio_video();
/// assert!(call.audio.is_some() && call.video.is_some());
///
/// let camera = MediaConstraints::video_only().with_video(VideoConstraints::ideal_size(640, 480));
/// assert!(camera.audio.is_none());
/// ```
///
/// [`MediaStreamConstraints`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/getUserMedia#constraints
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MediaConstraints {
    /// The microphone (or, for screen capture, the captured audio), if wanted.
    pub audio: Option<AudioConstraints>,
    /// The camera (or, for screen capture, the captured screen), if wanted.
    pub video: Option<VideoConstraints>,
}

impl MediaConstraints {
    /// Any microphone and any camera.
    ///
    /// ```
    /// let both = rtcweb::MediaConstraints::audio_video();
    /// assert_eq!(both.audio, Some(Default::default()));
    /// ```
    pub fn audio_video() -> Self {
        MediaConstraints {
            audio: Some(AudioConstraints::default()),
            video: Some(VideoConstraints::default()),
        }
    }

    /// Any microphone, no camera.
    ///
    /// ```
    /// assert!(rtcweb::MediaConstraints::audio_only().video.is_none());
    /// ```
    pub fn audio_only() -> Self {
        MediaConstraints {
            audio: Some(AudioConstraints::default()),
            video: None,
        }
    }

    /// Any camera, no microphone.
    ///
    /// ```
    /// assert!(rtcweb::MediaConstraints::video_only().audio.is_none());
    /// ```
    pub fn video_only() -> Self {
        MediaConstraints {
            audio: None,
            video: Some(VideoConstraints::default()),
        }
    }

    /// The same with these audio constraints.
    ///
    /// ```
    /// let m = rtcweb::MediaConstraints::video_only().with_audio(Default::default());
    /// assert!(m.audio.is_some());
    /// ```
    pub fn with_audio(mut self, audio: AudioConstraints) -> Self {
        self.audio = Some(audio);
        self
    }

    /// The same with these video constraints.
    ///
    /// ```
    /// let m = rtcweb::MediaConstraints::audio_only().with_video(Default::default());
    /// assert!(m.video.is_some());
    /// ```
    pub fn with_video(mut self, video: VideoConstraints) -> Self {
        self.video = Some(video);
        self
    }

    pub(crate) fn to_js(&self) -> Value {
        object(vec![
            (
                "audio",
                self.audio
                    .as_ref()
                    .map_or(Value::Bool(false), AudioConstraints::to_js),
            ),
            (
                "video",
                self.video
                    .as_ref()
                    .map_or(Value::Bool(false), VideoConstraints::to_js),
            ),
        ])
    }
}

/// New constraints for a live track ([`applyConstraints`]), of its kind.
///
/// ```
/// use rtcweb::media::{TrackConstraints, VideoConstraints};
///
/// let smaller: TrackConstraints = VideoConstraints::ideal_size(320, 240).into();
/// assert!(matches!(smaller, TrackConstraints::Video(_)));
/// ```
///
/// [`applyConstraints`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/applyConstraints
#[derive(Debug, Clone, PartialEq)]
pub enum TrackConstraints {
    /// For an audio track.
    Audio(AudioConstraints),
    /// For a video track.
    Video(VideoConstraints),
}

impl From<AudioConstraints> for TrackConstraints {
    fn from(c: AudioConstraints) -> Self {
        TrackConstraints::Audio(c)
    }
}

impl From<VideoConstraints> for TrackConstraints {
    fn from(c: VideoConstraints) -> Self {
        TrackConstraints::Video(c)
    }
}

impl TrackConstraints {
    /// The dictionary; `{}` (no constraints) rather than `true`.
    pub(crate) fn to_js(&self) -> Value {
        let js = match self {
            TrackConstraints::Audio(a) => a.to_js(),
            TrackConstraints::Video(v) => v.to_js(),
        };
        match js {
            Value::Bool(_) => object(Vec::new()),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unconstrained_kinds_are_true_and_missing_kinds_false() {
        assert_eq!(
            MediaConstraints::audio_video().to_js(),
            json!({"audio": true, "video": true})
        );
        assert_eq!(
            MediaConstraints::audio_only().to_js(),
            json!({"audio": true, "video": false})
        );
        assert_eq!(
            MediaConstraints::default().to_js(),
            json!({"audio": false, "video": false})
        );
    }

    #[test]
    fn video_constraints_use_the_browser_names() {
        let video = VideoConstraints {
            device_id: Some(Constrain::Exact("cam-1".into())),
            facing_mode: Some(Constrain::Ideal(FacingMode::Environment)),
            width: Some(Range::exact(99999)),
            height: Some(Range::ideal(720).with_min(480).with_max(1080)),
            frame_rate: Some(Range::between(15.0, 30.5)),
            aspect_ratio: None,
        };
        assert_eq!(
            video.to_js(),
            json!({
                "deviceId": {"exact": "cam-1"}, "facingMode": {"ideal": "environment"},
                "width": {"exact": 99999.0}, "height": {"ideal": 720.0, "min": 480.0, "max": 1080.0},
                "frameRate": {"min": 15.0, "max": 30.5}
            })
        );
    }

    #[test]
    fn audio_processing_flags() {
        let audio = AudioConstraints {
            echo_cancellation: Some(Constrain::Exact(false)),
            noise_suppression: Some(true.into()),
            auto_gain_control: Some(false.into()),
            channel_count: Some(Range::ideal(2)),
            ..Default::default()
        };
        assert_eq!(
            audio.to_js(),
            json!({
                "echoCancellation": {"exact": false}, "noiseSuppression": {"ideal": true},
                "autoGainControl": {"ideal": false}, "channelCount": {"ideal": 2.0}
            })
        );
    }

    #[test]
    fn empty_ranges_are_left_out() {
        let video = VideoConstraints {
            width: Some(Range::default()),
            ..Default::default()
        };
        assert_eq!(video.to_js(), Value::Bool(true));
    }

    #[test]
    fn track_constraints_are_always_a_dictionary() {
        let none: TrackConstraints = VideoConstraints::default().into();
        assert_eq!(none.to_js(), json!({}));
        let size: TrackConstraints = VideoConstraints::ideal_size(320, 240).into();
        assert_eq!(
            size.to_js(),
            json!({"width": {"ideal": 320.0}, "height": {"ideal": 240.0}})
        );
    }
}
