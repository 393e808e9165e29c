//! The local copy of a streamed location, kept up to date from `put` and `patch` events
//! (pure, so native tests cover it).

use serde_json::{Map, Value};

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
        let malformed = |why: String| Error::Signaling(SignalingError::MalformedJson(why));
        let mut body: Map<String, Value> =
            serde_json::from_str(json).map_err(|err| malformed(format!("{kind} event: {err}")))?;
        let path = match body.remove("path") {
            Some(Value::String(path)) => path,
            _ => return Err(malformed(format!("{kind} event without a path"))),
        };
        let data = body.remove("data").unwrap_or(Value::Null);
        match kind {
            "put" => Ok(DatabaseEvent::Put { path, data }),
            _ => Ok(DatabaseEvent::Patch { path, data }),
        }
    }

    /// Applies the change to the local copy `root`.
    pub(crate) fn apply(&self, root: &mut Value) {
        match self {
            DatabaseEvent::Put { path, data } => set(root, &keys(path), data.clone()),
            DatabaseEvent::Patch { path, data } => {
                let base = keys(path);
                if let Value::Object(children) = data {
                    for (child, value) in children {
                        let mut at = base.clone();
                        at.extend(keys(child));
                        set(root, &at, value.clone());
                    }
                }
            }
        }
    }
}

fn keys(path: &str) -> Vec<&str> {
    path.split('/').filter(|k| !k.is_empty()).collect()
}

/// Writes `value` at `keys`; `null` deletes, and objects left empty vanish, as on the server.
fn set(node: &mut Value, keys: &[&str], value: Value) {
    let Some((first, rest)) = keys.split_first() else {
        *node = value;
        return;
    };
    if !node.is_object() {
        if value.is_null() {
            return;
        }
        *node = Value::Object(Map::new());
    }
    if let Value::Object(children) = node {
        let child = children.entry((*first).to_owned()).or_insert(Value::Null);
        set(child, rest, value);
        if child.is_null() || child.as_object().is_some_and(Map::is_empty) {
            children.remove(*first);
        }
        if children.is_empty() {
            *node = Value::Null;
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
