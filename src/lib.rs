//! rtcweb: WebRTC for Rust in the browser.
//!
//! The crate compiles to WebAssembly and wraps the browser's WebRTC as typed Rust: peer
//! connections, ICE and data channels, as futures and streams. Nothing that comes from
//! JavaScript can panic: every failure is an [`Error`]. The types that travel through
//! signaling ([`SessionDescription`], [`IceCandidate`]) serialize to exactly the JSON of the
//! browser's `toJSON()`, so JavaScript peers read them as they are.
//!
//! One module per concept: [`peer`] (connections and their configuration), [`ice`] (candidates,
//! servers, states), [`sdp`] (descriptions), [`data_channel`], [`media`] (capture, tracks,
//! streams, senders and receivers), [`stats`], [`signaling`] (the Firebase REST client and
//! rooms), [`event`] (browser events as streams), [`support`] (what the browser has) and
//! [`error`]. The types most programs need are also at the root.
//!
//! A complete exchange between two connections in one page (in a real application the
//! offer, the answer and the candidates travel through signaling):
//!
//! ```no_run
//! use futures::{FutureExt, StreamExt};
//! use rtcweb::{Configuration, DataChannelOptions, Message, PeerConnection};
//!
//! # async fn run() -> Result<(), rtcweb::Error> {
//! let alice = PeerConnection::new(&Configuration::default())?;
//! let bob = PeerConnection::new(&Configuration::default())?;
//!
//! // Trickle ICE: each side's candidates go to the other as they are found.
//! let mut alice_candidates = alice.ice_candidates();
//! let mut bob_candidates = bob.ice_candidates();
//! let mut bob_channels = bob.data_channels();
//!
//! let chat = alice.create_data_channel(&DataChannelOptions::new("chat"))?;
//! let offer = alice.create_offer(&Default::default()).await?;
//! alice.set_local_description(&offer).await?;
//! bob.set_remote_description(&offer).await?;
//! let answer = bob.create_answer().await?;
//! bob.set_local_description(&answer).await?;
//! alice.set_remote_description(&answer).await?;
//!
//! let trickle = async {
//!     loop {
//!         futures::select! {
//!             c = alice_candidates.next().fuse() => match c {
//!                 Some(c) => bob.add_ice_candidate(&c).await?,
//!                 None => break,
//!             },
//!             c = bob_candidates.next().fuse() => match c {
//!                 Some(c) => alice.add_ice_candidate(&c).await?,
//!                 None => break,
//!             },
//!         }
//!     }
//!     Ok::<(), rtcweb::Error>(())
//! };
//! let talk = async {
//!     chat.opened().await?;
//!     chat.send_text("hello, Bob").await?;
//!     let bob_chat = bob_channels.next().await.expect("Bob gets the channel");
//!     let first = bob_chat.messages().next().await;
//!     assert_eq!(first, Some(Message::Text("hello, Bob".into())));
//!     Ok::<(), rtcweb::Error>(())
//! };
//! futures::select! {
//!     result = trickle.fuse() => result?,
//!     result = talk.fuse() => result?,
//! }
//! # Ok(()) }
//! ```
//!
//! ## Media
//!
//! [`get_user_media`] opens the camera and microphone with typed constraints and returns a
//! [`LocalMedia`], which stops its tracks when dropped (a capture whose future is dropped early
//! is stopped too). Tracks go out with [`PeerConnection::add_stream`] or
//! [`PeerConnection::add_track`], arrive on the other side through [`PeerConnection::tracks`],
//! and play in a `<video>` with [`MediaStream::attach`]. [`media::RtpSender::replace_track`] switches
//! cameras without renegotiation, and [`PeerConnection::stats`] gives typed statistics.
//!
//! ```no_run
//! use futures::StreamExt;
//! use rtcweb::{MediaConstraints, PeerConnection, media::{AttachOptions, MediaKind, VideoConstraints}};
//!
//! # async fn run(caller: &PeerConnection, callee: &PeerConnection, video: &web_sys::HtmlMediaElement) -> Result<(), rtcweb::Error> {
//! let mut incoming = callee.tracks(); // before the offer is applied
//! let media = rtcweb::get_user_media(
//!     &MediaConstraints::audio_video().with_video(VideoConstraints::ideal_size(1280, 720)),
//! )
//! .await?;
//! caller.add_stream(media.stream())?;
//! // ... offer, answer and candidates as above ...
//! if let Some(stream) = incoming.next().await.and_then(|r| r.streams.first().cloned()) {
//!     stream.attach(video, &AttachOptions::default())?;
//! }
//! let report = callee.stats().await?;
//! if let Some(video_in) = report.inbound(MediaKind::Video) {
//!     println!("{:?}x{:?}, {} packets lost", video_in.frame_width, video_in.frame_height, video_in.packets_lost);
//! }
//! drop(media); // camera and microphone off
//! # Ok(()) }
//! ```
//!
//! ## Old browsers
//!
//! Vendor-prefixed constructors (`webkitRTCPeerConnection`, `mozRTCPeerConnection`, ...),
//! callback-style methods, ICE servers with a singular `url`, `addStream` / `onaddstream` and
//! the callback `getUserMedia` of old browsers are handled underneath, per call, without
//! patching `window`. [`support::implementation`] reports what the page has:
//!
//! ```no_run
//! let found = rtcweb::support::implementation();
//! if found.peer_connection.is_none() {
//!     println!("no WebRTC here");
//! }
//! ```

#[macro_use]
mod macros;

pub mod error;
pub mod event;
mod sys;
mod types;

pub mod call;
pub mod data_channel;
#[cfg(feature = "js-data")]
mod js;
pub mod media;
pub mod peer;
pub mod signaling;
pub mod support;

pub use types::{ice, sdp, stats};

// What a user reaches for first; everything else is in its concept's module.
pub use data_channel::{DataChannel, DataChannelOptions, Message};
pub use error::Error;
pub use ice::{IceCandidate, IceServer};
pub use media::{get_user_media, LocalMedia, MediaConstraints, MediaStream, MediaTrack};
pub use peer::{Configuration, PeerConnection};
pub use sdp::SessionDescription;

/// The version of this crate, as published.
///
/// ```
/// println!("rtcweb {}", rtcweb::VERSION);
/// ```
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
