//! Streams ([`MediaStream`]) and showing them in `<video>` and `<audio>` elements.
//!
//! [`MediaStream`]: https://developer.mozilla.org/en-US/docs/Web/API/MediaStream

use wasm_bindgen::JsCast;
use web_sys::{HtmlMediaElement, MediaStreamTrack};

use super::track::MediaTrack;
use crate::error::Error;
use crate::sys;
use crate::types::media::{MediaKind, TrackState};

/// A group of tracks played together ([`MediaStream`]): a capture, or what a remote peer
/// sends.
///
/// A handle: cloning it gives another handle to the same stream, and dropping it stops
/// nothing (see [`LocalMedia`](super::LocalMedia) for captures).
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
    pub(super) raw: web_sys::MediaStream,
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
        sys::track::new_stream(&raw).map(MediaStream::from_raw)
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
        sys::track::stream_add_track(&self.raw, &track.raw)
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
        sys::track::stream_remove_track(&self.raw, &track.raw)
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
    /// stream.attach(video.unchecked_ref(), &rtcweb::media::AttachOptions::muted())?;
    /// # Ok(()) }
    /// ```
    pub fn attach(&self, element: &HtmlMediaElement, options: &AttachOptions) -> Result<(), Error> {
        sys::element::attach(element, &self.raw, options.autoplay, options.muted)
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
    sys::track::stream_tracks_of(stream, kind)
        .into_iter()
        .map(|t| MediaTrack::from_raw(t.unchecked_into()))
        .collect()
}

/// How [`MediaStream::attach`] sets up an element.
///
/// ```
/// let preview = rtcweb::media::AttachOptions::muted();
/// assert!(preview.muted && preview.autoplay);
/// let call = rtcweb::media::AttachOptions::default();
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
    /// assert!(rtcweb::media::AttachOptions::muted().muted);
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
/// rtcweb::media::detach(video);
/// # }
/// ```
pub fn detach(element: &HtmlMediaElement) {
    sys::element::detach(element);
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
/// rtcweb::media::play(video).await?;
/// # Ok(()) }
/// ```
pub async fn play(element: &HtmlMediaElement) -> Result<(), Error> {
    sys::element::play(element).await
}
