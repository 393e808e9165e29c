//! `RTCPeerConnection`: construction (prefixed constructors, legacy configuration), offers,
//! answers, descriptions and candidates in the promise or the callback form, and the
//! conversions between the crate's descriptions and candidates and the browser's.

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::RtcPeerConnection;

use super::legacy::{self, Arg::*};
use super::{error_from_js, get, get_f64, get_string, set, settle};
use crate::error::Error;
use crate::types::config::{Configuration, OfferOptions};
use crate::types::ice::{IceCandidate, IceServer};
use crate::types::sdp::{SdpType, SessionDescription};

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

}

fn methods(pc: &RtcPeerConnection) -> &PeerConnectionMethods {
    pc.unchecked_ref()
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

/// The `RTCConfiguration` dictionary for [`Configuration`]. With `legacy_url`, each
/// URL of a server becomes an entry of its own with a singular `url` (the form of the
/// prefixed implementations, see [`legacy::legacy_ice_urls`]); otherwise a server is one
/// entry with `urls`.
fn configuration_to_js(config: &Configuration, legacy_url: bool) -> JsValue {
    let dict = Object::new();
    let servers = js_sys::Array::new();
    let entry = |server: &IceServer| {
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

pub(crate) fn new_peer_connection(config: &Configuration) -> Result<RtcPeerConnection, Error> {
    let Some((name, constructor)) = legacy::resolve_global(&legacy::PEER_CONNECTIONS) else {
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
    options: &OfferOptions,
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
        legacy::call_with_callbacks(pc, "createOffer", &[Success, Failure, Value(&constraints)])
            .await?
    } else {
        settle(methods(pc).create_offer(&dict)).await?
    };
    description_from_js(&offer)?.ok_or_else(|| Error::Operation("createOffer gave nothing".into()))
}

pub(crate) async fn create_answer(pc: &RtcPeerConnection) -> Result<SessionDescription, Error> {
    let answer = if legacy::callback_only(pc) {
        legacy::call_with_callbacks(pc, "createAnswer", &[Success, Failure]).await?
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
                _ => create_offer(pc, &OfferOptions::default()).await?,
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
        legacy::call_with_callbacks(pc, "setLocalDescription", &[Value(&init), Success, Failure])
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
        legacy::call_with_callbacks(
            pc,
            "setRemoteDescription",
            &[Value(&init), Success, Failure],
        )
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
        legacy::call_with_callbacks(pc, "addIceCandidate", &[Value(&init), Success, Failure])
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

/// The largest message the remote accepts (`pc.sctp.maxMessageSize`), once SCTP is negotiated.
pub(crate) fn max_message_size(pc: &RtcPeerConnection) -> Option<usize> {
    let size = get_f64(&get(pc, "sctp"), "maxMessageSize")?;
    // Infinity means no limit; usize::MAX saturates it.
    (size > 0.0).then_some(size as usize)
}
