//! Camera, microphone and screen: capture ([`get_user_media`], [`get_display_media`]),
//! devices, tracks and streams, and showing a stream in a `<video>` or `<audio>` element.
//!
//! Sending and receiving media over a [`crate::PeerConnection`] is in the `rtp` part:
//! [`crate::PeerConnection::add_track`], [`crate::PeerConnection::tracks`] and the
//! [`RtpSender`], [`RtpReceiver`] and [`Transceiver`] types.

mod constraints;
mod rtp;

use wasm_bindgen::JsCast;
use web_sys::{HtmlMediaElement, MediaStreamTrack};

use crate::event::{next_event, EventStream};
use crate::{sys, Error};

pub(crate) use constraints::JsLike;
pub use constraints::{
    AudioConstraints, Constrain, MediaConstraints, Range, TrackConstraints, VideoConstraints,
};
pub use rtp::{
    CodecCapability, RemoteTrack, RtpCapabilities, RtpReceiver, RtpSender, Transceiver,
    TransceiverDirection, TransceiverInit,
};

string_enum! {
    /// Audio or video ([`MediaStreamTrack.kind`]).
    ///
    /// ```
    /// assert_eq!(rtcweb::MediaKind::Video.as_str(), "video");
    /// ```
    ///
    /// [`MediaStreamTrack.kind`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/kind
    pub enum MediaKind("media kind") {
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
    /// assert_eq!("environment".parse::<rtcweb::FacingMode>()?, rtcweb::FacingMode::Environment);
    /// # Ok::<(), rtcweb::Error>(())
    /// ```
    ///
    /// [`facingMode`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaTrackConstraints/facingMode
    pub enum FacingMode("facing mode") {
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
    /// assert_eq!(rtcweb::DeviceKind::VideoInput.as_str(), "videoinput");
    /// ```
    ///
    /// [`MediaDeviceInfo.kind`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaDeviceInfo/kind
    pub enum DeviceKind("device kind") {
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
    /// assert_eq!(rtcweb::TrackState::Ended.to_string(), "ended");
    /// ```
    ///
    /// [`readyState`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/readyState
    pub enum TrackState("track state") {
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
/// for device in rtcweb::enumerate_devices().await? {
///     println!("{} {} {}", device.kind, device.label, device.device_id);
/// }
/// # Ok(()) }
/// ```
///
/// [`MediaDeviceInfo`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaDeviceInfo
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeviceInfo {
    /// Identifies the device for [`VideoConstraints::device`] and [`AudioConstraints::device`].
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

// ---------------------------------------------------------------------------------------------
// Capture.

/// Stops the tracks of a capture whose future was dropped before the browser answered.
struct AbandonedCapture(Option<js_sys::Promise>);

impl Drop for AbandonedCapture {
    fn drop(&mut self) {
        if let Some(promise) = self.0.take() {
            sys::media::stop_when_resolved(promise);
        }
    }
}

/// The future of a capture already asked of the browser, guarded from the start.
fn capture(
    promise: Result<js_sys::Promise, Error>,
) -> impl std::future::Future<Output = Result<LocalMedia, Error>> + 'static {
    let guard = promise
        .as_ref()
        .ok()
        .map(|p| AbandonedCapture(Some(p.clone())));
    async move {
        let mut guard = guard;
        let promise = promise.map_err(explain)?;
        let stream = sys::media::stream_from(promise).await;
        if let Some(guard) = guard.as_mut() {
            guard.0 = None;
        }
        Ok(LocalMedia::from_raw(stream.map_err(explain)?))
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

/// Opens the camera and/or microphone ([`getUserMedia`]). The browser asks the user the first
/// time. The tracks stop when the returned [`LocalMedia`] is dropped.
///
/// Old browsers' prefixed, callback-style `getUserMedia` (`webkitGetUserMedia`,
/// `mozGetUserMedia`) is used where `navigator.mediaDevices` lacks it.
///
/// # Errors
/// - [`Error::NotAllowed`]: the user or the browser's policy refused;
/// - [`Error::NotFound`]: there is no such device;
/// - [`Error::NotReadable`]: the device is there but cannot be read (another program may hold it);
/// - [`Error::Overconstrained`]: no device meets a required constraint; `constraint` names it;
/// - [`Error::Security`]: the page is not a secure context (https or localhost);
/// - [`Error::Type`]: neither audio nor video was asked for;
/// - [`Error::Unsupported`]: the browser cannot capture media at all.
///
/// # Cancellation
/// The request starts when this is called, not when the future is first polled. Dropping
/// the future does not cancel the browser's request, but when it later succeeds its tracks
/// are stopped at once, so the camera does not stay on.
///
/// ```no_run
/// use rtcweb::{get_user_media, Error, MediaConstraints};
///
/// # async fn run() -> Result<(), rtcweb::Error> {
/// match get_user_media(&MediaConstraints::audio_video()).await {
///     Ok(media) => println!("{} tracks", media.tracks().len()),
///     Err(Error::NotAllowed(_)) => println!("the user said no"),
///     Err(other) => return Err(other),
/// }
/// # Ok(()) }
/// ```
///
/// [`getUserMedia`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/getUserMedia
pub fn get_user_media(
    constraints: &MediaConstraints,
) -> impl std::future::Future<Output = Result<LocalMedia, Error>> + 'static {
    let js = sys::media::to_js(&constraints.to_js());
    capture(sys::media::get_user_media(&js))
}

/// Captures a screen, window or tab ([`getDisplayMedia`]); the user picks which. Browsers
/// accept only `ideal` and `max` constraints here, and need a user gesture (a click) first.
///
/// # Errors
/// [`Error::NotAllowed`] when the user cancels or there was no user gesture;
/// [`Error::Type`] for `exact` or `min` constraints; [`Error::Security`] outside a secure
/// context; [`Error::Unsupported`] where the browser cannot capture the screen.
///
/// # Cancellation
/// As for [`get_user_media`]: the request starts at the call, and a capture that succeeds
/// after the future was dropped is stopped.
///
/// ```no_run
/// # async fn run() -> Result<(), rtcweb::Error> {
/// let screen = rtcweb::get_display_media(&rtcweb::MediaConstraints::video_only()).await?;
/// # Ok(()) }
/// ```
///
/// [`getDisplayMedia`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/getDisplayMedia
pub fn get_display_media(
    constraints: &MediaConstraints,
) -> impl std::future::Future<Output = Result<LocalMedia, Error>> + 'static {
    let js = sys::media::to_js(&constraints.to_js());
    capture(sys::media::get_display_media(&js))
}

/// The cameras, microphones and speakers ([`enumerateDevices`]).
///
/// # Errors
/// [`Error::Security`] outside a secure context; [`Error::Unsupported`] in browsers without
/// it.
///
/// ```no_run
/// use rtcweb::DeviceKind;
/// # async fn run() -> Result<(), rtcweb::Error> {
/// let cameras = rtcweb::enumerate_devices()
///     .await?
///     .into_iter()
///     .filter(|d| d.kind == DeviceKind::VideoInput)
///     .count();
/// # Ok(()) }
/// ```
///
/// [`enumerateDevices`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/enumerateDevices
pub async fn enumerate_devices() -> Result<Vec<DeviceInfo>, Error> {
    sys::media::enumerate_devices().await
}

/// One item each time a device is plugged in or out ([`devicechange`]); call
/// [`enumerate_devices`] to see what changed. The stream never ends on its own.
///
/// # Errors
/// [`Error::Security`] outside a secure context; [`Error::Unsupported`] in browsers without
/// `navigator.mediaDevices`.
///
/// ```no_run
/// use futures::StreamExt;
/// # async fn run() -> Result<(), rtcweb::Error> {
/// let mut changes = rtcweb::device_changes()?;
/// while changes.next().await.is_some() {
///     let devices = rtcweb::enumerate_devices().await?;
/// }
/// # Ok(()) }
/// ```
///
/// [`devicechange`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/devicechange_event
pub fn device_changes() -> Result<EventStream<()>, Error> {
    let target = sys::media::media_devices_target()?;
    Ok(EventStream::listen(&target, "devicechange", None, |_| {
        Some(())
    }))
}

// ---------------------------------------------------------------------------------------------
// Tracks.

/// One audio or video track ([`MediaStreamTrack`]): from the camera or microphone, the
/// screen, or a remote peer.
///
/// A `MediaTrack` is a handle: cloning it gives another handle to the same track, and dropping
/// it leaves the track running. Local captures are stopped by their owner, [`LocalMedia`].
///
/// ```no_run
/// # async fn run() -> Result<(), rtcweb::Error> {
/// let media = rtcweb::get_user_media(&rtcweb::MediaConstraints::audio_only()).await?;
/// let mic = &media.audio_tracks()[0];
/// mic.set_enabled(false); // mute: the peer hears silence
/// # Ok(()) }
/// ```
///
/// [`MediaStreamTrack`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack
#[derive(Clone, PartialEq, Eq)]
pub struct MediaTrack {
    raw: MediaStreamTrack,
}

impl MediaTrack {
    /// Wraps a browser track (nothing is taken over: dropping the wrapper does not stop it).
    ///
    /// ```no_run
    /// # fn run(raw: web_sys::MediaStreamTrack) {
    /// let track = rtcweb::MediaTrack::from_raw(raw);
    /// # }
    /// ```
    pub fn from_raw(raw: MediaStreamTrack) -> Self {
        MediaTrack { raw }
    }

    /// The browser's track. Beware that `.clone()` on it is web-sys's binding of the
    /// JavaScript `MediaStreamTrack.clone()` (a new track, to be stopped separately);
    /// `Clone::clone` gives a second reference.
    ///
    /// ```no_run
    /// # fn run(track: &rtcweb::MediaTrack) {
    /// let raw: &web_sys::MediaStreamTrack = track.as_raw();
    /// # }
    /// ```
    pub fn as_raw(&self) -> &MediaStreamTrack {
        &self.raw
    }

    /// The browser's track, unwrapped.
    ///
    /// ```no_run
    /// # fn run(track: rtcweb::MediaTrack) {
    /// let raw: web_sys::MediaStreamTrack = track.into_raw();
    /// # }
    /// ```
    pub fn into_raw(self) -> MediaStreamTrack {
        self.raw
    }

    /// Audio or video ([`kind`](https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/kind)).
    /// An unknown kind reads as video.
    ///
    /// ```no_run
    /// # fn run(track: &rtcweb::MediaTrack) {
    /// let is_audio = track.kind() == rtcweb::MediaKind::Audio;
    /// # }
    /// ```
    pub fn kind(&self) -> MediaKind {
        sys::state(&self.raw, "kind").unwrap_or(MediaKind::Video)
    }

    /// The track's unique id ([`id`](https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/id)).
    ///
    /// ```no_run
    /// # fn run(track: &rtcweb::MediaTrack) {
    /// println!("{}", track.id());
    /// # }
    /// ```
    pub fn id(&self) -> String {
        sys::get_string(&self.raw, "id").unwrap_or_default()
    }

    /// The source's name, such as the camera's model; empty for remote tracks
    /// ([`label`](https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/label)).
    ///
    /// ```no_run
    /// # fn run(track: &rtcweb::MediaTrack) {
    /// println!("using {}", track.label());
    /// # }
    /// ```
    pub fn label(&self) -> String {
        sys::get_string(&self.raw, "label").unwrap_or_default()
    }

    /// Whether the track carries its media; a disabled track sends silence or black frames
    /// ([`enabled`](https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/enabled)).
    ///
    /// ```no_run
    /// # fn run(track: &rtcweb::MediaTrack) {
    /// let muted_by_user = !track.enabled();
    /// # }
    /// ```
    pub fn enabled(&self) -> bool {
        sys::get(&self.raw, "enabled").as_bool().unwrap_or(false)
    }

    /// Mutes (`false`) or unmutes (`true`) the track: audio becomes silence and video black
    /// frames, for every sender and element using it, while the device stays open.
    ///
    /// ```no_run
    /// # fn run(camera: &rtcweb::MediaTrack) {
    /// camera.set_enabled(false);
    /// # }
    /// ```
    pub fn set_enabled(&self, enabled: bool) {
        sys::media::set_enabled(&self.raw, enabled);
    }

    /// Whether the source is not providing media right now, such as a remote track whose
    /// packets stopped arriving ([`muted`](https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/muted)).
    /// Not the same as [`enabled`](Self::enabled), which the application controls.
    ///
    /// ```no_run
    /// # fn run(track: &rtcweb::MediaTrack) {
    /// let stalled = track.muted();
    /// # }
    /// ```
    pub fn muted(&self) -> bool {
        sys::get(&self.raw, "muted").as_bool().unwrap_or(false)
    }

    /// Live or ended ([`readyState`](https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/readyState)).
    ///
    /// ```no_run
    /// # fn run(track: &rtcweb::MediaTrack) {
    /// let done = track.ready_state() == rtcweb::TrackState::Ended;
    /// # }
    /// ```
    pub fn ready_state(&self) -> TrackState {
        sys::state(&self.raw, "readyState").unwrap_or(TrackState::Ended)
    }

    /// Resolves when the track ends: its device goes away, the user stops sharing the
    /// screen, the remote peer stops sending, or it is stopped through this crate
    /// ([`ended`](https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/ended_event)).
    /// Resolves at once for a track that has already ended.
    ///
    /// Browsers fire no `ended` event for a track stopped by `stop()`: this crate resolves the
    /// future itself when it stops the track, but a track stopped by a direct JavaScript
    /// `stop()` outside this crate does not resolve it.
    ///
    /// ```no_run
    /// # async fn run(screen: &rtcweb::MediaTrack) {
    /// screen.ended().await;
    /// println!("screen sharing stopped");
    /// # }
    /// ```
    pub fn ended(&self) -> impl std::future::Future<Output = ()> + 'static {
        let event = next_event(&self.raw, &["ended"]);
        let stopped = stop_waiters::register(self.raw.as_ref());
        let already = self.ready_state() == TrackState::Ended;
        async move {
            if !already {
                futures::future::select(Box::pin(event), stopped).await;
            }
        }
    }

    /// What the track is doing: frame size and rate, audio processing, device
    /// ([`getSettings`](https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/getSettings)).
    ///
    /// ```no_run
    /// # fn run(camera: &rtcweb::MediaTrack) {
    /// if let (Some(w), Some(h)) = (camera.settings().width, camera.settings().height) {
    ///     println!("{w}x{h}");
    /// }
    /// # }
    /// ```
    pub fn settings(&self) -> TrackSettings {
        sys::media::track_settings(&self.raw)
    }

    /// Changes the track's constraints while it runs, such as a lower resolution
    /// ([`applyConstraints`](https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/applyConstraints)).
    ///
    /// # Errors
    /// [`Error::Overconstrained`] when the source cannot meet a required constraint (the track
    /// keeps its previous settings); [`Error::Unsupported`] in browsers without it.
    ///
    /// ```no_run
    /// use rtcweb::VideoConstraints;
    /// # async fn run(camera: &rtcweb::MediaTrack) -> Result<(), rtcweb::Error> {
    /// camera.apply_constraints(VideoConstraints::ideal_size(320, 240)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn apply_constraints(
        &self,
        constraints: impl Into<TrackConstraints>,
    ) -> Result<(), Error> {
        let js = sys::media::to_js(&constraints.into().to_js());
        sys::media::apply_constraints(&self.raw, &js)
            .await
            .map_err(explain)
    }

    /// Stops the track for good, releasing the device when no other track uses it
    /// ([`stop`](https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/stop)).
    /// Futures from [`ended`](Self::ended) resolve.
    ///
    /// ```no_run
    /// # fn run(camera: &rtcweb::MediaTrack) {
    /// camera.stop();
    /// assert_eq!(camera.ready_state(), rtcweb::TrackState::Ended);
    /// # }
    /// ```
    pub fn stop(&self) {
        sys::media::stop_track(&self.raw);
        stop_waiters::notify(self.raw.as_ref());
    }

    /// A new, independent track from the same source; it must be stopped separately
    /// ([`clone`](https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/clone)).
    ///
    /// # Errors
    /// The browser's, which in practice has none.
    ///
    /// ```no_run
    /// # fn run(camera: &rtcweb::MediaTrack) -> Result<(), rtcweb::Error> {
    /// let preview = camera.duplicate()?;
    /// preview.set_enabled(true);
    /// # Ok(()) }
    /// ```
    pub fn duplicate(&self) -> Result<MediaTrack, Error> {
        sys::media::clone_track(&self.raw).map(MediaTrack::from_raw)
    }
}

impl std::fmt::Debug for MediaTrack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaTrack")
            .field("kind", &self.kind())
            .field("id", &self.id())
            .field("label", &self.label())
            .field("enabled", &self.enabled())
            .field("ready_state", &self.ready_state())
            .finish()
    }
}

/// The [`MediaTrack::ended`] futures waiting for a track this crate may stop. Browsers fire no
/// `ended` event for `stop()`, and Firefox does not deliver a synthetic one dispatched on a
/// `MediaStreamTrack` to its listeners, so the crate tells the futures itself.
mod stop_waiters {
    use std::cell::RefCell;

    use futures::channel::oneshot;
    use wasm_bindgen::JsValue;

    thread_local! {
        static WAITERS: RefCell<Vec<(JsValue, oneshot::Sender<()>)>> =
            const { RefCell::new(Vec::new()) };
    }

    /// Resolves (with `Ok`) when [`notify`] is called for `track`.
    pub(super) fn register(track: &JsValue) -> oneshot::Receiver<()> {
        let (sender, receiver) = oneshot::channel();
        WAITERS.with(|waiters| {
            let mut waiters = waiters.borrow_mut();
            // Futures dropped meanwhile leave canceled senders behind: sweep them.
            waiters.retain(|(_, s)| !s.is_canceled());
            waiters.push((track.clone(), sender));
        });
        receiver
    }

    pub(super) fn notify(track: &JsValue) {
        let ready: Vec<oneshot::Sender<()>> = WAITERS.with(|waiters| {
            let mut waiters = waiters.borrow_mut();
            let (ready, keep) = std::mem::take(&mut *waiters)
                .into_iter()
                .partition(|(t, _)| t == track);
            *waiters = keep;
            ready.into_iter().map(|(_, s)| s).collect()
        });
        // Sent outside the borrow: a waker may run code that registers again.
        for sender in ready {
            let _ = sender.send(());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Streams.

/// A group of tracks played together ([`MediaStream`]): a capture, or what a remote peer
/// sends.
///
/// A handle: cloning it gives another handle to the same stream, and dropping it stops
/// nothing (see [`LocalMedia`] for captures).
///
/// ```no_run
/// # fn run(camera: &rtcweb::MediaTrack) -> Result<(), rtcweb::Error> {
/// let stream = rtcweb::MediaStream::new(&[camera])?;
/// assert_eq!(stream.tracks().len(), 1);
/// # Ok(()) }
/// ```
///
/// [`MediaStream`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaStream
#[derive(Clone, PartialEq, Eq)]
pub struct MediaStream {
    raw: web_sys::MediaStream,
}

impl MediaStream {
    /// A new stream of these tracks ([`new MediaStream`](https://developer.mozilla.org/en-US/docs/Web/API/MediaStream/MediaStream)).
    ///
    /// # Errors
    /// [`Error::Unsupported`] in browsers without the constructor.
    ///
    /// ```no_run
    /// let empty = rtcweb::MediaStream::new(&[])?;
    /// # Ok::<(), rtcweb::Error>(())
    /// ```
    pub fn new(tracks: &[&MediaTrack]) -> Result<Self, Error> {
        let raw: Vec<&MediaStreamTrack> = tracks.iter().map(|t| &t.raw).collect();
        sys::media::new_stream(&raw).map(MediaStream::from_raw)
    }

    /// Wraps a browser stream.
    ///
    /// ```no_run
    /// # fn run(raw: web_sys::MediaStream) {
    /// let stream = rtcweb::MediaStream::from_raw(raw);
    /// # }
    /// ```
    pub fn from_raw(raw: web_sys::MediaStream) -> Self {
        MediaStream { raw }
    }

    /// The browser's stream. Beware that `.clone()` on it is web-sys's binding of the
    /// JavaScript `MediaStream.clone()` (a new stream of new tracks); `Clone::clone` gives a
    /// second reference.
    ///
    /// ```no_run
    /// # fn run(stream: &rtcweb::MediaStream) {
    /// let raw: &web_sys::MediaStream = stream.as_raw();
    /// # }
    /// ```
    pub fn as_raw(&self) -> &web_sys::MediaStream {
        &self.raw
    }

    /// The browser's stream, unwrapped.
    ///
    /// ```no_run
    /// # fn run(stream: rtcweb::MediaStream) {
    /// let raw: web_sys::MediaStream = stream.into_raw();
    /// # }
    /// ```
    pub fn into_raw(self) -> web_sys::MediaStream {
        self.raw
    }

    /// The stream's unique id; both peers see the same id for a stream sent with a track
    /// ([`id`](https://developer.mozilla.org/en-US/docs/Web/API/MediaStream/id)).
    ///
    /// ```no_run
    /// # fn run(stream: &rtcweb::MediaStream) {
    /// println!("{}", stream.id());
    /// # }
    /// ```
    pub fn id(&self) -> String {
        sys::get_string(&self.raw, "id").unwrap_or_default()
    }

    /// Whether any of its tracks is live ([`active`](https://developer.mozilla.org/en-US/docs/Web/API/MediaStream/active)).
    ///
    /// ```no_run
    /// # fn run(stream: &rtcweb::MediaStream) {
    /// let live = stream.active();
    /// # }
    /// ```
    pub fn active(&self) -> bool {
        match sys::get(&self.raw, "active").as_bool() {
            Some(active) => active,
            None => self
                .tracks()
                .iter()
                .any(|t| t.ready_state() == TrackState::Live),
        }
    }

    /// Every track ([`getTracks`](https://developer.mozilla.org/en-US/docs/Web/API/MediaStream/getTracks)).
    ///
    /// ```no_run
    /// # fn run(stream: &rtcweb::MediaStream) {
    /// for track in stream.tracks() { println!("{track:?}"); }
    /// # }
    /// ```
    pub fn tracks(&self) -> Vec<MediaTrack> {
        tracks_of(&self.raw, None)
    }

    /// The audio tracks ([`getAudioTracks`](https://developer.mozilla.org/en-US/docs/Web/API/MediaStream/getAudioTracks)).
    ///
    /// ```no_run
    /// # fn run(stream: &rtcweb::MediaStream) {
    /// let has_sound = !stream.audio_tracks().is_empty();
    /// # }
    /// ```
    pub fn audio_tracks(&self) -> Vec<MediaTrack> {
        tracks_of(&self.raw, Some(MediaKind::Audio))
    }

    /// The video tracks ([`getVideoTracks`](https://developer.mozilla.org/en-US/docs/Web/API/MediaStream/getVideoTracks)).
    ///
    /// ```no_run
    /// # fn run(stream: &rtcweb::MediaStream) {
    /// let camera = stream.video_tracks().into_iter().next();
    /// # }
    /// ```
    pub fn video_tracks(&self) -> Vec<MediaTrack> {
        tracks_of(&self.raw, Some(MediaKind::Video))
    }

    /// Adds a track ([`addTrack`](https://developer.mozilla.org/en-US/docs/Web/API/MediaStream/addTrack)).
    ///
    /// # Errors
    /// The browser's, which in practice has none.
    ///
    /// ```no_run
    /// # fn run(stream: &rtcweb::MediaStream, track: &rtcweb::MediaTrack) -> Result<(), rtcweb::Error> {
    /// stream.add_track(track)?;
    /// # Ok(()) }
    /// ```
    pub fn add_track(&self, track: &MediaTrack) -> Result<(), Error> {
        sys::media::stream_add_track(&self.raw, &track.raw)
    }

    /// Removes a track ([`removeTrack`](https://developer.mozilla.org/en-US/docs/Web/API/MediaStream/removeTrack)).
    ///
    /// # Errors
    /// The browser's, which in practice has none.
    ///
    /// ```no_run
    /// # fn run(stream: &rtcweb::MediaStream, track: &rtcweb::MediaTrack) -> Result<(), rtcweb::Error> {
    /// stream.remove_track(track)?;
    /// # Ok(()) }
    /// ```
    pub fn remove_track(&self, track: &MediaTrack) -> Result<(), Error> {
        sys::media::stream_remove_track(&self.raw, &track.raw)
    }

    /// Shows this stream in a `<video>` or `<audio>` element. It sets `srcObject` (or, in
    /// browsers without it, `src` to a `blob:` URL from `URL.createObjectURL`), `autoplay`,
    /// `muted` and `playsInline`.
    ///
    /// Browsers start unmuted media only after a user gesture: mute the local preview (it would
    /// echo anyway) and remote video elements that have no audio, or call [`play`] from a click
    /// handler.
    ///
    /// # Errors
    /// The browser's when the element refuses a property; [`Error::Unsupported`] when it can
    /// neither take `srcObject` nor a `blob:` URL of a stream.
    ///
    /// ```no_run
    /// use wasm_bindgen::JsCast;
    /// # fn run(stream: &rtcweb::MediaStream) -> Result<(), rtcweb::Error> {
    /// let document = web_sys::window().unwrap().document().unwrap();
    /// let video = document.get_element_by_id("remote").unwrap();
    /// stream.attach(video.unchecked_ref(), &rtcweb::AttachOptions::muted())?;
    /// # Ok(()) }
    /// ```
    pub fn attach(&self, element: &HtmlMediaElement, options: &AttachOptions) -> Result<(), Error> {
        sys::media::attach(element, &self.raw, options.autoplay, options.muted)
    }
}

impl std::fmt::Debug for MediaStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaStream")
            .field("id", &self.id())
            .field("tracks", &self.tracks())
            .finish()
    }
}

fn tracks_of(stream: &web_sys::MediaStream, kind: Option<MediaKind>) -> Vec<MediaTrack> {
    sys::media::stream_tracks_of(stream, kind)
        .into_iter()
        .map(|t| MediaTrack::from_raw(t.unchecked_into()))
        .collect()
}

/// How [`MediaStream::attach`] sets up an element.
///
/// ```
/// let preview = rtcweb::AttachOptions::muted();
/// assert!(preview.muted && preview.autoplay);
/// let call = rtcweb::AttachOptions::default();
/// assert!(!call.muted && call.autoplay);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttachOptions {
    /// Start playing as soon as there is media (the default).
    pub autoplay: bool,
    /// Play without sound: for a local preview, or to be allowed to autoplay.
    pub muted: bool,
}

impl Default for AttachOptions {
    fn default() -> Self {
        AttachOptions {
            autoplay: true,
            muted: false,
        }
    }
}

impl AttachOptions {
    /// Autoplay, muted: a local preview, or video that must start without a user gesture.
    ///
    /// ```
    /// assert!(rtcweb::AttachOptions::muted().muted);
    /// ```
    pub fn muted() -> Self {
        AttachOptions {
            autoplay: true,
            muted: true,
        }
    }
}

/// Removes a stream that [`MediaStream::attach`] put in an element, revoking its `blob:` URL
/// if it had one.
///
/// ```no_run
/// # fn run(video: &web_sys::HtmlMediaElement) {
/// rtcweb::detach(video);
/// # }
/// ```
pub fn detach(element: &HtmlMediaElement) {
    sys::media::detach(element);
}

/// Starts playback ([`play`](https://developer.mozilla.org/en-US/docs/Web/API/HTMLMediaElement/play)).
///
/// # Errors
/// [`Error::NotAllowed`] when the browser's autoplay policy wants a user gesture first (mute
/// the element, or call this from a click handler); [`Error::Abort`] when a new source
/// interrupted loading; [`Error::Unsupported`] when the element cannot play the source.
///
/// ```no_run
/// # async fn run(video: &web_sys::HtmlMediaElement) -> Result<(), rtcweb::Error> {
/// rtcweb::play(video).await?;
/// # Ok(()) }
/// ```
pub async fn play(element: &HtmlMediaElement) -> Result<(), Error> {
    sys::media::play(element).await
}

// ---------------------------------------------------------------------------------------------
// The owner of a capture.

/// The camera, microphone or screen this page captured: a [`MediaStream`] whose tracks are
/// stopped when this is dropped (so the camera light goes off).
///
/// It is not `Clone`, because dropping stops the tracks: share it through an `Rc`, or hand out
/// [`MediaTrack`] and [`MediaStream`] handles, which stop nothing.
///
/// ```no_run
/// # async fn run(pc: &rtcweb::PeerConnection) -> Result<(), rtcweb::Error> {
/// let media = rtcweb::get_user_media(&rtcweb::MediaConstraints::audio_video()).await?;
/// pc.add_stream(media.stream())?;
/// // ... the call ...
/// drop(media); // camera and microphone off
/// # Ok(()) }
/// ```
pub struct LocalMedia {
    stream: MediaStream,
    /// The tracks at capture, stopped on drop even if removed from the stream meanwhile.
    captured: Vec<MediaTrack>,
    /// False after `into_raw`: the tracks are someone else's to stop.
    owned: bool,
}

impl LocalMedia {
    /// Takes ownership of a browser stream's tracks: they are stopped when this is dropped.
    ///
    /// ```no_run
    /// # fn run(raw: web_sys::MediaStream) {
    /// let media = rtcweb::LocalMedia::from_raw(raw);
    /// # }
    /// ```
    pub fn from_raw(raw: web_sys::MediaStream) -> Self {
        let stream = MediaStream::from_raw(raw);
        let captured = stream.tracks();
        LocalMedia {
            stream,
            captured,
            owned: true,
        }
    }

    /// The stream, to send or show. Its handle stops nothing.
    ///
    /// ```no_run
    /// # fn run(media: &rtcweb::LocalMedia) {
    /// println!("{}", media.stream().id());
    /// # }
    /// ```
    pub fn stream(&self) -> &MediaStream {
        &self.stream
    }

    /// The browser's stream.
    ///
    /// ```no_run
    /// # fn run(media: &rtcweb::LocalMedia) {
    /// let raw: &web_sys::MediaStream = media.as_raw();
    /// # }
    /// ```
    pub fn as_raw(&self) -> &web_sys::MediaStream {
        self.stream.as_raw()
    }

    /// Gives up ownership: the tracks keep running after this, until stopped some other way.
    ///
    /// ```no_run
    /// # fn run(media: rtcweb::LocalMedia) {
    /// let raw: web_sys::MediaStream = media.into_raw();
    /// # }
    /// ```
    pub fn into_raw(mut self) -> web_sys::MediaStream {
        self.owned = false;
        // Not `.clone()`: web-sys gives MediaStream an inherent `clone()`, which is
        // `MediaStream.clone()` in JavaScript (new tracks), not a second reference.
        Clone::clone(&self.stream.raw)
    }

    /// Every track of the stream.
    ///
    /// ```no_run
    /// # fn run(media: &rtcweb::LocalMedia) {
    /// println!("{} tracks", media.tracks().len());
    /// # }
    /// ```
    pub fn tracks(&self) -> Vec<MediaTrack> {
        self.stream.tracks()
    }

    /// The audio tracks.
    ///
    /// ```no_run
    /// # fn run(media: &rtcweb::LocalMedia) {
    /// let mic = media.audio_tracks().into_iter().next();
    /// # }
    /// ```
    pub fn audio_tracks(&self) -> Vec<MediaTrack> {
        self.stream.audio_tracks()
    }

    /// The video tracks.
    ///
    /// ```no_run
    /// # fn run(media: &rtcweb::LocalMedia) {
    /// let camera = media.video_tracks().into_iter().next();
    /// # }
    /// ```
    pub fn video_tracks(&self) -> Vec<MediaTrack> {
        self.stream.video_tracks()
    }

    /// Stops every track now; dropping does the same.
    ///
    /// ```no_run
    /// # fn run(media: &rtcweb::LocalMedia) {
    /// media.stop();
    /// # }
    /// ```
    pub fn stop(&self) {
        for track in self.captured.iter().chain(self.stream.tracks().iter()) {
            track.stop();
        }
    }
}

impl Drop for LocalMedia {
    fn drop(&mut self) {
        if self.owned {
            self.stop();
        }
    }
}

impl std::fmt::Debug for LocalMedia {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalMedia")
            .field("stream", &self.stream)
            .finish()
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
