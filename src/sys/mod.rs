//! The only place that sees raw browser objects: bindings web-sys lacks or declares without
//! catching exceptions, property reads that cannot panic, and conversions between the crate's
//! plain types and the browser's dictionaries.
//!
//! Every binding here that can throw is declared with `catch`: an exception crossing into wasm
//! uncaught would skip Rust destructors and leave the module in a broken state.

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{RtcDataChannel, RtcPeerConnection};

use crate::{Error, IceCandidate, SdpType, SessionDescription};

pub(crate) mod media;

#[wasm_bindgen]
extern "C" {
    /// The methods of `RTCPeerConnection` as this crate calls them: every one catches, and
    /// `setLocalDescription` has its parameterless form (perfect negotiation needs it; web-sys
    /// lacks it). Reached by `unchecked_ref` from a `web_sys::RtcPeerConnection`.
    type PeerConnectionMethods;

    #[wasm_bindgen(method, catch, js_name = createOffer)]
    fn create_offer(this: &PeerConnectionMethods, options: &JsValue) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = createAnswer)]
    fn create_answer(this: &PeerConnectionMethods) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = setLocalDescription)]
    fn set_local_description_implicit(this: &PeerConnectionMethods) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = setLocalDescription)]
    fn set_local_description(
        this: &PeerConnectionMethods,
        description: &JsValue,
    ) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = setRemoteDescription)]
    fn set_remote_description(
        this: &PeerConnectionMethods,
        description: &JsValue,
    ) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = addIceCandidate)]
    fn add_ice_candidate(
        this: &PeerConnectionMethods,
        candidate: &JsValue,
    ) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = restartIce)]
    fn restart_ice(this: &PeerConnectionMethods) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch, js_name = createDataChannel)]
    fn create_data_channel(
        this: &PeerConnectionMethods,
        label: &str,
        options: &JsValue,
    ) -> Result<RtcDataChannel, JsValue>;

}

fn methods(pc: &RtcPeerConnection) -> &PeerConnectionMethods {
    pc.unchecked_ref()
}

// ---------------------------------------------------------------------------------------------
// Reading JavaScript values without panicking.

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

/// Sets a property on a dictionary this crate built (a plain object, so this cannot throw).
fn set(target: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(target, &JsValue::from_str(key), &value.into());
}

/// Maps any thrown or rejected value to an [`Error`]: a DOMException or RTCError by its name
/// (and `errorDetail`, `constraint`), a JS `Error` by its constructor name, anything else as
/// text.
pub(crate) fn error_from_js(value: JsValue) -> Error {
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
            constraint: get_string(&value, "constraint").unwrap_or_default(),
            message,
        },
        other => other,
    }
}

/// Awaits a promise from a binding that may also throw before returning it.
async fn settle(promise: Result<Promise, JsValue>) -> Result<JsValue, Error> {
    JsFuture::from(promise.map_err(error_from_js)?)
        .await
        .map_err(error_from_js)
}

// ---------------------------------------------------------------------------------------------
// Conversions between the crate's types and the browser's dictionaries.

fn description_to_js(description: &SessionDescription) -> JsValue {
    let init = Object::new();
    set(&init, "type", description.sdp_type.as_str());
    set(&init, "sdp", description.sdp.as_str());
    init.into()
}

/// Reads an `RTCSessionDescription` (or the plain object of `toJSON`); `None` for null.
pub(crate) fn description_from_js(value: &JsValue) -> Result<Option<SessionDescription>, Error> {
    if value.is_null() || value.is_undefined() {
        return Ok(None);
    }
    let sdp_type: SdpType = get_string(value, "type")
        .ok_or_else(|| Error::parse("session description", "no type"))?
        .parse()?;
    Ok(Some(SessionDescription::new(
        sdp_type,
        get_string(value, "sdp").unwrap_or_default(),
    )))
}

fn candidate_to_js(candidate: &IceCandidate) -> JsValue {
    let init = Object::new();
    set(&init, "candidate", candidate.candidate.as_str());
    if let Some(mid) = &candidate.sdp_mid {
        set(&init, "sdpMid", mid.as_str());
    }
    if let Some(index) = candidate.sdp_m_line_index {
        set(&init, "sdpMLineIndex", index);
    }
    if let Some(ufrag) = &candidate.username_fragment {
        set(&init, "usernameFragment", ufrag.as_str());
    }
    init.into()
}

/// Reads an `RTCIceCandidate`; the `null` candidate that ends gathering becomes the
/// end-of-candidates marker.
pub(crate) fn candidate_from_js(value: &JsValue) -> IceCandidate {
    if value.is_null() || value.is_undefined() {
        return IceCandidate::end_of_candidates();
    }
    IceCandidate {
        candidate: get_string(value, "candidate").unwrap_or_default(),
        sdp_mid: get_string(value, "sdpMid"),
        sdp_m_line_index: get_f64(value, "sdpMLineIndex")
            .and_then(|i| u16::try_from(i as i64).ok()),
        username_fragment: get_string(value, "usernameFragment"),
    }
}

// ---------------------------------------------------------------------------------------------
// RTCPeerConnection.

/// The `RTCConfiguration` dictionary for [`crate::Configuration`].
fn configuration_to_js(config: &crate::Configuration) -> JsValue {
    let dict = Object::new();
    let servers = js_sys::Array::new();
    for server in &config.ice_servers {
        let entry = Object::new();
        let urls: js_sys::Array = server.urls.iter().map(|u| JsValue::from_str(u)).collect();
        set(&entry, "urls", urls);
        if let Some(username) = &server.username {
            set(&entry, "username", username.as_str());
        }
        if let Some(credential) = &server.credential {
            set(&entry, "credential", credential.as_str());
        }
        servers.push(&entry);
    }
    set(&dict, "iceServers", servers);
    set(
        &dict,
        "iceTransportPolicy",
        config.ice_transport_policy.as_str(),
    );
    set(&dict, "bundlePolicy", config.bundle_policy.as_str());
    if let Some(size) = config.ice_candidate_pool_size {
        set(&dict, "iceCandidatePoolSize", size);
    }
    dict.into()
}

pub(crate) fn new_peer_connection(
    config: &crate::Configuration,
) -> Result<RtcPeerConnection, Error> {
    let constructor = get(&js_sys::global(), "RTCPeerConnection");
    let Some(constructor) = constructor.dyn_ref::<js_sys::Function>() else {
        return Err(Error::Unsupported(
            "this browser has no RTCPeerConnection".into(),
        ));
    };
    let args = js_sys::Array::of1(&configuration_to_js(config));
    let pc = Reflect::construct(constructor, &args).map_err(error_from_js)?;
    Ok(pc.unchecked_into())
}

pub(crate) async fn create_offer(
    pc: &RtcPeerConnection,
    options: &crate::OfferOptions,
) -> Result<SessionDescription, Error> {
    let dict = Object::new();
    if options.ice_restart {
        set(&dict, "iceRestart", true);
    }
    if let Some(audio) = options.offer_to_receive_audio {
        set(&dict, "offerToReceiveAudio", audio);
    }
    if let Some(video) = options.offer_to_receive_video {
        set(&dict, "offerToReceiveVideo", video);
    }
    let offer = settle(methods(pc).create_offer(&dict)).await?;
    description_from_js(&offer)?.ok_or_else(|| Error::Operation("createOffer gave nothing".into()))
}

pub(crate) async fn create_answer(pc: &RtcPeerConnection) -> Result<SessionDescription, Error> {
    let answer = settle(methods(pc).create_answer()).await?;
    description_from_js(&answer)?
        .ok_or_else(|| Error::Operation("createAnswer gave nothing".into()))
}

pub(crate) async fn set_local_description(
    pc: &RtcPeerConnection,
    description: Option<&SessionDescription>,
) -> Result<(), Error> {
    let promise = match description {
        Some(description) => {
            description.validate()?;
            methods(pc).set_local_description(&description_to_js(description))
        }
        None => methods(pc).set_local_description_implicit(),
    };
    settle(promise).await.map(drop)
}

pub(crate) async fn set_remote_description(
    pc: &RtcPeerConnection,
    description: &SessionDescription,
) -> Result<(), Error> {
    description.validate()?;
    settle(methods(pc).set_remote_description(&description_to_js(description)))
        .await
        .map(drop)
}

pub(crate) async fn add_ice_candidate(
    pc: &RtcPeerConnection,
    candidate: &IceCandidate,
) -> Result<(), Error> {
    settle(methods(pc).add_ice_candidate(&candidate_to_js(candidate)))
        .await
        .map(drop)
}

pub(crate) fn restart_ice(pc: &RtcPeerConnection) -> Result<(), Error> {
    methods(pc).restart_ice().map_err(error_from_js)
}

/// One of the connection's description attributes (`localDescription`, ...).
pub(crate) fn description(pc: &RtcPeerConnection, attribute: &str) -> Option<SessionDescription> {
    description_from_js(&get(pc, attribute)).ok().flatten()
}

/// A state attribute parsed into its enum; `None` when the browser lacks the attribute or
/// reports a value this crate does not know.
pub(crate) fn state<T: std::str::FromStr>(target: &JsValue, attribute: &str) -> Option<T> {
    get_string(target, attribute)?.parse().ok()
}

/// The largest message the remote accepts (`pc.sctp.maxMessageSize`), once SCTP is negotiated.
pub(crate) fn max_message_size(pc: &RtcPeerConnection) -> Option<usize> {
    let size = get_f64(&get(pc, "sctp"), "maxMessageSize")?;
    // Infinity means no limit; usize::MAX saturates it.
    (size > 0.0).then_some(size as usize)
}

// ---------------------------------------------------------------------------------------------
// RTCDataChannel.

pub(crate) fn create_data_channel(
    pc: &RtcPeerConnection,
    options: &crate::DataChannelOptions,
    protocol: &str,
) -> Result<RtcDataChannel, Error> {
    let dict = Object::new();
    set(&dict, "ordered", options.ordered);
    if let Some(n) = options.max_retransmits {
        set(&dict, "maxRetransmits", n);
    }
    if let Some(ms) = options.max_packet_life_time {
        set(&dict, "maxPacketLifeTime", ms);
    }
    set(&dict, "protocol", protocol);
    if let Some(id) = options.negotiated_id {
        set(&dict, "negotiated", true);
        set(&dict, "id", id);
    }
    methods(pc)
        .create_data_channel(&options.label, &dict)
        .map_err(error_from_js)
}

pub(crate) fn channel_send_str(channel: &RtcDataChannel, text: &str) -> Result<(), Error> {
    channel.send_with_str(text).map_err(error_from_js)
}

pub(crate) fn channel_send_bytes(channel: &RtcDataChannel, bytes: &[u8]) -> Result<(), Error> {
    // A view of wasm memory, without a copy: send() copies the bytes before it returns.
    channel.send_with_u8_array(bytes).map_err(error_from_js)
}

/// The error of a data channel's `error` event, or `None` when it only reports that the
/// remote closed its connection: Chromium fires an RTCError with `errorDetail`
/// `sctp-failure` and SCTP cause 12 (User-Initiated Abort) when the other side calls
/// `RTCPeerConnection.close()`, which for the channel is an ordinary close.
pub(crate) fn channel_error(event: &web_sys::Event) -> Option<Error> {
    const USER_INITIATED_ABORT: f64 = 12.0;
    let error = get(event, "error");
    let detail = get_string(&error, "errorDetail");
    if detail.as_deref() == Some("sctp-failure")
        && get_f64(&error, "sctpCauseCode") == Some(USER_INITIATED_ABORT)
    {
        return None;
    }
    Some(error_from_js(error))
}

/// The data of a `message` event: text, or binary as an `ArrayBuffer` (the channel's
/// `binaryType` is set to `arraybuffer`; Firefox defaults to `blob`).
pub(crate) fn message_data(event: &web_sys::Event) -> Option<crate::Message> {
    // The typed getter: this runs for every message, and a property read by name would
    // convert the name to a JS string each time.
    let data = event.dyn_ref::<web_sys::MessageEvent>()?.data();
    if let Some(text) = data.as_string() {
        return Some(crate::Message::Text(text));
    }
    if data.is_instance_of::<js_sys::ArrayBuffer>() {
        return Some(crate::Message::Binary(
            js_sys::Uint8Array::new(&data).to_vec(),
        ));
    }
    if let Some(view) = data.dyn_ref::<js_sys::Uint8Array>() {
        return Some(crate::Message::Binary(view.to_vec()));
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Networking for signaling.

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
