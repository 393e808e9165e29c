//! Plain data and pure logic: what the browser's WebRTC objects take and report, with no
//! browser in sight. This layer imports only [`crate::error`], so every file here is covered by
//! native `cargo test`; `sys` converts these types to and from JavaScript.

pub mod channel;
pub mod config;
pub mod constraints;
pub mod framing;
pub mod ice;
pub(crate) mod json;
pub mod media;
pub mod sdp;
pub mod stats;
