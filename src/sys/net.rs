//! Networking for signaling: `EventSource`, and `fetch` with `keepalive` for cleanup on exit.

use js_sys::{Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::{error_from_js, get, set};
use crate::error::Error;

/// Opens an `EventSource` (Server-Sent Events).
pub(crate) fn new_event_source(url: &str) -> Result<web_sys::EventSource, Error> {
    if get(&js_sys::global(), "EventSource").is_undefined() {
        return Err(Error::Unsupported("this browser has no EventSource".into()));
    }
    web_sys::EventSource::new(url).map_err(error_from_js)
}

/// The global object (the window) as an event target.
pub(crate) fn global_target() -> web_sys::EventTarget {
    js_sys::global().unchecked_into()
}

/// Sends a request that outlives the page (`fetch` with `keepalive`), for cleanup on exit.
/// Fire and forget: its failure is caught, so it never becomes an unhandled rejection.
pub(crate) fn fetch_keepalive(method: &str, url: &str) {
    let global = js_sys::global();
    let Ok(fetch) = get(&global, "fetch").dyn_into::<js_sys::Function>() else {
        return;
    };
    let init = Object::new();
    set(&init, "method", method);
    set(&init, "keepalive", true);
    if let Ok(promise) = fetch.call2(&global, &JsValue::from_str(url), &init) {
        if let Ok(promise) = promise.dyn_into::<Promise>() {
            wasm_bindgen_futures::spawn_local(async move {
                let _ = JsFuture::from(promise).await;
            });
        }
    }
}
