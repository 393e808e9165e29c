//! Signaling over the Firebase Realtime Database REST protocol.
//!
//! Two browsers meet in a room on a database that speaks Firebase's REST and streaming protocol:
//! a real Firebase Realtime Database (to scale past one machine) or `rtcweb-signal`, the local
//! server this project ships. [`Database`] and [`Reference`] are a typed REST client;
//! [`Reference::subscribe`] streams changes over Server-Sent Events; [`Room`] is the seed's
//! `send(key, value)` / `recv(key)` plus trickled candidates, presence and cleanup.
//!
//! ```no_run
//! use rtcweb::signaling::Database;
//!
//! # async fn run() -> Result<(), rtcweb::Error> {
//! let db = Database::new("http://127.0.0.1:8080");
//! let greeting = db.reference("greetings/first")?;
//! greeting.set(&"hello").await?;
//! assert_eq!(greeting.get_as::<String>().await?, "hello");
//! # Ok(()) }
//! ```

mod database;
mod location;
mod room;
mod subscription;
mod tree;

pub use database::{increment, server_timestamp, ConditionalWrite, Database, Query, Reference};
pub use room::{sweep_stale_rooms, ExitCleanup, Room};
pub use subscription::Subscription;
pub use tree::DatabaseEvent;

/// What went wrong talking to the database.
///
/// ```
/// use rtcweb::signaling::SignalingError;
///
/// let err = SignalingError::Http { status: 400, message: "Invalid path".into() };
/// assert_eq!(err.to_string(), "the database answered 400: Invalid path");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignalingError {
    /// The server could not be reached (a network error, or no server at that address).
    #[error("the database is unreachable: {0}")]
    Unreachable(String),
    /// The server refused by its security rules (HTTP 401 or 403).
    #[error("permission denied: {0}")]
    PermissionDenied(String),
    /// Any other HTTP error, with Firebase's `{"error": ...}` message.
    #[error("the database answered {status}: {message}")]
    Http {
        /// The HTTP status.
        status: u16,
        /// Firebase's error message, or the response text.
        message: String,
    },
    /// The server's answer is not the JSON expected, or a value does not fit the type asked for.
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    /// The server cancelled a stream, because the rules no longer allow reading it.
    #[error("the stream was cancelled: {0}")]
    Cancelled(String),
    /// The stream's auth token expired or was revoked.
    #[error("the stream's credential was revoked")]
    AuthRevoked,
    /// A path or key that Firebase does not accept.
    #[error("invalid path: {0}")]
    InvalidPath(String),
}

impl From<SignalingError> for crate::Error {
    fn from(err: SignalingError) -> Self {
        crate::Error::Signaling(err)
    }
}
