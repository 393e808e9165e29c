//! Old browsers' WebRTC: vendor-prefixed constructors and callback-style methods, resolved per
//! call from the global object. Nothing here patches `window`: each decision reads what the
//! page has at the moment of the call, so a page (or a test) that changes its globals is seen
//! as it is.
//!
//! What is handled, and how it is detected:
//! - Constructors: `RTCPeerConnection`, else `webkitRTCPeerConnection` (Chrome before 56),
//!   else `mozRTCPeerConnection` (Firefox before 44); the same
//!   for `RTCSessionDescription` / `mozRTCSessionDescription` and `RTCIceCandidate` /
//!   `mozRTCIceCandidate`.
//! - Promise or callback forms: see [`callback_only`].
//! - Description and candidate instances: see [`needs_instances`].
//! - ICE servers: a prefixed constructor gets a singular `url` per entry, the standard one
//!   `urls` (see [`legacy_ice_urls`]).

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::{error_from_js, get, get_f64, set};
use crate::error::Error;
use crate::types::config::OfferOptions;

/// The peer connection constructors, the standard one first.
pub(crate) const PEER_CONNECTIONS: [&str; 3] = [
    "RTCPeerConnection",
    "webkitRTCPeerConnection",
    "mozRTCPeerConnection",
];
/// The session description constructors (Chrome always had the unprefixed one).
pub(crate) const SESSION_DESCRIPTIONS: [&str; 2] =
    ["RTCSessionDescription", "mozRTCSessionDescription"];
/// The ICE candidate constructors.
pub(crate) const ICE_CANDIDATES: [&str; 2] = ["RTCIceCandidate", "mozRTCIceCandidate"];

/// The first of `names` that is a function on `target` (the global object for constructors,
/// `navigator` for `getUserMedia`), with its name.
pub(crate) fn resolve(
    target: &JsValue,
    names: &[&'static str],
) -> Option<(&'static str, Function)> {
    names.iter().find_map(|name| {
        get(target, name)
            .dyn_into::<Function>()
            .ok()
            .map(|f| (*name, f))
    })
}

/// The first of `names` that is a global constructor, with its name.
pub(crate) fn resolve_global(names: &[&'static str]) -> Option<(&'static str, Function)> {
    resolve(&js_sys::global(), names)
}

/// Whether ICE servers must be given with a singular `url` for the constructor `name`.
///
/// The rule: every prefixed constructor (`webkitRTCPeerConnection`, `mozRTCPeerConnection`)
/// gets `url`, one entry per URL; the standard `RTCPeerConnection` gets `urls`. `urls` came
/// late in the prefixed era, while every prefixed implementation understood `url`, so `url`
/// is the one form they all take.
pub(crate) fn legacy_ice_urls(name: &str) -> bool {
    name != PEER_CONNECTIONS[0]
}

/// Whether `target` (a connection, or a constructor's prototype) has only the callback forms
/// of `createOffer`, `createAnswer`, `setLocalDescription`, `setRemoteDescription`,
/// `addIceCandidate` and `getStats`.
///
/// The rule: `createOffer.length >= 2`. A WebIDL operation's `length` is the smallest number
/// of required arguments over its overloads. Browsers with promises declare
/// `createOffer(optional RTCOfferOptions options)` (beside the legacy overload), so their
/// `length` is 0 (Chromium and Firefox today); callback-only implementations (Chrome before
/// 51, old Firefox, the 2013 specification) declare only `createOffer(successCallback,
/// failureCallback, optional constraints)`, length 2. `createOffer` is the witness for all six
/// methods because browsers added the promise forms of all of them together, and because the
/// others cannot tell by themselves: `setLocalDescription(description, success, failure)` had
/// optional callbacks in old Chrome (length 1, as the promise form).
///
/// The decision is made before calling, and the method is called once in the chosen form: a
/// promise-form call is never retried with callbacks after a failure (the browser may have
/// acted on the first call). A promise-form call that returns no promise is an
/// [`Error::Unsupported`].
pub(crate) fn callback_only(target: &JsValue) -> bool {
    get_f64(&get(target, "createOffer"), "length").is_some_and(|n| n >= 2.0)
}

/// Whether `setLocalDescription`, `setRemoteDescription` and `addIceCandidate` of `pc` need
/// `RTCSessionDescription` / `RTCIceCandidate` instances rather than plain dictionaries: when
/// the connection is callback-only (the legacy interface took instances), or when the page
/// has no standard constructor and only a prefixed one (Firefox before 44 threw on a plain
/// object).
pub(crate) fn needs_instances(pc: &JsValue, standard: &str) -> bool {
    callback_only(pc) || !get(&js_sys::global(), standard).is_function()
}

/// `new Constructor(init)` with the first constructor of `names` found; `init` itself when
/// there is none (the browser then gets what the standard asks for).
pub(crate) fn instance(names: &[&'static str], init: &JsValue) -> Result<JsValue, Error> {
    match resolve_global(names) {
        Some((_, constructor)) => {
            Reflect::construct(&constructor, &Array::of1(init)).map_err(error_from_js)
        }
        None => Ok(init.clone()),
    }
}

/// The `{optional: [{DtlsSrtpKeyAgreement: true}]}` constraints that prefixed constructors
/// take as their second argument (Chrome before 31 fell back to SDES without it, which
/// Firefox cannot talk to).
pub(crate) fn legacy_peer_constraints() -> JsValue {
    let agreement = Object::new();
    set(&agreement, "DtlsSrtpKeyAgreement", true);
    let constraints = Object::new();
    set(&constraints, "optional", Array::of1(&agreement));
    constraints.into()
}

/// The legacy `createOffer` constraints for [`OfferOptions`]:
/// `{mandatory: {OfferToReceiveAudio, OfferToReceiveVideo, IceRestart}}`.
pub(crate) fn legacy_offer_constraints(options: &OfferOptions) -> JsValue {
    let mandatory = Object::new();
    if let Some(audio) = options.offer_to_receive_audio {
        set(&mandatory, "OfferToReceiveAudio", audio);
    }
    if let Some(video) = options.offer_to_receive_video {
        set(&mandatory, "OfferToReceiveVideo", video);
    }
    if options.ice_restart {
        set(&mandatory, "IceRestart", true);
    }
    let constraints = Object::new();
    set(&constraints, "mandatory", mandatory);
    constraints.into()
}

/// One argument of a callback-style call: a value, or the place of the success or the
/// failure callback.
pub(crate) enum Arg<'a> {
    Value(&'a JsValue),
    Success,
    Failure,
}

/// Calls `function` on `this` once with `args`, the callbacks in their places, as a promise of
/// what the success callback receives. A synchronous throw and a call to the failure callback
/// both reject it.
pub(crate) fn callback_promise(function: &Function, this: &JsValue, args: &[Arg]) -> Promise {
    Promise::new(&mut |resolve, reject| {
        let list: Array = args
            .iter()
            .map(|arg| match arg {
                Arg::Value(value) => (*value).clone(),
                Arg::Success => resolve.clone().into(),
                Arg::Failure => reject.clone().into(),
            })
            .collect();
        if let Err(thrown) = Reflect::apply(function, this, &list) {
            let _ = reject.call1(&JsValue::UNDEFINED, &thrown);
        }
    })
}

/// Calls the callback form of `target[method]` once (see [`callback_promise`]) and awaits it.
pub(crate) async fn call_with_callbacks(
    target: &JsValue,
    method: &str,
    args: &[Arg<'_>],
) -> Result<JsValue, Error> {
    let function = get(target, method)
        .dyn_into::<Function>()
        .map_err(|_| Error::Unsupported(format!("this browser has no {method}")))?;
    JsFuture::from(callback_promise(&function, target, args))
        .await
        .map_err(error_from_js)
}

/// What the page has now, as the calls above would decide it (for `support::implementation`).
pub(crate) struct Probe {
    pub(crate) peer_connection: Option<&'static str>,
    pub(crate) session_description: Option<&'static str>,
    pub(crate) ice_candidate: Option<&'static str>,
    pub(crate) promises: bool,
    pub(crate) ice_server_url: bool,
    pub(crate) description_instances: bool,
    pub(crate) add_track: bool,
    pub(crate) track_event: bool,
}

/// Reads the globals and the peer connection constructor's prototype (where its methods
/// live); creates nothing.
pub(crate) fn probe() -> Probe {
    let constructor = resolve_global(&PEER_CONNECTIONS);
    let prototype = constructor
        .as_ref()
        .map_or(JsValue::UNDEFINED, |(_, c)| get(c, "prototype"));
    let found = constructor.is_some();
    let callbacks = callback_only(&prototype);
    Probe {
        peer_connection: constructor.as_ref().map(|(name, _)| *name),
        session_description: resolve_global(&SESSION_DESCRIPTIONS).map(|(name, _)| name),
        ice_candidate: resolve_global(&ICE_CANDIDATES).map(|(name, _)| name),
        promises: found && !callbacks,
        ice_server_url: constructor
            .as_ref()
            .is_some_and(|(name, _)| legacy_ice_urls(name)),
        description_instances: found
            && (callbacks || !get(&js_sys::global(), SESSION_DESCRIPTIONS[0]).is_function()),
        add_track: get(&prototype, "addTrack").is_function(),
        // The same rule as `media::has_track_event`, on the prototype: `ontrack` is an
        // accessor there, so `in` tells whether the event exists.
        track_event: found
            && (has_attribute(&prototype, "ontrack") || !has_attribute(&prototype, "onaddstream")),
    }
}

/// Whether the prototype `target` has the event handler attribute `key`: present in its chain
/// and not hidden behind a plain `undefined` value.
fn has_attribute(target: &JsValue, key: &str) -> bool {
    target.is_object()
        && Reflect::has(target.unchecked_ref(), &key.into()).unwrap_or(false)
        && !hidden(target, key)
}

/// Whether `target` (or its chain) holds `key` as a plain `undefined` value: how a page hides
/// an inherited accessor.
fn hidden(target: &JsValue, key: &str) -> bool {
    let mut object = target.clone();
    while object.is_object() {
        let descriptor =
            Reflect::get_own_property_descriptor(object.unchecked_ref::<Object>(), &key.into())
                .unwrap_or(JsValue::UNDEFINED);
        if descriptor.is_object() {
            return Reflect::has(&descriptor, &"value".into()).unwrap_or(false)
                && get(&descriptor, "value").is_undefined();
        }
        object = Reflect::get_prototype_of(&object)
            .map(JsValue::from)
            .unwrap_or(JsValue::NULL);
    }
    false
}

/// Which callback form `getStats` of a callback-only connection has. The rule, by the
/// method's `length`: the old specification's (and old Firefox's)
/// `getStats(selector, successCallback, failureCallback)` has 3 required arguments, old
/// Chrome's `getStats(successCallback, optional selector)` has 1.
pub(crate) fn stats_success_first(pc: &JsValue) -> bool {
    get_f64(&get(pc, "getStats"), "length").is_some_and(|n| n < 2.0)
}
