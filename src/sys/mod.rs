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

pub(crate) mod legacy;
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
async fn settle(promise: Result<Promise, JsValue>) -> Result<JsValue, Error> {
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

/// The `RTCConfiguration` dictionary for [`crate::Configuration`]. With `legacy_url`, each
/// URL of a server becomes an entry of its own with a singular `url` (the form of the
/// prefixed implementations, see [`legacy::legacy_ice_urls`]); otherwise a server is one
/// entry with `urls`.
fn configuration_to_js(config: &crate::Configuration, legacy_url: bool) -> JsValue {
    let dict = Object::new();
    let servers = js_sys::Array::new();
    let entry = |server: &crate::IceServer| {
        let entry = Object::new();
        if let Some(username) = &server.username {
            set(&entry, "username", username.as_str());
        }
        if let Some(credential) = &server.credential {
            set(&entry, "credential", credential.as_str());
        }
        entry
    };
    for server in &config.ice_servers {
        if legacy_url {
            for url in &server.urls {
                let one = entry(server);
                set(&one, "url", url.as_str());
                servers.push(&one);
            }
        } else {
            let all = entry(server);
            let urls: js_sys::Array = server.urls.iter().map(|u| JsValue::from_str(u)).collect();
            set(&all, "urls", urls);
            servers.push(&all);
        }
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
    let Some((name, constructor)) = legacy::resolve(&legacy::PEER_CONNECTIONS) else {
        return Err(Error::Unsupported(
            "this browser has no RTCPeerConnection (nor a prefixed one): no WebRTC".into(),
        ));
    };
    let legacy_url = legacy::legacy_ice_urls(name);
    let args = js_sys::Array::of1(&configuration_to_js(config, legacy_url));
    // Prefixed constructors take legacy constraints as a second argument; the standard one
    // takes none, so it gets nothing.
    if name != legacy::PEER_CONNECTIONS[0] {
        args.push(&legacy::legacy_peer_constraints());
    }
    let pc = Reflect::construct(&constructor, &args).map_err(error_from_js)?;
    if !pc.is_object() {
        return Err(Error::Operation(format!("new {name} gave nothing")));
    }
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
    let offer = if legacy::callback_only(pc) {
        let constraints = legacy::legacy_offer_constraints(options);
        legacy::call_with_callbacks(pc, "createOffer", &[], &[&constraints]).await?
    } else {
        settle(methods(pc).create_offer(&dict)).await?
    };
    description_from_js(&offer)?.ok_or_else(|| Error::Operation("createOffer gave nothing".into()))
}

pub(crate) async fn create_answer(pc: &RtcPeerConnection) -> Result<SessionDescription, Error> {
    let answer = if legacy::callback_only(pc) {
        legacy::call_with_callbacks(pc, "createAnswer", &[], &[]).await?
    } else {
        settle(methods(pc).create_answer()).await?
    };
    description_from_js(&answer)?
        .ok_or_else(|| Error::Operation("createAnswer gave nothing".into()))
}

pub(crate) async fn set_local_description(
    pc: &RtcPeerConnection,
    description: Option<&SessionDescription>,
) -> Result<(), Error> {
    let created;
    let description = match description {
        Some(description) => description,
        None if legacy::callback_only(pc) => {
            // Callback-only implementations predate the parameterless form: create what the
            // signaling state calls for, then apply it.
            created = match get_string(pc, "signalingState").as_deref() {
                Some("have-remote-offer") => create_answer(pc).await?,
                _ => create_offer(pc, &crate::OfferOptions::default()).await?,
            };
            &created
        }
        None => {
            return settle(methods(pc).set_local_description_implicit())
                .await
                .map(drop)
        }
    };
    description.validate()?;
    let init = description_arg(pc, description)?;
    if legacy::callback_only(pc) {
        legacy::call_with_callbacks(pc, "setLocalDescription", &[&init], &[])
            .await
            .map(drop)
    } else {
        settle(methods(pc).set_local_description(&init))
            .await
            .map(drop)
    }
}

/// The argument for `setLocalDescription` / `setRemoteDescription`: a plain dictionary, or an
/// `RTCSessionDescription` (or `mozRTCSessionDescription`) where the implementation needs one.
fn description_arg(
    pc: &RtcPeerConnection,
    description: &SessionDescription,
) -> Result<JsValue, Error> {
    let init = description_to_js(description);
    if legacy::needs_instances(pc, legacy::SESSION_DESCRIPTIONS[0]) {
        legacy::instance(&legacy::SESSION_DESCRIPTIONS, &init)
    } else {
        Ok(init)
    }
}

pub(crate) async fn set_remote_description(
    pc: &RtcPeerConnection,
    description: &SessionDescription,
) -> Result<(), Error> {
    description.validate()?;
    let init = description_arg(pc, description)?;
    if legacy::callback_only(pc) {
        legacy::call_with_callbacks(pc, "setRemoteDescription", &[&init], &[])
            .await
            .map(drop)
    } else {
        settle(methods(pc).set_remote_description(&init))
            .await
            .map(drop)
    }
}

pub(crate) async fn add_ice_candidate(
    pc: &RtcPeerConnection,
    candidate: &IceCandidate,
) -> Result<(), Error> {
    let legacy = legacy::needs_instances(pc, legacy::ICE_CANDIDATES[0]);
    if legacy && candidate.is_end_of_candidates() {
        // Implementations that need candidate instances (callback-only, or with only
        // mozRTCIceCandidate) predate the end-of-candidates marker and may throw on an empty
        // candidate. They end ICE by themselves, so the marker is dropped here.
        return Ok(());
    }
    let init = candidate_to_js(candidate);
    if !legacy {
        return settle(methods(pc).add_ice_candidate(&init)).await.map(drop);
    }
    let init = legacy::instance(&legacy::ICE_CANDIDATES, &init)?;
    if legacy::callback_only(pc) {
        legacy::call_with_callbacks(pc, "addIceCandidate", &[&init], &[])
            .await
            .map(drop)
    } else {
        settle(methods(pc).add_ice_candidate(&init)).await.map(drop)
    }
}

pub(crate) fn restart_ice(pc: &RtcPeerConnection) -> Result<(), Error> {
    if !get(pc, "restartIce").is_function() {
        // Older browsers restart ICE only through an offer with `iceRestart`.
        return Err(Error::Unsupported(
            "this browser has no restartIce: create an offer with ice_restart".into(),
        ));
    }
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
