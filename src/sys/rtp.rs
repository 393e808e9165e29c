//! Media on `RTCPeerConnection`: sending tracks and streams, the `track` and `addstream`
//! events, `RTCRtpSender`, `RTCRtpReceiver` and `RTCRtpTransceiver`, codec capabilities.

use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    MediaStream, MediaStreamTrack, RtcPeerConnection, RtcRtpReceiver, RtcRtpSender,
    RtcRtpTransceiver,
};

use super::track::stream_tracks_of;
use super::{array, call_method, error_from_js, get, get_f64, get_string, set, settle};
use crate::error::Error;
use crate::types::media::{CodecCapability, MediaKind, RtpCapabilities};

#[wasm_bindgen]
extern "C" {
    /// The media methods of `RTCPeerConnection`, catching.
    type PeerMediaMethods;

    #[wasm_bindgen(method, catch, js_name = removeTrack)]
    fn remove_track(this: &PeerMediaMethods, sender: &JsValue) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch, js_name = addTransceiver)]
    fn add_transceiver(
        this: &PeerMediaMethods,
        track_or_kind: &JsValue,
        init: &JsValue,
    ) -> Result<JsValue, JsValue>;

    /// `RTCRtpSender`, `RTCRtpReceiver` and `RTCRtpTransceiver` methods, catching.
    type RtpMethods;

    #[wasm_bindgen(method, catch, js_name = replaceTrack)]
    fn replace_track(this: &RtpMethods, track: &JsValue) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = setCodecPreferences)]
    fn set_codec_preferences(this: &RtpMethods, codecs: &JsValue) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch, js_name = stop)]
    fn transceiver_stop(this: &RtpMethods) -> Result<(), JsValue>;
}

fn pc_methods(pc: &RtcPeerConnection) -> &PeerMediaMethods {
    pc.unchecked_ref()
}

pub(crate) fn add_track(
    pc: &RtcPeerConnection,
    track: &MediaStreamTrack,
    streams: &[&MediaStream],
) -> Result<RtcRtpSender, Error> {
    let args = Array::of1(track);
    for stream in streams {
        args.push(stream);
    }
    let sender = call_method(pc, "addTrack", &args)
        .ok_or_else(|| {
            Error::Unsupported(
                "this browser has no RTCPeerConnection.addTrack (nor senders): send whole \
                 streams with add_stream"
                    .into(),
            )
        })?
        .map_err(error_from_js)?;
    if !sender.is_object() {
        return Err(Error::Operation("addTrack gave no sender".into()));
    }
    Ok(sender.unchecked_into())
}

/// Whether the connection has `addTrack`; without it (Chrome before 64, Safari before 11)
/// only whole streams can be sent, with [`add_stream`].
pub(crate) fn has_add_track(pc: &RtcPeerConnection) -> bool {
    get(pc, "addTrack").is_function()
}

/// The legacy `addStream(stream)`, for connections without `addTrack`.
pub(crate) fn add_stream(pc: &RtcPeerConnection, stream: &MediaStream) -> Result<(), Error> {
    call_method(pc, "addStream", &Array::of1(stream))
        .ok_or_else(|| {
            Error::Unsupported("this browser has neither addTrack nor addStream".into())
        })?
        .map(drop)
        .map_err(error_from_js)
}

/// The legacy `removeStream(stream)`, for connections without `addTrack`.
pub(crate) fn remove_stream(pc: &RtcPeerConnection, stream: &MediaStream) -> Result<(), Error> {
    call_method(pc, "removeStream", &Array::of1(stream))
        .ok_or_else(|| Error::Unsupported("this browser has no removeStream".into()))?
        .map(drop)
        .map_err(error_from_js)
}

/// Whether the connection fires `track` events. The rule: browsers with the event have an
/// `ontrack` attribute, `null` until set; where it is `undefined` (absent) and `onaddstream`
/// exists (Chrome before 56, Safari before 11), remote media arrives as `addstream` events.
pub(crate) fn has_track_event(pc: &RtcPeerConnection) -> bool {
    !get(pc, "ontrack").is_undefined() || get(pc, "onaddstream").is_undefined()
}

/// Reads an `addstream` event as the track events a modern browser would have fired: one per
/// track of the stream (video before audio).
pub(crate) fn add_stream_event(event: &web_sys::Event) -> Vec<TrackEvent> {
    let Some(stream) = object::<MediaStream>(event, "stream") else {
        return Vec::new();
    };
    stream_tracks_of(&stream, Some(MediaKind::Video))
        .into_iter()
        .chain(stream_tracks_of(&stream, Some(MediaKind::Audio)))
        .map(|track| TrackEvent {
            track: track.unchecked_into(),
            streams: vec![Clone::clone(&stream)],
            receiver: None,
            transceiver: None,
        })
        .collect()
}

pub(crate) fn remove_track(pc: &RtcPeerConnection, sender: &RtcRtpSender) -> Result<(), Error> {
    pc_methods(pc).remove_track(sender).map_err(error_from_js)
}

pub(crate) fn add_transceiver(
    pc: &RtcPeerConnection,
    track_or_kind: &JsValue,
    direction: &str,
    streams: &[&MediaStream],
) -> Result<RtcRtpTransceiver, Error> {
    if !get(pc, "addTransceiver").is_function() {
        return Err(Error::Unsupported(
            "this browser has no RTCPeerConnection.addTransceiver".into(),
        ));
    }
    let init = Object::new();
    set(&init, "direction", direction);
    let list: Array = streams.iter().map(|s| JsValue::from(*s)).collect();
    set(&init, "streams", list);
    let transceiver = pc_methods(pc)
        .add_transceiver(track_or_kind, &init)
        .map_err(error_from_js)?;
    if !transceiver.is_object() {
        return Err(Error::Operation("addTransceiver gave nothing".into()));
    }
    Ok(transceiver.unchecked_into())
}

/// `getTransceivers()`, `getSenders()` or `getReceivers()`; empty where the browser lacks it.
pub(crate) fn list<T: JsCast>(pc: &RtcPeerConnection, method: &str) -> Vec<T> {
    let list = call_method(pc, method, &Array::new())
        .and_then(Result::ok)
        .unwrap_or(JsValue::UNDEFINED);
    array(&list)
        .into_iter()
        .filter(JsValue::is_object)
        .map(JsCast::unchecked_into)
        .collect()
}

/// An object-valued property (`sender.track`, `transceiver.sender`, ...), `None` for null.
pub(crate) fn object<T: JsCast>(target: &JsValue, key: &str) -> Option<T> {
    let value = get(target, key);
    value.is_object().then(|| value.unchecked_into())
}

/// What a `track` event carries.
pub(crate) struct TrackEvent {
    pub(crate) track: MediaStreamTrack,
    pub(crate) streams: Vec<MediaStream>,
    pub(crate) receiver: Option<RtcRtpReceiver>,
    pub(crate) transceiver: Option<RtcRtpTransceiver>,
}

/// Reads a `track` event; `None` when it has no track.
pub(crate) fn track_event(event: &web_sys::Event) -> Option<TrackEvent> {
    let track = object(event, "track")?;
    let streams = array(&get(event, "streams"))
        .into_iter()
        .filter(JsValue::is_object)
        .map(JsCast::unchecked_into)
        .collect();
    Some(TrackEvent {
        track,
        streams,
        receiver: object(event, "receiver"),
        transceiver: object(event, "transceiver"),
    })
}

pub(crate) async fn replace_track(
    sender: &RtcRtpSender,
    track: Option<&MediaStreamTrack>,
) -> Result<(), Error> {
    if !get(sender, "replaceTrack").is_function() {
        return Err(Error::Unsupported(
            "this browser has no RTCRtpSender.replaceTrack".into(),
        ));
    }
    let track = track.map_or(JsValue::NULL, JsValue::from);
    settle(sender.unchecked_ref::<RtpMethods>().replace_track(&track))
        .await
        .map(drop)
}

pub(crate) fn set_direction(transceiver: &RtcRtpTransceiver, direction: &str) -> Result<(), Error> {
    Reflect::set(transceiver, &"direction".into(), &direction.into())
        .map(drop)
        .map_err(error_from_js)
}

pub(crate) fn stop_transceiver(transceiver: &RtcRtpTransceiver) -> Result<(), Error> {
    if !get(transceiver, "stop").is_function() {
        return Err(Error::Unsupported(
            "this browser cannot stop a transceiver".into(),
        ));
    }
    transceiver
        .unchecked_ref::<RtpMethods>()
        .transceiver_stop()
        .map_err(error_from_js)
}

pub(crate) fn set_codec_preferences(
    transceiver: &RtcRtpTransceiver,
    codecs: &[CodecCapability],
) -> Result<(), Error> {
    if !get(transceiver, "setCodecPreferences").is_function() {
        return Err(Error::Unsupported(
            "this browser cannot set codec preferences (no setCodecPreferences)".into(),
        ));
    }
    let list: Array = codecs
        .iter()
        .map(|codec| -> JsValue {
            let dict = Object::new();
            set(&dict, "mimeType", codec.mime_type.as_str());
            set(&dict, "clockRate", codec.clock_rate);
            if let Some(channels) = codec.channels {
                set(&dict, "channels", channels);
            }
            if let Some(fmtp) = &codec.sdp_fmtp_line {
                set(&dict, "sdpFmtpLine", fmtp.as_str());
            }
            dict.into()
        })
        .collect();
    transceiver
        .unchecked_ref::<RtpMethods>()
        .set_codec_preferences(&list)
        .map_err(error_from_js)
}

/// `RTCRtpSender.getCapabilities(kind)` or the receiver's; `None` where the browser lacks it.
pub(crate) fn capabilities(class: &str, kind: MediaKind) -> Option<RtpCapabilities> {
    let class = get(&js_sys::global(), class);
    let caps = call_method(
        &class,
        "getCapabilities",
        &Array::of1(&kind.as_str().into()),
    )?
    .ok()?;
    if !caps.is_object() {
        return None;
    }
    let codecs = array(&get(&caps, "codecs"))
        .iter()
        .filter_map(|codec| {
            Some(CodecCapability {
                mime_type: get_string(codec, "mimeType")?,
                clock_rate: get_f64(codec, "clockRate").map_or(0, |n| n as u32),
                channels: get_f64(codec, "channels").map(|n| n as u16),
                sdp_fmtp_line: get_string(codec, "sdpFmtpLine"),
            })
        })
        .collect();
    let header_extensions = array(&get(&caps, "headerExtensions"))
        .iter()
        .filter_map(|ext| get_string(ext, "uri"))
        .collect();
    Some(RtpCapabilities {
        codecs,
        header_extensions,
    })
}
