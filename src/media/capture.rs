//! Capture: [`get_user_media`], [`get_display_media`], devices, and [`LocalMedia`], the owner
//! of a capture.

use super::stream::MediaStream;
use super::track::MediaTrack;
use crate::error::Error;
use crate::event::EventStream;
use crate::sys;
use crate::types::constraints::MediaConstraints;
use crate::types::media::{explain, DeviceInfo};

/// Stops the tracks of a capture whose future was dropped before the browser answered.
struct AbandonedCapture(Option<js_sys::Promise>);

impl Drop for AbandonedCapture {
    fn drop(&mut self) {
        if let Some(promise) = self.0.take() {
            sys::devices::stop_when_resolved(promise);
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
        let stream = sys::devices::stream_from(promise).await;
        if let Some(guard) = guard.as_mut() {
            guard.0 = None;
        }
        Ok(LocalMedia::from_raw(stream.map_err(explain)?))
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
    let js = sys::to_js(&constraints.to_js());
    capture(sys::devices::get_user_media(&js))
}

/// [`get_user_media`] with the browser's own [`MediaStreamConstraints`] dictionary, as JSON:
/// for constraints the typed [`MediaConstraints`] does not cover (and for the npm package,
/// whose callers pass dictionaries).
///
/// # Errors
/// As [`get_user_media`].
///
/// ```no_run
/// # async fn run() -> Result<(), rtcweb::Error> {
/// let constraints = serde_json::json!({ "video": { "width": { "ideal": 1280 }, "resizeMode": "none" } });
/// let camera = rtcweb::media::get_user_media_with(&constraints).await?;
/// # Ok(()) }
/// ```
///
/// [`MediaStreamConstraints`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/getUserMedia#constraints
pub fn get_user_media_with(
    constraints: &serde_json::Value,
) -> impl std::future::Future<Output = Result<LocalMedia, Error>> + 'static {
    capture(sys::devices::get_user_media(&sys::to_js(constraints)))
}

/// [`get_display_media`] with the browser's own constraints dictionary, as JSON.
///
/// # Errors
/// As [`get_display_media`].
///
/// ```no_run
/// # async fn run() -> Result<(), rtcweb::Error> {
/// let tab = rtcweb::media::get_display_media_with(&serde_json::json!({ "video": true, "audio": true })).await?;
/// # Ok(()) }
/// ```
pub fn get_display_media_with(
    constraints: &serde_json::Value,
) -> impl std::future::Future<Output = Result<LocalMedia, Error>> + 'static {
    capture(sys::devices::get_display_media(&sys::to_js(constraints)))
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
/// let screen = rtcweb::media::get_display_media(&rtcweb::MediaConstraints::video_only()).await?;
/// # Ok(()) }
/// ```
///
/// [`getDisplayMedia`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/getDisplayMedia
pub fn get_display_media(
    constraints: &MediaConstraints,
) -> impl std::future::Future<Output = Result<LocalMedia, Error>> + 'static {
    let js = sys::to_js(&constraints.to_js());
    capture(sys::devices::get_display_media(&js))
}

/// The cameras, microphones and speakers ([`enumerateDevices`]).
///
/// # Errors
/// [`Error::Security`] outside a secure context; [`Error::Unsupported`] in browsers without
/// it.
///
/// ```no_run
/// use rtcweb::media::DeviceKind;
/// # async fn run() -> Result<(), rtcweb::Error> {
/// let cameras = rtcweb::media::enumerate_devices()
///     .await?
///     .into_iter()
///     .filter(|d| d.kind == DeviceKind::VideoInput)
///     .count();
/// # Ok(()) }
/// ```
///
/// [`enumerateDevices`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/enumerateDevices
pub async fn enumerate_devices() -> Result<Vec<DeviceInfo>, Error> {
    sys::devices::enumerate_devices().await
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
/// let mut changes = rtcweb::media::device_changes()?;
/// while changes.next().await.is_some() {
///     let devices = rtcweb::media::enumerate_devices().await?;
/// }
/// # Ok(()) }
/// ```
///
/// [`devicechange`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/devicechange_event
pub fn device_changes() -> Result<EventStream<()>, Error> {
    let target = sys::devices::media_devices_target()?;
    Ok(EventStream::listen(&target, "devicechange", None, |_| {
        Some(())
    }))
}

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
