//! The data tree: how written JSON is checked before it is stored. The stored form, writing at a
//! path and rendering back are the shared rules of `rtcweb_protocol::tree`.

use serde_json::{Map, Value};

use crate::path;

pub(crate) use rtcweb_protocol::tree::{get, normalize, render, set};

/// Deepest tree Firebase stores, counted in levels from the root.
pub(crate) const MAX_DEPTH: usize = 32;

/// Why written data is refused.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TreeError {
    /// A key with a forbidden character (or empty).
    BadKey(String),
    /// A key longer than 768 bytes.
    KeyTooLong(String),
    /// More than the allowed levels of nesting.
    TooDeep(usize),
    /// A `.sv` placeholder that is neither `"timestamp"` nor `{"increment": number}`.
    BadServerValue,
}

impl TreeError {
    /// Firebase's message; `body` is the request text, used to point at the bad key.
    pub(crate) fn message(&self, body: &str) -> String {
        match self {
            TreeError::BadKey(key) => format!(
                "Invalid data; couldn't parse key beginning at {}. Key value can't be empty or contain $ # [ ] / or .",
                position_of_key(body, key)
            ),
            TreeError::KeyTooLong(key) => format!(
                "Invalid data; key longer than {} bytes at {}.",
                path::MAX_KEY_BYTES,
                position_of_key(body, key)
            ),
            TreeError::TooDeep(max) => {
                format!("Invalid data; data is nested more than {max} levels deep.")
            }
            TreeError::BadServerValue => "Invalid data; invalid server value.".to_owned(),
        }
    }
}

/// `line:column` (1-based) of the first quoted occurrence of `key` in `body`, as Firebase reports.
fn position_of_key(body: &str, key: &str) -> String {
    let quoted = serde_json::to_string(key).unwrap_or_default();
    let Some(offset) = body.find(&quoted) else {
        return "1:1".to_owned();
    };
    let before = body.get(..offset).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("{line}:{column}")
}

/// Checks every key of written data and its depth below `at_depth` (the depth of the write).
/// `.sv` placeholders and the `.value`/`.priority` wrappers are the only keys with a dot allowed.
pub(crate) fn check(value: &Value, at_depth: usize, max_depth: usize) -> Result<(), TreeError> {
    if at_depth + depth(value) > max_depth {
        return Err(TreeError::TooDeep(max_depth));
    }
    check_keys(value)
}

fn check_keys(value: &Value) -> Result<(), TreeError> {
    match value {
        Value::Object(map) if map.contains_key(".sv") => Ok(()),
        Value::Object(map) => map.iter().try_for_each(|(key, child)| {
            if key != ".value" && key != ".priority" {
                match path::check_key(key) {
                    Ok(()) => {}
                    Err(path::PathError::TooLong) => {
                        return Err(TreeError::KeyTooLong(key.clone()))
                    }
                    Err(path::PathError::InvalidToken) => {
                        return Err(TreeError::BadKey(key.clone()))
                    }
                }
            }
            check_keys(child)
        }),
        Value::Array(items) => items.iter().try_for_each(check_keys),
        _ => Ok(()),
    }
}

/// How many object keys (and array items) `value` holds at every level, counted without
/// recursion.
pub(crate) fn count_keys(value: &Value) -> usize {
    let mut count = 0;
    let mut pending = vec![value];
    while let Some(node) = pending.pop() {
        match node {
            Value::Object(map) => {
                count += map.len();
                pending.extend(map.values());
            }
            Value::Array(items) => {
                count += items.len();
                pending.extend(items);
            }
            _ => {}
        }
    }
    count
}

/// Levels of nesting: 0 for a leaf, 1 for an object of leaves, and so on.
pub(crate) fn depth(value: &Value) -> usize {
    match value {
        Value::Object(map) if map.contains_key(".sv") => 0,
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// Replaces server values: `{".sv": "timestamp"}` by `now` (ms since the epoch) and
/// `{".sv": {"increment": n}}` by the current number plus `n` (`n` when there is none).
pub(crate) fn resolve_server_values(
    value: Value,
    current: Option<&Value>,
    now: u64,
) -> Result<Value, TreeError> {
    match value {
        Value::Object(mut map) => {
            if let Some(sv) = map.remove(".sv") {
                return server_value(&sv, current, now);
            }
            let mut out = Map::new();
            for (key, child) in map {
                let current_child = current.and_then(|c| c.get(&key));
                out.insert(key, resolve_server_values(child, current_child, now)?);
            }
            Ok(Value::Object(out))
        }
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, child)| {
                resolve_server_values(child, current.and_then(|c| c.get(i.to_string())), now)
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Ok(other),
    }
}

fn server_value(sv: &Value, current: Option<&Value>, now: u64) -> Result<Value, TreeError> {
    if sv.as_str() == Some("timestamp") {
        return Ok(Value::from(now));
    }
    let delta = sv
        .get("increment")
        .filter(|d| d.is_number())
        .ok_or(TreeError::BadServerValue)?;
    let Some(base) = current.filter(|c| c.is_number()) else {
        return Ok(delta.clone());
    };
    // Integers stay integers while they fit, as Firebase keeps exact 64-bit increments.
    if let (Some(a), Some(b)) = (base.as_i64(), delta.as_i64()) {
        if let Some(sum) = a.checked_add(b) {
            return Ok(Value::from(sum));
        }
    }
    let sum = base.as_f64().unwrap_or(0.0) + delta.as_f64().unwrap_or(0.0);
    Ok(serde_json::Number::from_f64(sum).map_or(Value::Null, Value::Number))
}

/// `shallow=true`: an object's children are truncated to `true`; a leaf is returned as is.
pub(crate) fn shallow(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.keys()
                .map(|key| (key.clone(), Value::Bool(true)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Size of a value as compact JSON, without building the text.
pub(crate) fn size(value: &Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    match serde_json::to_writer(&mut count, value) {
        Ok(()) => count.0,
        Err(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_and_depth_are_checked() {
        assert_eq!(
            check(&json!({"a": {"b.c": 1}}), 0, 32),
            Err(TreeError::BadKey("b.c".into()))
        );
        assert_eq!(
            check(&json!([{"$x": 1}]), 0, 32),
            Err(TreeError::BadKey("$x".into()))
        );
        assert_eq!(check(&json!({"t": {".sv": "timestamp"}}), 0, 32), Ok(()));
        assert_eq!(check(&json!({".value": 1, ".priority": 2}), 0, 32), Ok(()));
        let long = "k".repeat(769);
        assert_eq!(
            check(&json!({long.clone(): 1}), 0, 32),
            Err(TreeError::KeyTooLong(long))
        );
        let mut deep = json!(1);
        for _ in 0..32 {
            deep = json!({"a": deep});
        }
        assert_eq!(check(&deep, 0, 32), Ok(()));
        assert_eq!(check(&deep, 1, 32), Err(TreeError::TooDeep(32)));
        assert_eq!(
            TreeError::BadKey("a.b".into()).message("{\n  \"a.b\": 1}"),
            "Invalid data; couldn't parse key beginning at 2:3. Key value can't be empty or contain $ # [ ] / or ."
        );
    }

    #[test]
    fn server_values_are_resolved() {
        let current = json!({"n": 5, "f": 1.5});
        let written = json!({
            "t": {".sv": "timestamp"},
            "n": {".sv": {"increment": 2}},
            "f": {".sv": {"increment": 1}},
            "new": {".sv": {"increment": 3}},
        });
        assert_eq!(
            resolve_server_values(written, Some(&current), 1234),
            Ok(json!({"t": 1234, "n": 7, "f": 2.5, "new": 3}))
        );
        assert_eq!(
            resolve_server_values(json!({".sv": "nope"}), None, 1),
            Err(TreeError::BadServerValue)
        );
    }

    #[test]
    fn keys_are_counted() {
        assert_eq!(count_keys(&json!(1)), 0);
        assert_eq!(count_keys(&json!({"a": {"b": 1, "c": [1, 2]}})), 5);
    }

    #[test]
    fn shallow_and_size() {
        assert_eq!(
            shallow(&json!({"a": {"b": 1}, "c": 2})),
            json!({"a": true, "c": true})
        );
        assert_eq!(shallow(&json!("x")), json!("x"));
        assert_eq!(size(&json!({"a": 1})), 7);
    }
}
