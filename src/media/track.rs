//! Tracks ([`MediaStreamTrack`]).
//!
//! [`MediaStreamTrack`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack

use web_sys::MediaStreamTrack;

use crate::error::Error;
use crate::event::next_event;
use crate::sys;
use crate::types::constraints::TrackConstraints;
use crate::types::media::{explain, MediaKind, TrackSettings, TrackState};

/// One audio or video track ([`MediaStreamTrack`]): from the camera or microphone, the
/// screen, or a remote peer.
///
/// A `MediaTrack` is a handle: cloning it gives another handle to the same track, and dropping
/// it leaves the track running. Local captures are stopped by their owner, [`LocalMedia`](super::LocalMedia).
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
    pub(super) raw: MediaStreamTrack,
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
    /// let is_audio = track.kind() == rtcweb::media::MediaKind::Audio;
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
        sys::track::set_enabled(&self.raw, enabled);
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
    /// let done = track.ready_state() == rtcweb::media::TrackState::Ended;
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
        sys::track::track_settings(&self.raw)
    }

    /// Changes the track's constraints while it runs, such as a lower resolution
    /// ([`applyConstraints`](https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/applyConstraints)).
    ///
    /// # Errors
    /// [`Error::Overconstrained`] when the source cannot meet a required constraint (the track
    /// keeps its previous settings); [`Error::Unsupported`] in browsers without it.
    ///
    /// ```no_run
    /// use rtcweb::media::VideoConstraints;
    /// # async fn run(camera: &rtcweb::MediaTrack) -> Result<(), rtcweb::Error> {
    /// camera.apply_constraints(VideoConstraints::ideal_size(320, 240)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn apply_constraints(
        &self,
        constraints: impl Into<TrackConstraints>,
    ) -> Result<(), Error> {
        let js = sys::to_js(&constraints.into().to_js());
        sys::track::apply_constraints(&self.raw, &js)
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
    /// assert_eq!(camera.ready_state(), rtcweb::media::TrackState::Ended);
    /// # }
    /// ```
    pub fn stop(&self) {
        sys::track::stop_track(&self.raw);
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
        sys::track::clone_track(&self.raw).map(MediaTrack::from_raw)
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
