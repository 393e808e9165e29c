//! The local copy of a streamed location, kept up to date from `put` and `patch` events
//! (pure, so native tests cover it).

use rtcweb_protocol::event::Event;
use serde_json::Value;

use crate::error::{Error, SignalingError};

/// One change that the server streamed, relative to the subscribed location.
///
/// ```
/// use rtcweb::signaling::DatabaseEvent;
///
/// let event = DatabaseEvent::Put { path: "/offer".into(), data: serde_json::json!({"type": "offer"}) };
/// assert_eq!(event.path(), "/offer");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum DatabaseEvent {
    /// `data` replaces whatever was at `path` (`null` deletes it). The first event of every
    /// connection is a put at `/` of the whole location.
    Put {
        /// Where, relative to the subscribed location, starting with `/`.
        path: String,
        /// The new value.
        data: Value,
    },
    /// Each child of `data` replaces the child of that name at `path`.
    Patch {
        /// Where, relative to the subscribed location, starting with `/`.
        path: String,
        /// The children to replace.
        data: Value,
    },
}

impl DatabaseEvent {
    /// Where the change happened, relative to the subscribed location.
    ///
    /// ```
    /// # use rtcweb::signaling::DatabaseEvent;
    /// let e = DatabaseEvent::Patch { path: "/".into(), data: serde_json::json!({}) };
    /// assert_eq!(e.path(), "/");
    /// ```
    pub fn path(&self) -> &str {
        match self {
            DatabaseEvent::Put { path, .. } | DatabaseEvent::Patch { path, .. } => path,
        }
    }

    /// Reads the `data:` line of a `put` or `patch` event: `{"path": ..., "data": ...}`.
    pub(crate) fn parse(kind: &str, json: &str) -> Result<DatabaseEvent, Error> {
        let event = Event::parse(kind, json)
            .map_err(|err| Error::Signaling(SignalingError::MalformedJson(err.to_string())))?;
        Ok(match event {
            Event::Put { path, data } => DatabaseEvent::Put { path, data },
            Event::Patch { path, data } => DatabaseEvent::Patch { path, data },
        })
    }

    /// Applies the change to the local copy `root` (`rtcweb_protocol::event::Event::apply`).
    pub(crate) fn apply(&self, root: &mut Value) {
        match self {
            DatabaseEvent::Put { path, data } => {
                rtcweb_protocol::event::apply_put(root, path, data)
            }
            DatabaseEvent::Patch { path, data } => {
                rtcweb_protocol::event::apply_patch(root, path, data)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn put_and_patch_keep_the_local_copy() {
        let mut root = Value::Null;
        let events = [
            r#"{"path":"/","data":{"offer":{"type":"offer"},"c":{"a":1}}}"#,
            r#"{"path":"/c/b","data":2}"#,
            r#"{"path":"/offer","data":null}"#,
        ];
        for e in events {
            DatabaseEvent::parse("put", e).unwrap().apply(&mut root);
        }
        assert_eq!(root, json!({"c": {"a": 1, "b": 2}}));
        DatabaseEvent::parse("patch", r#"{"path":"/c","data":{"a":null,"x/y":3}}"#)
            .unwrap()
            .apply(&mut root);
        assert_eq!(root, json!({"c": {"b": 2, "x": {"y": 3}}}));
        DatabaseEvent::parse("put", r#"{"path":"/","data":null}"#)
            .unwrap()
            .apply(&mut root);
        assert_eq!(root, Value::Null);
    }

    #[test]
    fn malformed_event_data_is_an_error() {
        for bad in ["", "nope", "[]", r#"{"data":1}"#, r#"{"path":3}"#] {
            assert!(
                matches!(
                    DatabaseEvent::parse("put", bad),
                    Err(Error::Signaling(SignalingError::MalformedJson(_)))
                ),
                "{bad:?}"
            );
        }
    }
}
