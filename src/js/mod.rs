//! The npm package's JavaScript API (the `js` feature): one file per exported class, each a
//! thin wrapper over the Rust API with JS conventions (camelCase, Promises, `on` listeners and
//! async iterators, browser objects as they are, plain objects for plain data).
//!
//! Nothing that JS passes reaches the Rust API unchecked: arguments are `JsValue`s read by
//! [`convert`], so a wrong type, `undefined` or a huge string is a `TypeError` or
//! `RangeError`, never a trap of the module. Errors are JS errors named as
//! [`Error::name`](crate::error::Error::name) says ([`error`]).

#[cfg(feature = "js")]
mod call;
mod convert;
mod data_channel;
mod database;
mod error;
mod events;
#[cfg(feature = "js")]
mod media;
mod peer;

use std::future::Future;
use std::pin::Pin;

use js_sys::{Object, Promise};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");

/// The promise of an async method: `future` runs on the page's task queue, and its `Ok`
/// resolves the promise, its `Err` rejects it.
///
/// Every async method goes through here with its future boxed, so the module holds one
/// `future_to_promise` (its executor closure and task) instead of one per method: 3 KB of the
/// gzipped data-channel build (scripts/size.sh).
fn promise(future: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> Promise {
    boxed_promise(Box::pin(future))
}

/// An async method's future, boxed.
type BoxedFuture = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

#[inline(never)]
fn boxed_promise(future: BoxedFuture) -> Promise {
    wasm_bindgen_futures::future_to_promise(future)
}

/// The package's version (the crate's).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// What WebRTC implementation this page has, as rtcweb uses it: the constructors' names
/// (`null` when missing) and which old forms it needs.
#[wasm_bindgen(unchecked_return_type = "Implementation")]
pub fn implementation() -> Object {
    let found = crate::support::implementation();
    let object = Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = js_sys::Reflect::set(&object, &key.into(), &value);
    };
    let name = |n: Option<&str>| n.map_or(JsValue::NULL, JsValue::from);
    set("peerConnection", name(found.peer_connection));
    set("sessionDescription", name(found.session_description));
    set("iceCandidate", name(found.ice_candidate));
    set("getUserMedia", name(found.get_user_media));
    set("promises", found.promises.into());
    set("iceServerUrl", found.ice_server_url.into());
    set("descriptionInstances", found.description_instances.into());
    set("addTrack", found.add_track.into());
    set("trackEvent", found.track_event.into());
    object
}
