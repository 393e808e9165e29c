//! Database locations and their REST URLs (pure, so native tests cover it).

use crate::error::{Error, SignalingError};

/// Characters Firebase refuses in keys (besides `/`, which separates them, and control
/// characters).
const FORBIDDEN: &[char] = &['.', '$', '#', '[', ']'];
/// Firebase's limit on a key's length in bytes.
const MAX_KEY_BYTES: usize = 768;

/// Splits a path such as `"/rooms/abc/"` into checked keys.
pub(crate) fn parse_path(path: &str) -> Result<Vec<String>, Error> {
    path.split('/')
        .filter(|key| !key.is_empty())
        .map(|key| check_key(key).map(|()| key.to_owned()))
        .collect()
}

/// Checks one key against Firebase's rules.
pub(crate) fn check_key(key: &str) -> Result<(), Error> {
    let bad = |why: String| Error::Signaling(SignalingError::InvalidPath(why));
    if key.is_empty() {
        return Err(bad("a key cannot be empty".into()));
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(bad(format!("key is longer than {MAX_KEY_BYTES} bytes")));
    }
    if let Some(c) = key
        .chars()
        .find(|c| FORBIDDEN.contains(c) || c.is_control() || *c == '/')
    {
        return Err(bad(format!(
            "key {key:?} contains {c:?}, which Firebase forbids"
        )));
    }
    Ok(())
}

/// The REST URL of `keys` under `base`, with query parameters (percent-encoded).
pub(crate) fn rest_url(base: &str, keys: &[String], params: &[(&str, String)]) -> String {
    let mut url = base.trim_end_matches('/').to_owned();
    url.push('/');
    url.push_str(
        &keys
            .iter()
            .map(|k| percent_encode(k))
            .collect::<Vec<_>>()
            .join("/"),
    );
    url.push_str(".json");
    for (i, (name, value)) in params.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(name);
        url.push('=');
        url.push_str(&percent_encode(value));
    }
    url
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_checked_keys() {
        assert_eq!(parse_path("/rooms/abc/").unwrap(), ["rooms", "abc"]);
        assert!(parse_path("").unwrap().is_empty());
        for bad in ["a.b", "x/$y", "h#", "[i]", "tab\there"] {
            assert!(
                matches!(
                    parse_path(bad),
                    Err(Error::Signaling(SignalingError::InvalidPath(_)))
                ),
                "{bad:?}"
            );
        }
        assert!(check_key(&"k".repeat(769)).is_err());
    }

    #[test]
    fn urls_encode_keys_and_parameters() {
        let keys = vec!["rooms".to_owned(), "a b&c".to_owned()];
        let url = rest_url(
            "https://db.example.com/",
            &keys,
            &[("orderBy", "\"$key\"".into()), ("auth", "t=1".into())],
        );
        assert_eq!(
            url,
            "https://db.example.com/rooms/a%20b%26c.json?orderBy=%22%24key%22&auth=t%3D1"
        );
        assert_eq!(rest_url("http://h:1", &[], &[]), "http://h:1/.json");
    }
}
