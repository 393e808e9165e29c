//! rtcweb: WebRTC for Rust in the browser.
//!
//! The crate compiles to WebAssembly and wraps the browser's WebRTC as typed Rust: peer
//! connections, ICE and data channels, as futures and streams. Nothing that comes from
//! JavaScript can panic: every failure is an [`Error`]. The types that travel through
//! signaling ([`SessionDescription`], [`IceCandidate`]) serialize to exactly the JSON of the
//! browser's `toJSON()`, so JavaScript peers read them as they are.
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

#[macro_use]
mod macros;

mod data_channel;
mod error;
mod event;
mod framing;
mod ice;
mod peer;
mod sdp;
pub mod signaling;
mod sys;

pub use data_channel::{DataChannel, DataChannelOptions, DataChannelState, Message, Oversized};
pub use error::Error;
pub use event::EventStream;
pub use framing::{MAX_REASSEMBLED, SPLIT_PROTOCOL};
pub use ice::{
    CandidateLine, IceCandidate, IceCandidateType, IceConnectionState, IceGatheringState,
    IceProtocol, IceServer, IceTcpType, IceTransportPolicy, IntoUrls,
};
pub use peer::{
    BundlePolicy, Configuration, OfferOptions, PeerConnection, PeerConnectionState, SignalingState,
};
pub use sdp::{SdpType, SessionDescription};

use wasm_bindgen::prelude::*;

/// The version of this crate, as published.
///
/// ```
/// println!("rtcweb {}", rtcweb::VERSION);
/// ```
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The crate's version, for JavaScript callers of the npm package.
///
/// ```
/// assert_eq!(rtcweb::version(), rtcweb::VERSION);
/// ```
#[wasm_bindgen]
pub fn version() -> String {
    VERSION.to_owned()
}
