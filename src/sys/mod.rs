//! The only place that sees raw browser objects: bindings web-sys lacks or declares without
//! catching exceptions, property reads that cannot panic, old browsers' forms, and
//! conversions between the crate's plain types and the browser's dictionaries. One file per
//! browser object; this file holds what they all use.
//!
//! Every binding here that can throw is declared with `catch`: an exception crossing into wasm
//! uncaught would skip Rust destructors and leave the module in a broken state.

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::error::Error;

pub(crate) mod channel;
pub(crate) mod devices;
pub(crate) mod element;
pub(crate) mod legacy;
pub(crate) mod net;
pub(crate) mod peer;
pub(crate) mod rtp;
pub(crate) mod stats;
pub(crate) mod track;

/// A property, or `undefined` when reading it throws (a getter may).
pub(crate) fn get(target: &JsValue, key: &str) -> JsValue {
    if !target.is_object() && !target.is_function() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A string property, or `None` when missing or not a string.
pub(crate) fn get_string(target: &JsValue, key: &str) -> Option<String> {
    get(target, key).as_string()
}

/// A number property, or `None` when missing or not a number.
pub(crate) fn get_f64(target: &JsValue, key: &str) -> Option<f64> {
    get(target, key).as_f64()
}

/// A state attribute parsed into its enum; `None` when the browser lacks the attribute or
/// reports a value this crate does not know.
pub(crate) fn state<T: std::str::FromStr>(target: &JsValue, attribute: &str) -> Option<T> {
    get_string(target, attribute)?.parse().ok()
}

/// Sets a property on a dictionary this crate built (a plain object, so this cannot throw).
pub(crate) fn set(target: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(target, &JsValue::from_str(key), &value.into());
}

/// Maps any thrown or rejected value to an [`Error`]: a DOMException or RTCError by its name
/// (and `errorDetail`, `constraint`), a JS `Error` by its constructor name, anything else as
/// text.
pub(crate) fn error_from_js(value: JsValue) -> Error {
    // Firefox before 26 failed mozGetUserMedia with a bare string code instead of an error.
    if let Some(code) = value.as_string() {
        let name = match code.as_str() {
            "PERMISSION_DENIED" => Some("PermissionDeniedError"),
            "NO_DEVICES_FOUND" => Some("DevicesNotFoundError"),
            "HARDWARE_UNAVAILABLE" => Some("SourceUnavailableError"),
            _ => None,
        };
        if let Some(name) = name {
            return Error::from_dom(name, &code);
        }
    }
    let message = get_string(&value, "message").unwrap_or_else(|| {
        value
            .as_string()
            .or_else(|| {
                js_sys::JSON::stringify(&value)
                    .ok()
                    .and_then(|s| s.as_string())
            })
            .unwrap_or_default()
    });
    let Some(name) = get_string(&value, "name") else {
        return Error::Other {
            name: String::new(),
            message,
        };
    };
    let error = match get_string(&value, "errorDetail") {
        Some(detail) => Error::from_rtc_error(&name, &detail, &message),
        None => Error::from_dom(&name, &message),
    };
    match error {
        Error::Overconstrained { message, .. } => Error::Overconstrained {
            // Chrome's old ConstraintNotSatisfiedError named it `constraintName`.
            constraint: get_string(&value, "constraint")
                .or_else(|| get_string(&value, "constraintName"))
                .unwrap_or_default(),
            message,
        },
        other => other,
    }
}

/// Awaits a promise from a binding that may also throw before returning it.
///
/// A binding's declared `Promise` is not checked by wasm-bindgen: an old browser's
/// callback-style method returns `undefined` instead, and awaiting that would throw inside
/// `JsFuture`. Anything but a promise or a thenable is an [`Error::Unsupported`].
pub(crate) async fn settle(promise: Result<Promise, JsValue>) -> Result<JsValue, Error> {
    let value: JsValue = promise.map_err(error_from_js)?.into();
    let promise = if value.is_instance_of::<Promise>() {
        value.unchecked_into()
    } else if get(&value, "then").is_function() {
        Promise::resolve(&value)
    } else {
        return Err(Error::Unsupported(
            "the browser's method returned no promise (a callback-style implementation)".into(),
        ));
    };
    JsFuture::from(promise).await.map_err(error_from_js)
}

/// Builds the JavaScript value of a JSON tree (the constraint dictionaries).
pub(crate) fn to_js(value: &serde_json::Value) -> JsValue {
    use serde_json::Value;
    match value {
        Value::Null => JsValue::NULL,
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::Number(n) => n.as_f64().map_or(JsValue::NULL, JsValue::from_f64),
        Value::String(s) => JsValue::from_str(s),
        Value::Array(items) => items.iter().map(to_js).collect::<Array>().into(),
        Value::Object(fields) => {
            let object = Object::new();
            for (key, value) in fields {
                set(&object, key, to_js(value));
            }
            object.into()
        }
    }
}

/// The elements of an array-like value; empty when it is not an array.
pub(crate) fn array(value: &JsValue) -> Vec<JsValue> {
    match value.dyn_ref::<Array>() {
        Some(array) => array.iter().collect(),
        None => Vec::new(),
    }
}

/// Calls `target[name](...args)` if it is a function; `None` when there is no such method.
pub(crate) fn call_method(
    target: &JsValue,
    name: &str,
    args: &Array,
) -> Option<Result<JsValue, JsValue>> {
    let method = get(target, name);
    let method = method.dyn_ref::<Function>()?;
    Some(Reflect::apply(method, target, args))
}
