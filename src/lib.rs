//! rtcweb: WebRTC for Rust in the browser.
//!
//! The crate compiles to WebAssembly and wraps the browser's WebRTC: peer connections, data
//! channels, camera and microphone, ICE and stats, as futures and streams. It also compiles
//! natively, so its pure logic is tested with plain `cargo test`.
//!
//! ```
//! assert!(!rtcweb::VERSION.is_empty());
//! ```

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
