//! Database locations and their REST URLs (pure, so native tests cover it).

use crate::error::{Error, SignalingError};

/// Splits a path such as `"/rooms/abc/"` into checked keys.
pub(crate) fn parse_path(path: &str) -> Result<Vec<String>, Error> {
    rtcweb_protocol::path::parse(path).map_err(invalid)
}

/// Checks one key against Firebase's rules (`rtcweb_protocol::path::check_key`).
pub(crate) fn check_key(key: &str) -> Result<(), Error> {
    rtcweb_protocol::path::check_key(key).map_err(invalid)
}

fn invalid(err: rtcweb_protocol::Error) -> Error {
    Error::Signaling(SignalingError::InvalidPath(err.to_string()))
}

/// The REST URL of `keys` under `base`, with query parameters (percent-encoded).
pub(crate) fn rest_url(base: &str, keys: &[String], params: &[(&str, String)]) -> String {
    let mut url = base.trim_end_matches('/').to_owned();
    url.push('/');
    url.push_str(&rtcweb_protocol::path::to_url(keys));
    url.push_str(".json");
    for (i, (name, value)) in params.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(name);
        url.push('=');
        url.push_str(&rtcweb_protocol::path::percent_encode(value));
    }
    url
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
        // Only ASCII control characters are refused, as on Firebase.
        assert!(check_key("a\u{85}").is_ok());
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
