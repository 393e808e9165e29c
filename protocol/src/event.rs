//! The streaming events: `put` and `patch`, whose `data:` line is
//! `{"path": "/relative/path", "data": ...}` (in that order, as Firebase writes it).
//!
//! The server renders them with [`frame`] (or [`Event::to_sse`]); the client reads them with
//! [`Event::parse`] and keeps its copy of the location with [`Event::apply`].
//!
//! ```
//! use rtcweb_protocol::event::Event;
//! use serde_json::{json, Value};
//!
//! let event = Event::parse("put", r#"{"path":"/offer","data":{"type":"offer"}}"#).unwrap();
//! let mut copy = Value::Null;
//! event.apply(&mut copy);
//! assert_eq!(copy, json!({"offer": {"type": "offer"}}));
//! assert_eq!(event.to_sse(), "event: put\ndata: {\"path\":\"/offer\",\"data\":{\"type\":\"offer\"}}\n\n");
//! ```

use serde_json::Value;

use crate::{tree, Error};

/// The name of a `put` event.
pub const PUT: &str = "put";
/// The name of a `patch` event.
pub const PATCH: &str = "patch";
/// The name of the event that keeps idle streams open (its data is `null`).
pub const KEEP_ALIVE: &str = "keep-alive";
/// The name of the event that ends a stream the rules no longer allow (its data is a string).
pub const CANCEL: &str = "cancel";
/// The name of the event that ends a stream whose credential expired.
pub const AUTH_REVOKED: &str = "auth_revoked";

/// One change streamed for a location, relative to it.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// `data` replaces whatever was at `path` (`null` deletes it).
    Put {
        /// Where, relative to the location, starting with `/`.
        path: String,
        /// The new value.
        data: Value,
    },
    /// Each child of `data` (whose names may be paths, `a/b`) replaces the value there, below
    /// `path`.
    Patch {
        /// Where, relative to the location, starting with `/`.
        path: String,
        /// The children to replace.
        data: Value,
    },
}

impl Event {
    /// Reads the `data:` line of an event named `kind` (`put` or `patch`).
    ///
    /// # Errors
    /// [`Error::MalformedEvent`] when `kind` is another name, `json` is not an object, or its
    /// `path` is not a string. A missing `data` is null.
    ///
    /// ```
    /// use rtcweb_protocol::event::Event;
    /// assert!(Event::parse("put", r#"{"data":1}"#).is_err());
    /// ```
    pub fn parse(kind: &str, json: &str) -> Result<Event, Error> {
        let malformed = |why: String| Error::MalformedEvent(why);
        if kind != PUT && kind != PATCH {
            return Err(malformed(format!("unknown event {kind:?}")));
        }
        // Read as a `Value`, not as a `Map`: a typed read's error for a number would keep float
        // formatting in the browser's module (see rtcweb's types::json).
        let body: Value =
            serde_json::from_str(json).map_err(|err| malformed(format!("{kind} event: {err}")))?;
        let Value::Object(mut body) = body else {
            return Err(malformed(format!("{kind} event that is not an object")));
        };
        let path = match body.remove("path") {
            Some(Value::String(path)) => path,
            _ => return Err(malformed(format!("{kind} event without a path"))),
        };
        let data = body.remove("data").unwrap_or(Value::Null);
        Ok(if kind == PUT {
            Event::Put { path, data }
        } else {
            Event::Patch { path, data }
        })
    }

    /// The event's name: `put` or `patch`.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Put { .. } => PUT,
            Event::Patch { .. } => PATCH,
        }
    }

    /// Where the change happened, relative to the location.
    pub fn path(&self) -> &str {
        match self {
            Event::Put { path, .. } | Event::Patch { path, .. } => path,
        }
    }

    /// The event's data.
    pub fn data(&self) -> &Value {
        match self {
            Event::Put { data, .. } | Event::Patch { data, .. } => data,
        }
    }

    /// The whole server-sent event: `event: <kind>\ndata: {"path":...,"data":...}\n\n`.
    pub fn to_sse(&self) -> String {
        frame(self.kind(), self.path(), self.data())
    }

    /// Applies the change to a copy of the location's value, `root`, as Firebase's tree does
    /// (nulls delete, empty objects vanish).
    ///
    /// ```
    /// use rtcweb_protocol::event::Event;
    /// use serde_json::json;
    ///
    /// let mut copy = json!({"c": {"a": 1}});
    /// Event::Patch { path: "/c".into(), data: json!({"a": null, "x/y": 3}) }.apply(&mut copy);
    /// assert_eq!(copy, json!({"c": {"x": {"y": 3}}}));
    /// ```
    pub fn apply(&self, root: &mut Value) {
        match self {
            Event::Put { path, data } => apply_put(root, path, data),
            Event::Patch { path, data } => apply_patch(root, path, data),
        }
    }
}

/// Applies a `put` of `data` at `path` to `root` (see [`Event::apply`]), without an [`Event`].
pub fn apply_put(root: &mut Value, path: &str, data: &Value) {
    tree::set(root, &keys(path), data.clone());
}

/// Applies a `patch` of `data` at `path` to `root` (see [`Event::apply`]), without an
/// [`Event`]; data that is not an object changes nothing.
pub fn apply_patch(root: &mut Value, path: &str, data: &Value) {
    let base = keys(path);
    if let Value::Object(children) = data {
        for (child, value) in children {
            let mut at = base.clone();
            at.extend(keys(child));
            tree::set(root, &at, value.clone());
        }
    }
}

/// One server-sent event of `kind` for a change at `path` (relative, starting with `/`) with
/// `data`, without building an [`Event`] (so without copying `data`).
///
/// ```
/// use serde_json::json;
/// assert_eq!(
///     rtcweb_protocol::event::frame("patch", "/r", &json!({"a/b": 1})),
///     "event: patch\ndata: {\"path\":\"/r\",\"data\":{\"a/b\":1}}\n\n"
/// );
/// ```
pub fn frame(kind: &str, path: &str, data: &Value) -> String {
    format!("{}{data}{FRAME_TAIL}", frame_head(kind, path))
}

/// What comes before the data's JSON in a [`frame`], so that a server can send one rendered
/// data to many streams: `frame_head(kind, path)`, the data, then [`FRAME_TAIL`].
///
/// ```
/// use rtcweb_protocol::event::{frame, frame_head, FRAME_TAIL};
/// let data = serde_json::json!([1]);
/// assert_eq!(format!("{}{data}{FRAME_TAIL}", frame_head("put", "/a")), frame("put", "/a", &data));
/// ```
pub fn frame_head(kind: &str, path: &str) -> String {
    let at = Value::String(path.to_owned());
    format!("event: {kind}\ndata: {{\"path\":{at},\"data\":")
}

/// What comes after the data's JSON in a [`frame`].
pub const FRAME_TAIL: &str = "}\n\n";

/// A server-sent event whose data is `data` itself (`keep-alive`, `cancel`, ...).
///
/// ```
/// assert_eq!(
///     rtcweb_protocol::event::plain("keep-alive", &serde_json::Value::Null),
///     "event: keep-alive\ndata: null\n\n"
/// );
/// ```
pub fn plain(kind: &str, data: &Value) -> String {
    format!("event: {kind}\ndata: {data}\n\n")
}

fn keys(path: &str) -> Vec<&str> {
    path.split('/').filter(|k| !k.is_empty()).collect()
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
            r#"{"path":"/empty","data":{"x":{}}}"#,
        ];
        for e in events {
            Event::parse("put", e).unwrap().apply(&mut root);
        }
        assert_eq!(root, json!({"c": {"a": 1, "b": 2}}));
        Event::parse("patch", r#"{"path":"/c","data":{"a":null,"x/y":3}}"#)
            .unwrap()
            .apply(&mut root);
        assert_eq!(root, json!({"c": {"b": 2, "x": {"y": 3}}}));
        Event::parse("put", r#"{"path":"/","data":null}"#)
            .unwrap()
            .apply(&mut root);
        assert_eq!(root, Value::Null);
    }

    #[test]
    fn malformed_event_data_is_an_error() {
        for bad in ["", "nope", "[]", r#"{"data":1}"#, r#"{"path":3}"#] {
            assert!(
                matches!(Event::parse("put", bad), Err(Error::MalformedEvent(_))),
                "{bad:?}"
            );
        }
        assert!(Event::parse("cancel", r#"{"path":"/"}"#).is_err());
    }

    #[test]
    fn events_round_trip() {
        let event = Event::Patch {
            path: "/a \"b\"".into(),
            data: json!({"x": [1, 2]}),
        };
        let sse = event.to_sse();
        let data = sse
            .strip_prefix("event: patch\ndata: ")
            .and_then(|rest| rest.strip_suffix("\n\n"))
            .unwrap();
        assert_eq!(Event::parse("patch", data).unwrap(), event);
        assert_eq!(
            plain(CANCEL, &json!("Permission denied")),
            "event: cancel\ndata: \"Permission denied\"\n\n"
        );
    }
}
