//! Keys and paths: what Firebase accepts as a child name, how a path splits into keys, and how
//! keys are written in and read from URLs.
//!
//! A key is not empty, is at most [`MAX_KEY_BYTES`] bytes of UTF-8, and holds none of
//! `. $ # [ ] /` nor an ASCII control character (0–31 and 127), as Firebase documents. Other
//! Unicode (including non-ASCII control characters) is allowed, as on Firebase.
//!
//! ```
//! use rtcweb_protocol::path;
//! assert_eq!(path::parse("/rooms//abc/").unwrap(), ["rooms", "abc"]);
//! assert_eq!(path::to_string(&path::parse("rooms/abc").unwrap()), "/rooms/abc");
//! ```

use crate::Error;

/// Longest key Firebase accepts, in UTF-8 bytes.
pub const MAX_KEY_BYTES: usize = 768;

/// A path in the tree: the keys from the root down.
pub type Path = Vec<String>;

/// Whether Firebase forbids `c` in a key: `. $ # [ ] /` and ASCII control characters.
///
/// ```
/// use rtcweb_protocol::path::is_forbidden;
/// assert!(is_forbidden('#') && is_forbidden('\u{7f}') && is_forbidden('\n'));
/// assert!(!is_forbidden('\u{85}') && !is_forbidden('é'));
/// ```
pub fn is_forbidden(c: char) -> bool {
    matches!(c, '.' | '$' | '#' | '[' | ']' | '/') || c.is_ascii_control()
}

/// Checks one key as Firebase does.
///
/// # Errors
/// [`Error::EmptyKey`], [`Error::ForbiddenCharacter`] (the first one found), then
/// [`Error::KeyTooLong`].
///
/// ```
/// use rtcweb_protocol::{path::check_key, Error};
/// assert_eq!(check_key("-Nabc_09 é"), Ok(()));
/// assert_eq!(check_key(""), Err(Error::EmptyKey));
/// ```
pub fn check_key(key: &str) -> Result<(), Error> {
    if key.is_empty() {
        return Err(Error::EmptyKey);
    }
    if let Some(c) = key.chars().find(|&c| is_forbidden(c)) {
        return Err(Error::ForbiddenCharacter(c));
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(Error::KeyTooLong(key.len()));
    }
    Ok(())
}

/// Splits a `/`-separated path (empty segments are skipped, as Firebase does) and checks each key.
///
/// # Errors
/// As [`check_key`], for the first bad key.
///
/// ```
/// assert!(rtcweb_protocol::path::parse("").unwrap().is_empty());
/// assert!(rtcweb_protocol::path::parse("a/b.c").is_err());
/// ```
pub fn parse(path: &str) -> Result<Path, Error> {
    path.split('/')
        .filter(|key| !key.is_empty())
        .map(|key| check_key(key).map(|()| key.to_owned()))
        .collect()
}

/// Turns a URL path (before `.json`) into a tree path: percent-decodes each segment, then
/// checks it. An encoded `/` (`%2F`) stays inside its key, so it is refused there.
///
/// # Errors
/// [`Error::BadEncoding`] for a broken escape or non-UTF-8 bytes; otherwise as [`check_key`].
///
/// ```
/// use rtcweb_protocol::path::from_url;
/// assert_eq!(from_url("/rooms/r%201/").unwrap(), ["rooms", "r 1"]);
/// ```
pub fn from_url(raw: &str) -> Result<Path, Error> {
    raw.split('/')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            let key = percent_decode(segment).ok_or(Error::BadEncoding)?;
            check_key(&key).map(|()| key)
        })
        .collect()
}

/// The URL path of `keys` (without `.json`): each key percent-encoded, joined by `/`.
///
/// ```
/// let keys = ["rooms".to_owned(), "a b&c".to_owned()];
/// assert_eq!(rtcweb_protocol::path::to_url(&keys), "rooms/a%20b%26c");
/// ```
pub fn to_url(keys: &[String]) -> String {
    keys.iter()
        .map(|k| percent_encode(k))
        .collect::<Vec<_>>()
        .join("/")
}

/// `/a/b` style text for a path, with a leading `/` (the root is `/`), as events carry it.
///
/// ```
/// assert_eq!(rtcweb_protocol::path::to_string(&[]), "/");
/// ```
pub fn to_string(path: &[String]) -> String {
    format!("/{}", path.join("/"))
}

/// Whether `prefix` is an ancestor of `path` or `path` itself.
///
/// ```
/// use rtcweb_protocol::path::{is_prefix, parse};
/// assert!(is_prefix(&parse("a").unwrap(), &parse("a/b").unwrap()));
/// ```
pub fn is_prefix(prefix: &[String], path: &[String]) -> bool {
    path.len() >= prefix.len() && path.iter().zip(prefix).all(|(a, b)| a == b)
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
///
/// ```
/// assert_eq!(rtcweb_protocol::path::percent_encode("\"$key\""), "%22%24key%22");
/// ```
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes; `None` for a broken escape or bytes that are not UTF-8.
///
/// ```
/// assert_eq!(rtcweb_protocol::path::percent_decode("a%20b").as_deref(), Some("a b"));
/// assert_eq!(rtcweb_protocol::path::percent_decode("a%2"), None);
/// ```
pub fn percent_decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        if byte == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let text = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(text, 16).ok()?);
            i += 3;
        } else {
            out.push(byte);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_with_forbidden_characters_are_refused() {
        for key in [
            "a.b",
            "a$",
            "#",
            "[x",
            "x]",
            "a/b",
            "a\u{7f}",
            "\n",
            "tab\there",
        ] {
            assert!(
                matches!(check_key(key), Err(Error::ForbiddenCharacter(_))),
                "{key:?}"
            );
        }
        assert_eq!(check_key(""), Err(Error::EmptyKey));
        assert_eq!(check_key("-Nabc_09 é"), Ok(()));
        // Firebase refuses only ASCII control characters; C1 controls and the like are keys.
        assert_eq!(check_key("a\u{85}b\u{9f}"), Ok(()));
        assert_eq!(check_key(&"k".repeat(768)), Ok(()));
        assert_eq!(check_key(&"k".repeat(769)), Err(Error::KeyTooLong(769)));
        // The limit counts bytes, not characters.
        assert_eq!(check_key(&"é".repeat(385)), Err(Error::KeyTooLong(770)));
    }

    #[test]
    fn url_paths_are_decoded_and_checked() {
        assert_eq!(
            from_url("/rooms/r%201/"),
            Ok(vec!["rooms".into(), "r 1".into()])
        );
        assert_eq!(from_url(""), Ok(vec![]));
        assert_eq!(from_url("/a%2Fb"), Err(Error::ForbiddenCharacter('/')));
        assert_eq!(from_url("/a%2"), Err(Error::BadEncoding));
        assert_eq!(from_url("/%FF"), Err(Error::BadEncoding));
        assert_eq!(from_url("/a.b"), Err(Error::ForbiddenCharacter('.')));
        assert_eq!(parse("a//b"), Ok(vec!["a".into(), "b".into()]));
        assert_eq!(to_string(&[]), "/");
        assert_eq!(to_string(&["a".into(), "b".into()]), "/a/b");
        assert!(is_prefix(&["a".into()], &["a".into(), "b".into()]));
        assert!(!is_prefix(&["b".into()], &["a".into(), "b".into()]));
    }

    #[test]
    fn urls_round_trip() {
        let keys = vec!["a b&c".to_owned(), "é%".to_owned()];
        assert_eq!(from_url(&to_url(&keys)), Ok(keys));
        assert_eq!(percent_encode("t=1"), "t%3D1");
    }
}
