//! Typed values read out of a JSON tree, with errors that never print a float.
//!
//! `serde_json::from_value` would do the same job, but its errors describe an unexpected
//! float with the number in it, and through serde's `Unexpected` that keeps the standard
//! library's float formatting (Grisu and Dragon, 19 KB of wasm) in the module. Here the
//! value is read by serde's own `MapDeserializer` and `SeqDeserializer` with [`JsonError`],
//! whose messages name the kind of value only: "invalid type: number, expected u16".

use std::fmt;

use serde::de::value::{MapAccessDeserializer, MapDeserializer, SeqDeserializer};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Unexpected, Visitor};
use serde_json::map::IntoIter;
use serde_json::Value;

/// Reads a `T` out of `value`.
///
/// # Errors
/// A [`JsonError`] when `value` does not have `T`'s shape.
pub(crate) fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, JsonError> {
    T::deserialize(Json(value))
}

/// Why a JSON value is not the type asked for.
#[derive(Debug)]
pub(crate) struct JsonError(String);

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for JsonError {}

impl de::Error for JsonError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        JsonError(msg.to_string())
    }

    fn invalid_type(unexpected: Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        Self::custom(format_args!(
            "invalid type: {}, expected {expected}",
            Kind(unexpected)
        ))
    }

    fn invalid_value(unexpected: Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        Self::custom(format_args!(
            "invalid value: {}, expected {expected}",
            Kind(unexpected)
        ))
    }
}

/// An unexpected value as JSON names it, numbers without their digits.
struct Kind<'a>(Unexpected<'a>);

impl fmt::Display for Kind<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Unexpected::Bool(b) => write!(f, "boolean `{b}`"),
            Unexpected::Str(s) => write!(f, "string {s:?}"),
            Unexpected::Char(c) => write!(f, "character {c:?}"),
            Unexpected::Unsigned(_) | Unexpected::Signed(_) | Unexpected::Float(_) => {
                f.write_str("number")
            }
            Unexpected::Unit | Unexpected::Option => f.write_str("null"),
            Unexpected::Seq => f.write_str("array"),
            Unexpected::Map => f.write_str("object"),
            Unexpected::Other(other) => f.write_str(other),
            _ => f.write_str("value"),
        }
    }
}

/// What kind of value `value` is, for an error.
fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(_) => Unexpected::Other("number"),
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

/// A JSON value as a serde deserializer.
struct Json(Value);

impl<'de> IntoDeserializer<'de, JsonError> for Json {
    type Deserializer = Json;

    fn into_deserializer(self) -> Json {
        self
    }
}

impl<'de> de::Deserializer<'de> for Json {
    type Error = JsonError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => {
                if let Some(n) = n.as_u64() {
                    visitor.visit_u64(n)
                } else if let Some(n) = n.as_i64() {
                    visitor.visit_i64(n)
                } else {
                    visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::String(s) => visitor.visit_string(s),
            Value::Array(items) => {
                let mut seq = SeqDeserializer::new(items.into_iter().map(Json));
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
            Value::Object(map) => {
                let mut map = entries(map);
                let value = visitor.visit_map(&mut map)?;
                map.end()?;
                Ok(value)
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            value => visitor.visit_some(Json(value)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        visitor.visit_newtype_struct(self)
    }

    /// As `serde_json` writes them: a unit variant is its name, one with data an object of
    /// one key, its name (users' own types come through `Room::recv` and `get_as`).
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        match self.0 {
            Value::String(name) => visitor.visit_enum(name.into_deserializer()),
            Value::Object(map) if map.len() == 1 => {
                visitor.visit_enum(MapAccessDeserializer::new(entries(map)))
            }
            other => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// An object's entries, for serde's map access.
type Entries<'de> =
    MapDeserializer<'de, std::iter::Map<IntoIter, fn(Entry) -> (String, Json)>, JsonError>;
type Entry = (String, Value);

fn entries<'de>(map: serde_json::Map<String, Value>) -> Entries<'de> {
    let entry: fn(Entry) -> (String, Json) = |(key, value)| (key, Json(value));
    MapDeserializer::new(map.into_iter().map(entry))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::from_value;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase")]
    struct Server {
        urls: Vec<String>,
        port: Option<u16>,
        kind: Kind,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        Stun,
        Turn,
    }

    #[test]
    fn reads_objects_arrays_options_and_unit_variants() {
        let server: Server =
            from_value(json!({ "urls": ["turn:a"], "port": 3478, "kind": "turn", "x": 1.5 }))
                .unwrap();
        assert_eq!(
            server,
            Server {
                urls: vec!["turn:a".into()],
                port: Some(3478),
                kind: Kind::Turn
            }
        );
        let server: Server =
            from_value(json!({ "urls": [], "port": null, "kind": "stun" })).unwrap();
        assert_eq!(server.port, None);
        assert_eq!(server.kind, Kind::Stun);
    }

    #[test]
    fn reads_enums_as_serde_json_writes_them() {
        #[derive(Debug, serde::Serialize, Deserialize, PartialEq)]
        enum Message {
            Bye,
            Chat(String),
            Move { x: i32, y: i32 },
            Pair(u8, bool),
        }
        for message in [
            Message::Bye,
            Message::Chat("hi".into()),
            Message::Move { x: -1, y: 2 },
            Message::Pair(7, true),
        ] {
            let value = serde_json::to_value(&message).unwrap();
            assert_eq!(from_value::<Message>(value).unwrap(), message);
        }
        let err = from_value::<Message>(json!({ "Bye": null, "Chat": "x" })).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid type: object, expected enum Message"
        );
    }

    #[test]
    fn names_what_is_wrong_without_the_number() {
        let err = from_value::<u16>(json!(1.5)).unwrap_err().to_string();
        assert_eq!(err, "invalid type: number, expected u16");
        let err = from_value::<u16>(json!(70000)).unwrap_err().to_string();
        assert_eq!(err, "invalid value: number, expected u16");
        let err = from_value::<Server>(json!({ "urls": [] }))
            .unwrap_err()
            .to_string();
        assert_eq!(err, "missing field `kind`");
        let err = from_value::<Kind>(json!("dns")).unwrap_err().to_string();
        assert!(err.starts_with("unknown variant `dns`"), "{err}");
        let err = from_value::<Kind>(json!(3)).unwrap_err().to_string();
        assert_eq!(err, "invalid type: number, expected enum Kind");
        let err = from_value::<Vec<u8>>(json!({ "a": 1 }))
            .unwrap_err()
            .to_string();
        assert_eq!(err, "invalid type: object, expected a sequence");
    }
}
