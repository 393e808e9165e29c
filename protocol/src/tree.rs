//! The data tree: Firebase's model of JSON, as both client and server keep it.
//!
//! The stored form has only objects and leaves: no nulls, no empty objects (writing `{}`, or an
//! object whose leaves are all null, leaves nothing), arrays as objects with index keys.
//! [`render`] turns an object whose keys look like a dense enough array back into a JSON array,
//! as Firebase's REST API does.
//!
//! ```
//! use rtcweb_protocol::tree;
//! use serde_json::json;
//!
//! let stored = tree::normalize(json!({"a": ["x", null, "z"], "b": {}, "c": null}));
//! assert_eq!(stored, json!({"a": {"0": "x", "2": "z"}}));
//! assert_eq!(tree::render(&stored), json!({"a": ["x", null, "z"]}));
//! ```

use serde_json::{Map, Value};

/// The stored form: arrays become objects with index keys, `.value`/`.priority` wrappers are
/// unwrapped (priorities are not kept), nulls and empty objects vanish (an empty result is
/// null).
///
/// ```
/// # use serde_json::json;
/// assert_eq!(rtcweb_protocol::tree::normalize(json!({"a": {"b": null}})), json!(null));
/// ```
pub fn normalize(value: Value) -> Value {
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

/// Removes, in place, the nulls and empty objects inside objects, as Firebase never stores
/// them; an object left empty becomes null, and so does an array whose items all are. Arrays
/// stay arrays (their null items keep the other items' places), so rendered values keep their
/// shape.
///
/// ```
/// # use serde_json::{json, Value};
/// let mut v = json!({"a": {}, "b": [1, {"c": null}], "d": {"e": null}});
/// rtcweb_protocol::tree::prune(&mut v);
/// assert_eq!(v, json!({"b": [1, null]}));
/// ```
pub fn prune(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.values_mut().for_each(prune);
            map.retain(|_, child| !child.is_null());
            if map.is_empty() {
                *value = Value::Null;
            }
        }
        Value::Array(items) => {
            items.iter_mut().for_each(prune);
            if items.iter().all(Value::is_null) {
                *value = Value::Null;
            }
        }
        _ => {}
    }
}

/// The output form: an object whose keys are all array indexes is rendered as an array when
/// its largest index is below twice its number of keys, as Firebase's SDKs and REST API do
/// (missing slots are null).
///
/// ```
/// # use serde_json::json;
/// assert_eq!(rtcweb_protocol::tree::render(&json!({"0": 1, "2": 3})), json!([1, null, 3]));
/// ```
pub fn render(value: &Value) -> Value {
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
///
/// ```
/// use rtcweb_protocol::tree::array_index;
/// assert_eq!((array_index("7"), array_index("07")), (Some(7), None));
/// ```
pub fn array_index(key: &str) -> Option<usize> {
    let canonical = key == "0" || (!key.starts_with('0') && key.len() <= 9);
    if canonical && key.bytes().all(|b| b.is_ascii_digit()) {
        key.parse().ok()
    } else {
        None
    }
}

/// The value at `path`, if any.
///
/// ```
/// # use serde_json::json;
/// let root = json!({"a": {"b": 1}});
/// assert_eq!(rtcweb_protocol::tree::get(&root, &["a", "b"]), Some(&json!(1)));
/// ```
pub fn get<'a>(root: &'a Value, path: &[impl AsRef<str>]) -> Option<&'a Value> {
    path.iter()
        .try_fold(root, |node, key| node.get(key.as_ref()))
}

/// Writes `value` at `path`, creating parents. A null deletes; so does a value that holds
/// nothing once its nulls and empty objects are pruned (writing `{}`); parents left empty
/// vanish, as in Firebase's tree. A leaf in the way of a deeper write is replaced by an object.
///
/// ```
/// # use serde_json::{json, Value};
/// use rtcweb_protocol::tree::set;
/// let mut root = json!({"a": {"b": 1}});
/// set(&mut root, &["a", "c"], json!({}));
/// assert_eq!(root, json!({"a": {"b": 1}}));
/// set(&mut root, &["a", "b"], Value::Null);
/// assert_eq!(root, Value::Null);
/// ```
pub fn set(node: &mut Value, path: &[impl AsRef<str>], mut value: Value) {
    prune(&mut value);
    set_pruned(node, path, value);
}

fn set_pruned(node: &mut Value, path: &[impl AsRef<str>], value: Value) {
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
        let first = first.as_ref();
        let child = children.entry(first.to_owned()).or_insert(Value::Null);
        set_pruned(child, rest, value);
        if child.is_null() {
            children.remove(first);
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
        let mut v = json!({"a": [null, {}], "b": {"c": {}}, "d": 0});
        prune(&mut v);
        assert_eq!(v, json!({"d": 0}));
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
        // Writing an empty object, or one of nulls, is a delete, as on Firebase.
        set(&mut root, &p(&["a", "e"]), json!({"f": {}, "g": null}));
        assert_eq!(root, json!({"a": {"b": {"c": 2}}}));
        set(&mut root, &p(&["a", "b"]), json!({}));
        assert_eq!(root, Value::Null);
        set(&mut root, &p(&[]), json!({"k": {}}));
        assert_eq!(root, Value::Null);
        assert_eq!(
            get(&json!({"a": {"b": 1}}), &p(&["a", "b"])),
            Some(&json!(1))
        );
        assert_eq!(get(&json!({"a": 1}), &p(&["a", "b"])), None);
    }
}
