//! Keys and paths: the shared rules of `rtcweb_protocol::path`, with the server's messages.

pub(crate) use rtcweb_protocol::path::{is_prefix, parse, to_string, Path, MAX_KEY_BYTES};

/// Why a key or path is refused; the text is Firebase's `error` message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PathError {
    /// A character Firebase forbids in keys (`. $ # [ ] /` or an ASCII control character), an
    /// empty key, or a broken percent-encoding.
    InvalidToken,
    /// A key longer than [`MAX_KEY_BYTES`].
    TooLong,
}

impl From<rtcweb_protocol::Error> for PathError {
    fn from(err: rtcweb_protocol::Error) -> Self {
        match err {
            rtcweb_protocol::Error::KeyTooLong(_) => PathError::TooLong,
            _ => PathError::InvalidToken,
        }
    }
}

impl PathError {
    /// The message Firebase sends for this error in a URL path.
    pub(crate) fn message(&self) -> String {
        match self {
            PathError::InvalidToken => "Invalid path: Invalid token in path".to_owned(),
            PathError::TooLong => {
                format!("Invalid path: key longer than {MAX_KEY_BYTES} bytes")
            }
        }
    }
}

/// Checks one key as Firebase does (the shared rules of `rtcweb_protocol::path`).
pub(crate) fn check_key(key: &str) -> Result<(), PathError> {
    rtcweb_protocol::path::check_key(key).map_err(PathError::from)
}

/// Turns the URL path (before `.json`) into a tree path: percent-decodes each segment, then checks it.
pub(crate) fn from_url(raw: &str) -> Result<Path, PathError> {
    rtcweb_protocol::path::from_url(raw).map_err(PathError::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_with_forbidden_characters_are_refused() {
        for key in ["a.b", "a$", "#", "[x", "x]", "a/b", "a\u{7f}", "\n", ""] {
            assert_eq!(check_key(key), Err(PathError::InvalidToken), "{key:?}");
        }
        assert_eq!(check_key("-Nabc_09 é"), Ok(()));
        assert_eq!(check_key(&"k".repeat(768)), Ok(()));
        assert_eq!(check_key(&"k".repeat(769)), Err(PathError::TooLong));
    }

    #[test]
    fn url_paths_are_decoded_and_checked() {
        assert_eq!(
            from_url("/rooms/r%201/"),
            Ok(vec!["rooms".into(), "r 1".into()])
        );
        assert_eq!(from_url(""), Ok(vec![]));
        assert_eq!(from_url("/a%2Fb"), Err(PathError::InvalidToken));
        assert_eq!(from_url("/a%2"), Err(PathError::InvalidToken));
        assert_eq!(from_url("/a.b"), Err(PathError::InvalidToken));
        assert_eq!(parse("a//b"), Ok(vec!["a".into(), "b".into()]));
        assert_eq!(to_string(&[]), "/");
        assert_eq!(to_string(&["a".into(), "b".into()]), "/a/b");
        assert!(is_prefix(&["a".into()], &["a".into(), "b".into()]));
        assert!(!is_prefix(&["b".into()], &["a".into(), "b".into()]));
    }
}
