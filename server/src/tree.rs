//! The data tree: how written JSON is checked, stored and rendered back.
//!
//! The stored form keeps Firebase's model: only objects and leaves (no arrays, no nulls, no empty
//! objects). Arrays are written as objects with index keys, and an object whose keys look like a
//! dense enough array is rendered back as a JSON array, as Firebase does.

use serde_json::{Map, Value};

use crate::path;

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

/// The stored form: arrays become objects with index keys, `.value`/`.priority` wrappers are
/// unwrapped (priorities are not kept), nulls and empty objects vanish.
pub(crate) fn normalize(value: Value) -> Value {
    let children: Box<dyn Iterator<Item = (String, Value)>> = match value {
        Value::Array(items) => Box::new(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v)),
        ),
        Value::Object(mut map) => {
            if let Some(inner) = map.remove(".value") {
                return normalize(inner);
            }
            map.remove(".priority");
            Box::new(map.into_iter())
        }
        leaf => return leaf,
    };
    let map: Map<String, Value> = children
        .map(|(key, child)| (key, normalize(child)))
        .filter(|(_, child)| !child.is_null())
        .collect();
    if map.is_empty() {
        Value::Null
    } else {
        Value::Object(map)
    }
}

/// The output form: an object whose keys are all array indexes is rendered as an array when
/// its largest index is below twice its number of keys, as Firebase's SDKs and REST API do
/// (missing slots are null).
pub(crate) fn render(value: &Value) -> Value {
    let Value::Object(map) = value else {
        return value.clone();
    };
    let indexes: Option<Vec<usize>> = map.keys().map(|key| array_index(key)).collect();
    if let Some(max) = indexes.and_then(|i| i.into_iter().max()) {
        if max < 2 * map.len() {
            let mut items = vec![Value::Null; max + 1];
            for (key, child) in map {
                if let Some(slot) = array_index(key).and_then(|i| items.get_mut(i)) {
                    *slot = render(child);
                }
            }
            return Value::Array(items);
        }
    }
    Value::Object(
        map.iter()
            .map(|(key, child)| (key.clone(), render(child)))
            .collect(),
    )
}

/// `0`, `1`, ... `42` but not `01` or `-1`: the keys Firebase treats as array indexes.
fn array_index(key: &str) -> Option<usize> {
    let canonical = key == "0" || (!key.starts_with('0') && key.len() <= 9);
    if canonical && key.bytes().all(|b| b.is_ascii_digit()) {
        key.parse().ok()
    } else {
        None
    }
}

/// The value at `path`, if any.
pub(crate) fn get<'a>(root: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(root, |node, key| node.get(key))
}

/// Writes a stored-form `value` at `path`, creating parents; a null deletes, and parents left
/// empty vanish, as in Firebase's tree.
pub(crate) fn set(node: &mut Value, path: &[String], value: Value) {
    let Some((first, rest)) = path.split_first() else {
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
        let child = children.entry(first.clone()).or_insert(Value::Null);
        set(child, rest, value);
        if child.is_null() {
            children.remove(first);
        }
        if children.is_empty() {
            *node = Value::Null;
        }
    }
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

    fn p(keys: &[&str]) -> Vec<String> {
        keys.iter().map(|k| k.to_string()).collect()
    }

    #[test]
    fn nulls_and_empty_objects_vanish() {
        assert_eq!(
            normalize(json!({"a": null, "b": {}, "c": {"d": null}, "e": 1})),
            json!({"e": 1})
        );
        assert_eq!(normalize(json!({})), Value::Null);
        assert_eq!(
            normalize(json!({".value": {"x": 1}, ".priority": 2})),
            json!({"x": 1})
        );
    }

    #[test]
    fn arrays_are_stored_as_objects_and_rendered_back() {
        let stored = normalize(json!(["a", null, "c"]));
        assert_eq!(stored, json!({"0": "a", "2": "c"}));
        assert_eq!(render(&stored), json!(["a", null, "c"]));
        // At least half of the slots 0..=max used (Firebase: max < 2 * count): an array.
        assert_eq!(
            render(&json!({"0": 1, "1": 2, "3": 4})),
            json!([1, 2, null, 4])
        );
        assert_eq!(render(&json!({"0": 1, "3": 4})), json!([1, null, null, 4]));
        assert_eq!(render(&json!({"0": 1, "4": 5})), json!({"0": 1, "4": 5}));
        assert_eq!(render(&json!({"1": 1})), json!([null, 1]));
        assert_eq!(render(&json!({"2": 1})), json!({"2": 1}));
        assert_eq!(
            render(&json!({"0": 1, "1": 2, "x": 3})),
            json!({"0": 1, "1": 2, "x": 3})
        );
        assert_eq!(render(&json!({"00": 1})), json!({"00": 1}));
        assert_eq!(render(&json!({"a": {"0": true}})), json!({"a": [true]}));
    }

    #[test]
    fn set_creates_parents_and_prunes_empty_ones() {
        let mut root = Value::Null;
        set(&mut root, &p(&["a", "b"]), json!(1));
        assert_eq!(root, json!({"a": {"b": 1}}));
        set(&mut root, &p(&["a", "b", "c"]), json!(2));
        assert_eq!(root, json!({"a": {"b": {"c": 2}}}));
        set(&mut root, &p(&["x"]), Value::Null);
        assert_eq!(root, json!({"a": {"b": {"c": 2}}}));
        set(&mut root, &p(&["a", "b", "c"]), Value::Null);
        assert_eq!(root, Value::Null);
        assert_eq!(
            get(&json!({"a": {"b": 1}}), &p(&["a", "b"])),
            Some(&json!(1))
        );
        assert_eq!(get(&json!({"a": 1}), &p(&["a", "b"])), None);
    }

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
    fn shallow_and_size() {
        assert_eq!(
            shallow(&json!({"a": {"b": 1}, "c": 2})),
            json!({"a": true, "c": true})
        );
        assert_eq!(shallow(&json!("x")), json!("x"));
        assert_eq!(size(&json!({"a": 1})), 7);
    }
}
