//! Arguments from JavaScript, checked before they reach the Rust API: anything of the wrong
//! kind, or too large to copy into the module's memory safely, is a `TypeError` or
//! `RangeError` naming the argument.

use js_sys::{ArrayBuffer, JsString, Uint8Array};
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};

use crate::data_channel::Message;
use crate::types::json::from_value;

/// The most UTF-16 units an id (room, peer, key, URL) may have.
const MAX_ID: u32 = 4096;
/// The most bytes (or UTF-16 units) a message or a JSON value may have: far above what a
/// data channel or the database takes in one piece, far below what would exhaust memory.
const MAX_DATA: u32 = 64 << 20;

/// A string argument of at most `MAX_ID` units.
pub(crate) fn id(value: &JsValue, what: &str) -> Result<String, JsValue> {
    string(value, what, MAX_ID)
}

fn string(value: &JsValue, what: &str, max: u32) -> Result<String, JsValue> {
    let Some(text) = value.dyn_ref::<JsString>() else {
        return Err(super::error::type_error(format!("{what} must be a string")));
    };
    if text.length() > max {
        return Err(range_error(what, max));
    }
    Ok(String::from(text))
}

fn range_error(what: &str, max: u32) -> JsValue {
    js_sys::RangeError::new(&format!("{what} is longer than {max}")).into()
}

/// A message to send, as JS gave it: text (copied into wasm) or a view of its bytes (not
/// copied yet) and their length.
pub(crate) enum Outgoing {
    Text(String),
    Bytes(Uint8Array, usize),
}

impl Outgoing {
    /// The message as the Rust API takes it (the bytes copied into wasm).
    pub(crate) fn into_message(self) -> Message {
        match self {
            Outgoing::Text(text) => Message::Text(text),
            Outgoing::Bytes(view, _) => Message::Binary(view.to_vec()),
        }
    }
}

/// A message to send: a string, an `ArrayBuffer` or a view of one (`Uint8Array`, ...).
pub(crate) fn outgoing(value: &JsValue) -> Result<Outgoing, JsValue> {
    // A Uint8Array first: the usual kind, and each test is a call out of wasm.
    let bytes = if let Some(view) = value.dyn_ref::<Uint8Array>() {
        view.clone()
    } else if value.is_string() {
        return string(value, "data", MAX_DATA).map(Outgoing::Text);
    } else if let Some(buffer) = value.dyn_ref::<ArrayBuffer>() {
        Uint8Array::new(buffer)
    } else if ArrayBuffer::is_view(value) {
        let view: &js_sys::DataView = value.unchecked_ref();
        Uint8Array::new_with_byte_offset_and_length(
            &view.buffer(),
            view.byte_offset() as u32,
            view.byte_length() as u32,
        )
    } else {
        return Err(super::error::type_error(
            "data must be a string, an ArrayBuffer or an ArrayBufferView",
        ));
    };
    let length = bytes.length();
    if length > MAX_DATA {
        return Err(range_error("data", MAX_DATA));
    }
    Ok(Outgoing::Bytes(bytes, length as usize))
}

/// A message to send, copied into wasm: [`outgoing`]'s, as the Rust API takes it.
#[cfg(feature = "js")]
pub(crate) fn message(value: &JsValue) -> Result<Message, JsValue> {
    outgoing(value).map(Outgoing::into_message)
}

/// A message as JS receives it: a string or a `Uint8Array`.
pub(crate) fn message_to_js(message: &Message) -> JsValue {
    match message {
        Message::Text(text) => text.into(),
        Message::Binary(bytes) => Uint8Array::from(bytes.as_slice()).into(),
    }
}

/// A JSON-like value (`undefined` counts as absent), read through `JSON.stringify`, which
/// also catches throwing getters, cycles and BigInts.
pub(crate) fn json(value: &JsValue, what: &str) -> Result<serde_json::Value, JsValue> {
    if value.is_undefined() {
        return Ok(serde_json::Value::Null);
    }
    let text = js_sys::JSON::stringify(value).map_err(|err| {
        super::error::type_error(format!("{what} is not JSON: {}", describe(&err)))
    })?;
    if text.length() > MAX_DATA {
        return Err(range_error(what, MAX_DATA));
    }
    serde_json::from_str(&String::from(text))
        .map_err(|err| super::error::type_error(format!("{what} is not JSON: {err}")))
}

/// Options as a serde type: `undefined` or `null` is the type's default.
pub(crate) fn options<T: DeserializeOwned + Default>(
    value: &JsValue,
    what: &str,
) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    if !value.is_object() {
        return Err(super::error::type_error(format!(
            "{what} must be an object"
        )));
    }
    typed(json(value, what)?, what)
}

/// A thrown value's message, for wrapping it.
fn describe(err: &JsValue) -> String {
    err.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| "it cannot be serialized".into())
}

/// A required value of a serde type, read as JSON.
pub(crate) fn value<T: DeserializeOwned>(value: &JsValue, what: &str) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Err(super::error::type_error(format!("{what} is required")));
    }
    typed(json(value, what)?, what)
}

/// A serde type read out of a JSON value; a mismatch is a `TypeError` naming `what`.
pub(crate) fn typed<T: DeserializeOwned>(
    json: serde_json::Value,
    what: &str,
) -> Result<T, JsValue> {
    from_value(json).map_err(|err| super::error::type_error(format!("invalid {what}: {err}")))
}

/// A serde value as the plain JS object of its JSON.
pub(crate) fn to_plain<T: serde::Serialize>(value: &T) -> JsValue {
    serde_json::to_value(value).map_or(JsValue::NULL, |v| crate::sys::to_js(&v))
}

/// A plain object of `(key, value)` pairs.
pub(crate) fn object(fields: &[(&str, JsValue)]) -> js_sys::Object {
    let object = js_sys::Object::new();
    for (key, value) in fields {
        let _ = js_sys::Reflect::set(&object, &(*key).into(), value);
    }
    object
}
