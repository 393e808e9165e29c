//! Queries: `orderBy` with `limitToFirst`, `limitToLast`, `startAt`, `startAfter`, `endAt`,
//! `endBefore` and `equalTo`, in Firebase's ordering.
//!
//! Values order as null < false < true < numbers < strings < objects, ties broken by key; keys
//! that read as 32-bit integers come first, in numeric order, then the others as strings.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use crate::{path, tree};

/// What children are ordered by.
#[derive(Debug, Clone, PartialEq)]
enum OrderBy {
    Key,
    Value,
    /// `$priority`: priorities are not kept, so this orders by key, as for children without one.
    Priority,
    Child(Vec<String>),
}

/// A parsed query; `None` from [`parse`] means the request has none.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Query {
    order_by: OrderBy,
    start: Option<(Value, bool)>,
    end: Option<(Value, bool)>,
    limit_first: Option<usize>,
    limit_last: Option<usize>,
}

const FILTERS: [&str; 7] = [
    "limitToFirst",
    "limitToLast",
    "startAt",
    "startAfter",
    "endAt",
    "endBefore",
    "equalTo",
];

impl Query {
    /// The child this query orders by, when it orders by a child.
    pub(crate) fn child_order(&self) -> Option<&[String]> {
        match &self.order_by {
            OrderBy::Child(child) => Some(child),
            _ => None,
        }
    }
}

/// Reads the query parameters; the error is Firebase's message.
pub(crate) fn parse(params: &[(String, String)]) -> Result<Option<Query>, String> {
    let param = |name: &str| {
        params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, v)| v.as_str())
    };
    let Some(order_by) = param("orderBy") else {
        if FILTERS.iter().any(|name| param(name).is_some()) {
            return Err("orderBy must be defined when other query parameters are defined".into());
        }
        return Ok(None);
    };
    let order_by = match serde_json::from_str::<Value>(order_by) {
        Ok(Value::String(s)) if s == "$key" => OrderBy::Key,
        Ok(Value::String(s)) if s == "$value" => OrderBy::Value,
        Ok(Value::String(s)) if s == "$priority" => OrderBy::Priority,
        Ok(Value::String(s)) => match path::parse(&s) {
            Ok(child) if !child.is_empty() => OrderBy::Child(child),
            _ => return Err("orderBy must be a valid JSON encoded path".into()),
        },
        _ => return Err("orderBy must be a valid JSON encoded path".into()),
    };
    let bound = |name: &str| -> Result<Option<Value>, String> {
        let Some(text) = param(name) else {
            return Ok(None);
        };
        match serde_json::from_str::<Value>(text) {
            Ok(v) if !v.is_object() && !v.is_array() => {
                if matches!(order_by, OrderBy::Key | OrderBy::Priority) && !v.is_string() {
                    return Err(format!("{name} must be a string when orderBy is \"$key\""));
                }
                Ok(Some(v))
            }
            _ => Err("Constraint index field must be a JSON primitive".into()),
        }
    };
    let limit = |name: &str| -> Result<Option<usize>, String> {
        match param(name) {
            None => Ok(None),
            Some(text) => match text.parse::<usize>() {
                Ok(n) if n > 0 => Ok(Some(n)),
                _ => Err(format!("{name} must be a positive integer")),
            },
        }
    };
    let (start_at, start_after) = (bound("startAt")?, bound("startAfter")?);
    let (end_at, end_before) = (bound("endAt")?, bound("endBefore")?);
    let equal_to = bound("equalTo")?;
    if start_at.is_some() && start_after.is_some() {
        return Err("startAt and startAfter cannot both be specified".into());
    }
    if end_at.is_some() && end_before.is_some() {
        return Err("endAt and endBefore cannot both be specified".into());
    }
    let (start, end) = match equal_to {
        Some(v) => {
            if start_at.is_some()
                || start_after.is_some()
                || end_at.is_some()
                || end_before.is_some()
            {
                return Err("equalTo cannot be specified in addition to startAt or endAt".into());
            }
            (Some((v.clone(), true)), Some((v, true)))
        }
        None => (
            start_at
                .map(|v| (v, true))
                .or(start_after.map(|v| (v, false))),
            end_at.map(|v| (v, true)).or(end_before.map(|v| (v, false))),
        ),
    };
    let (limit_first, limit_last) = (limit("limitToFirst")?, limit("limitToLast")?);
    if limit_first.is_some() && limit_last.is_some() {
        return Err("limitToFirst and limitToLast cannot both be specified".into());
    }
    Ok(Some(Query {
        order_by,
        start,
        end,
        limit_first,
        limit_last,
    }))
}

impl Query {
    /// The children of `node` that the query selects, as an object (a leaf has no children).
    pub(crate) fn apply(&self, node: &Value) -> Value {
        let Value::Object(children) = node else {
            return Value::Null;
        };
        let mut selected: Vec<(&String, &Value)> = children
            .iter()
            .filter(|(key, child)| self.in_range(key, child))
            .collect();
        selected.sort_by(|a, b| self.compare(a, b));
        let count = selected.len();
        let range = match (self.limit_first, self.limit_last) {
            (Some(n), _) => 0..n.min(count),
            (_, Some(n)) => count.saturating_sub(n)..count,
            _ => 0..count,
        };
        let map: Map<String, Value> = selected
            .get(range)
            .unwrap_or_default()
            .iter()
            .map(|(key, child)| ((*key).clone(), (*child).clone()))
            .collect();
        if map.is_empty() {
            Value::Null
        } else {
            Value::Object(map)
        }
    }

    /// The value a child is ordered by; `None` when ordering by key.
    fn sort_value<'a>(&self, child: &'a Value) -> Option<&'a Value> {
        match &self.order_by {
            OrderBy::Key | OrderBy::Priority => None,
            OrderBy::Value => Some(child),
            OrderBy::Child(path) => Some(tree::get(child, path).unwrap_or(&Value::Null)),
        }
    }

    fn compare(&self, a: &(&String, &Value), b: &(&String, &Value)) -> Ordering {
        match (self.sort_value(a.1), self.sort_value(b.1)) {
            (Some(va), Some(vb)) => compare_values(va, vb).then_with(|| compare_keys(a.0, b.0)),
            _ => compare_keys(a.0, b.0),
        }
    }

    fn in_range(&self, key: &str, child: &Value) -> bool {
        let against = |bound: &Value| match self.sort_value(child) {
            Some(v) => compare_values(v, bound),
            None => compare_keys(key, bound.as_str().unwrap_or_default()),
        };
        let after_start = self.start.as_ref().is_none_or(|(bound, inclusive)| {
            let order = against(bound);
            order == Ordering::Greater || (*inclusive && order == Ordering::Equal)
        });
        let before_end = self.end.as_ref().is_none_or(|(bound, inclusive)| {
            let order = against(bound);
            order == Ordering::Less || (*inclusive && order == Ordering::Equal)
        });
        after_start && before_end
    }
}

fn type_rank(value: &Value) -> u8 {
    match value {
        Value::Null => 0,
        Value::Bool(false) => 1,
        Value::Bool(true) => 2,
        Value::Number(_) => 3,
        Value::String(_) => 4,
        Value::Array(_) | Value::Object(_) => 5,
    }
}

/// Firebase's value order; objects all compare equal (their keys decide).
pub(crate) fn compare_values(a: &Value, b: &Value) -> Ordering {
    type_rank(a).cmp(&type_rank(b)).then_with(|| match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
            x.partial_cmp(&y).unwrap_or(Ordering::Equal)
        }
        (Value::String(x), Value::String(y)) => x.cmp(y),
        _ => Ordering::Equal,
    })
}

/// Firebase's key order: 32-bit integer keys first, numerically, then the others as strings.
pub(crate) fn compare_keys(a: &str, b: &str) -> Ordering {
    match (int_key(a), int_key(b)) {
        // "1" and "01" are equal numbers; the shorter comes first.
        (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.len().cmp(&b.len())),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// A key Firebase reads as an integer: an optional `-`, leading zeros, up to 10 digits, in i32.
fn int_key(key: &str) -> Option<i32> {
    let digits = key.strip_prefix('-').unwrap_or(key);
    let significant = digits.trim_start_matches('0');
    if digits.is_empty() || significant.len() > 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    key.parse::<i64>().ok().and_then(|n| i32::try_from(n).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn q(pairs: &[(&str, &str)]) -> Result<Option<Query>, String> {
        let params: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        parse(&params)
    }

    fn run(pairs: &[(&str, &str)], data: Value) -> Value {
        q(pairs).unwrap().unwrap().apply(&data)
    }

    #[test]
    fn keys_order_integers_first() {
        let mut keys = vec!["b", "10", "a", "2", "-1", "01", "1", "9999999999"];
        keys.sort_by(|a, b| compare_keys(a, b));
        assert_eq!(keys, ["-1", "1", "01", "2", "10", "9999999999", "a", "b"]);
    }

    #[test]
    fn values_order_by_type_then_value() {
        let mut values = vec![
            json!({"x": 1}),
            json!("b"),
            json!(2),
            json!(true),
            json!("a"),
            json!(null),
            json!(false),
            json!(-1.5),
        ];
        values.sort_by(compare_values);
        assert_eq!(
            values,
            [
                json!(null),
                json!(false),
                json!(true),
                json!(-1.5),
                json!(2),
                json!("a"),
                json!("b"),
                json!({"x": 1})
            ]
        );
    }

    #[test]
    fn filters_need_order_by() {
        assert_eq!(
            q(&[("limitToFirst", "1")]),
            Err("orderBy must be defined when other query parameters are defined".into())
        );
        assert_eq!(
            q(&[("orderBy", "$key")]),
            Err("orderBy must be a valid JSON encoded path".into())
        );
        assert_eq!(
            q(&[("orderBy", "\"$key\""), ("limitToFirst", "0")]),
            Err("limitToFirst must be a positive integer".into())
        );
        assert!(q(&[
            ("orderBy", "\"$key\""),
            ("limitToFirst", "1"),
            ("limitToLast", "1")
        ])
        .is_err());
        assert!(q(&[("orderBy", "\"$key\""), ("startAt", "{}")]).is_err());
        assert!(q(&[("orderBy", "\"$key\""), ("startAt", "1")]).is_err());
        assert!(q(&[("orderBy", "\"a\""), ("equalTo", "1"), ("startAt", "1")]).is_err());
        assert_eq!(q(&[("print", "pretty")]), Ok(None));
    }

    #[test]
    fn order_by_child_with_range_and_limit() {
        let data = json!({
            "a": {"h": 3}, "b": {"h": 1}, "c": {"h": 2}, "d": {"x": 0}, "e": {"h": "tall"}
        });
        assert_eq!(
            run(&[("orderBy", "\"h\""), ("startAt", "2")], data.clone()),
            json!({"a": {"h": 3}, "c": {"h": 2}, "e": {"h": "tall"}})
        );
        assert_eq!(
            run(&[("orderBy", "\"h\""), ("limitToFirst", "2")], data.clone()),
            json!({"d": {"x": 0}, "b": {"h": 1}})
        );
        assert_eq!(
            run(
                &[("orderBy", "\"h\""), ("endAt", "3"), ("limitToLast", "2")],
                data.clone()
            ),
            json!({"a": {"h": 3}, "c": {"h": 2}})
        );
        assert_eq!(
            run(&[("orderBy", "\"h\""), ("equalTo", "2")], data.clone()),
            json!({"c": {"h": 2}})
        );
        assert_eq!(
            run(&[("orderBy", "\"h\""), ("equalTo", "7")], data.clone()),
            Value::Null
        );
        assert_eq!(
            run(
                &[
                    ("orderBy", "\"h\""),
                    ("startAfter", "1"),
                    ("endBefore", "3")
                ],
                data
            ),
            json!({"c": {"h": 2}})
        );
    }

    #[test]
    fn order_by_key_and_value() {
        let data = json!({"a": 3, "b": 1, "c": 2, "1": 9});
        assert_eq!(
            run(
                &[("orderBy", "\"$key\""), ("limitToFirst", "2")],
                data.clone()
            ),
            json!({"1": 9, "a": 3})
        );
        assert_eq!(
            run(
                &[("orderBy", "\"$key\""), ("startAt", "\"b\"")],
                data.clone()
            ),
            json!({"b": 1, "c": 2})
        );
        assert_eq!(
            run(
                &[("orderBy", "\"$value\""), ("limitToLast", "2")],
                data.clone()
            ),
            json!({"a": 3, "1": 9})
        );
        assert_eq!(
            run(
                &[("orderBy", "\"$priority\""), ("limitToFirst", "1")],
                data.clone()
            ),
            json!({"1": 9})
        );
        assert_eq!(run(&[("orderBy", "\"$value\"")], json!(5)), Value::Null);
    }
}
