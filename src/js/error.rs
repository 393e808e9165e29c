//! rtcweb's errors as JavaScript errors whose `name` says what went wrong.

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::DomException;

use crate::error::Error;

/// The JS error for `err`: a `TypeError` or `RangeError` where JS has one, a `SignalingError`
/// (an `Error` with `reason`, and `status` for an HTTP failure), otherwise a `DOMException`
/// with the DOM name and the browser's message (so a browser's error keeps its name).
pub(crate) fn to_js(err: Error) -> JsValue {
    let message = err.message();
    match &err {
        Error::Type(_) | Error::MessageTooLarge { .. } => js_sys::TypeError::new(&message).into(),
        Error::Range(_) => js_sys::RangeError::new(&message).into(),
        Error::Signaling(signaling) => {
            let error = js_sys::Error::new(&message);
            error.set_name("SignalingError");
            let _ = Reflect::set(&error, &"reason".into(), &signaling.reason().into());
            if let crate::error::SignalingError::Http { status, .. } = signaling {
                let _ = Reflect::set(&error, &"status".into(), &(*status).into());
            }
            error.into()
        }
        _ => match DomException::new_with_message_and_name(&message, err.name()) {
            Ok(exception) => exception.unchecked_into(),
            Err(_) => {
                let error = js_sys::Error::new(&message);
                error.set_name(err.name());
                error.into()
            }
        },
    }
}

/// A `TypeError` for an argument of the wrong kind.
pub(crate) fn type_error(message: impl AsRef<str>) -> JsValue {
    js_sys::TypeError::new(message.as_ref()).into()
}

/// An `InvalidStateError` for a call on a handle that was closed.
#[cfg(feature = "js")]
pub(crate) fn closed(what: &str) -> JsValue {
    to_js(Error::InvalidState(format!("the {what} is closed")))
}
