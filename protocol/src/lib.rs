//! The wire protocol shared by rtcweb's signaling client (`rtcweb::signaling`) and its local
//! server (`rtcweb-signal`): the Firebase Realtime Database rules written once.
//!
//! - [`path`]: what a key may hold, how a path splits into keys and how keys appear in URLs;
//! - [`tree`]: the stored form of data (no nulls, no empty objects, arrays as index keys), how
//!   a value is written at a path, and how it is rendered back;
//! - [`event`]: the `put` / `patch` streaming events (`{"path": ..., "data": ...}`);
//! - [`push_id`]: the chronological child names that `POST` creates;
//! - [`schema`]: the names of the rooms schema under `/rooms`.
//!
//! Where client and server once disagreed, the Firebase behaviour was chosen: only ASCII control
//! characters (0–31 and 127) are refused in keys, and empty objects vanish just as nulls do.
//!
//! ```
//! use rtcweb_protocol::{path, tree};
//!
//! let at = path::parse("/rooms/abc/offer").unwrap();
//! let mut root = serde_json::Value::Null;
//! tree::set(&mut root, &at, serde_json::json!({"type": "offer"}));
//! assert_eq!(root, serde_json::json!({"rooms": {"abc": {"offer": {"type": "offer"}}}}));
//! ```

#![deny(missing_docs)]

pub mod event;
pub mod path;
pub mod push_id;
pub mod schema;
pub mod tree;

/// Why a key, a path or an event is refused. Plain data: the client and the server map it to
/// their own errors (the client's `SignalingError`, the server's HTTP 400s).
///
/// ```
/// use rtcweb_protocol::{path, Error};
/// assert_eq!(path::check_key("a.b"), Err(Error::ForbiddenCharacter('.')));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// An empty key.
    EmptyKey,
    /// A key holding `. $ # [ ] /` or an ASCII control character.
    ForbiddenCharacter(char),
    /// A key longer than [`path::MAX_KEY_BYTES`]; the length in bytes.
    KeyTooLong(usize),
    /// A URL path segment whose percent-encoding is broken or is not UTF-8.
    BadEncoding,
    /// A streaming event whose data is not `{"path": string, "data": ...}`, or of an unknown
    /// kind; what is wrong.
    MalformedEvent(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::EmptyKey => write!(f, "a key cannot be empty"),
            Error::ForbiddenCharacter(c) => write!(f, "a key cannot contain {c:?}"),
            Error::KeyTooLong(bytes) => write!(
                f,
                "a key of {bytes} bytes is longer than {} bytes",
                path::MAX_KEY_BYTES
            ),
            Error::BadEncoding => write!(f, "a path segment is not valid percent-encoded UTF-8"),
            Error::MalformedEvent(why) => write!(f, "malformed event: {why}"),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_read_well() {
        assert_eq!(Error::EmptyKey.to_string(), "a key cannot be empty");
        assert_eq!(
            Error::ForbiddenCharacter('$').to_string(),
            "a key cannot contain '$'"
        );
        assert_eq!(
            Error::KeyTooLong(769).to_string(),
            "a key of 769 bytes is longer than 768 bytes"
        );
    }
}
