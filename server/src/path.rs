//! Keys and paths: what Firebase accepts as a child name, and how a URL becomes a path.

/// Longest key Firebase accepts, in UTF-8 bytes.
pub(crate) const MAX_KEY_BYTES: usize = 768;

/// A path in the tree: the keys from the root down.
pub(crate) type Path = Vec<String>;

/// Why a key or path is refused; the text is Firebase's `error` message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PathError {
    /// A character Firebase forbids in keys (`. $ # [ ] /` or an ASCII control character).
    InvalidToken,
    /// A key longer than [`MAX_KEY_BYTES`].
    TooLong,
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

/// Checks one key as Firebase does: not empty, no `. $ # [ ] /`, no ASCII control characters,
/// at most 768 bytes.
pub(crate) fn check_key(key: &str) -> Result<(), PathError> {
    if key.is_empty()
        || key
            .chars()
            .any(|c| matches!(c, '.' | '$' | '#' | '[' | ']' | '/') || c.is_ascii_control())
    {
        return Err(PathError::InvalidToken);
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(PathError::TooLong);
    }
    Ok(())
}

/// Splits a `/`-separated path (empty segments are skipped, as Firebase does) and checks each key.
pub(crate) fn parse(path: &str) -> Result<Path, PathError> {
    path.split('/')
        .filter(|key| !key.is_empty())
        .map(|key| check_key(key).map(|()| key.to_owned()))
        .collect()
}

/// Turns the URL path (before `.json`) into a tree path: percent-decodes each segment, then checks it.
pub(crate) fn from_url(raw: &str) -> Result<Path, PathError> {
    raw.split('/')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            // An encoded `/` (`%2F`) inside a segment stays one key, so it is refused there.
            let key = percent_decode(segment).ok_or(PathError::InvalidToken)?;
            check_key(&key).map(|()| key)
        })
        .collect()
}

/// `a/b/c` style text for a path, with a leading `/` (the root is `/`).
pub(crate) fn to_string(path: &[String]) -> String {
    format!("/{}", path.join("/"))
}

/// Whether `prefix` is an ancestor of `path` or `path` itself.
pub(crate) fn is_prefix(prefix: &[String], path: &[String]) -> bool {
    path.len() >= prefix.len() && path.iter().zip(prefix).all(|(a, b)| a == b)
}

fn percent_decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes.get(i) {
            Some(b'%') => {
                let hex = bytes.get(i + 1..i + 3)?;
                let text = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(text, 16).ok()?);
                i += 3;
            }
            Some(&byte) => {
                out.push(byte);
                i += 1;
            }
            None => break,
        }
    }
    String::from_utf8(out).ok()
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
