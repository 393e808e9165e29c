//! Raw media: `navigator.mediaDevices` (and the prefixed, callback-style `getUserMedia` of old
//! browsers), tracks and streams, RTP senders, receivers and transceivers, `getStats` reports
//! and media elements.
//!
//! Every method binding here catches; property reads go through [`get`] and cannot throw.

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    HtmlMediaElement, MediaStream, MediaStreamTrack, RtcPeerConnection, RtcRtpReceiver,
    RtcRtpSender, RtcRtpTransceiver,
};

use super::{error_from_js, get, get_f64, get_string, settle};
use crate::media::{
    CodecCapability, DeviceInfo, JsLike, MediaKind, RtpCapabilities, TrackSettings,
};
use crate::stats::{RawStats, StatsValue};
use crate::Error;

#[wasm_bindgen]
extern "C" {
    /// `navigator.mediaDevices`, every method catching.
    type MediaDevicesMethods;

    #[wasm_bindgen(method, catch, js_name = getUserMedia)]
    fn get_user_media(
        this: &MediaDevicesMethods,
        constraints: &JsValue,
    ) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = getDisplayMedia)]
    fn get_display_media(
        this: &MediaDevicesMethods,
        constraints: &JsValue,
    ) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = enumerateDevices)]
    fn enumerate_devices(this: &MediaDevicesMethods) -> Result<Promise, JsValue>;

    /// `MediaStreamTrack` and `MediaStream` methods, catching.
    type TrackMethods;

    #[wasm_bindgen(method, catch)]
    fn stop(this: &TrackMethods) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch, js_name = clone)]
    fn clone_track(this: &TrackMethods) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, catch, js_name = getSettings)]
    fn get_settings(this: &TrackMethods) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, catch, js_name = applyConstraints)]
    fn apply_constraints(this: &TrackMethods, constraints: &JsValue) -> Result<Promise, JsValue>;

    type StreamMethods;

    #[wasm_bindgen(method, catch, js_name = getTracks)]
    fn get_tracks(this: &StreamMethods) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, catch, js_name = getAudioTracks)]
    fn get_audio_tracks(this: &StreamMethods) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, catch, js_name = getVideoTracks)]
    fn get_video_tracks(this: &StreamMethods) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, catch, js_name = addTrack)]
    fn stream_add_track(this: &StreamMethods, track: &JsValue) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch, js_name = removeTrack)]
    fn stream_remove_track(this: &StreamMethods, track: &JsValue) -> Result<(), JsValue>;

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

    #[wasm_bindgen(method, catch, js_name = getStats)]
    fn get_stats(this: &PeerMediaMethods) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = getStats)]
    fn get_stats_for(this: &PeerMediaMethods, selector: &JsValue) -> Result<Promise, JsValue>;

    /// `RTCRtpSender`, `RTCRtpReceiver` and `RTCRtpTransceiver` methods, catching.
    type RtpMethods;

    #[wasm_bindgen(method, catch, js_name = replaceTrack)]
    fn replace_track(this: &RtpMethods, track: &JsValue) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = getStats)]
    fn rtp_get_stats(this: &RtpMethods) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = setCodecPreferences)]
    fn set_codec_preferences(this: &RtpMethods, codecs: &JsValue) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch, js_name = stop)]
    fn transceiver_stop(this: &RtpMethods) -> Result<(), JsValue>;

    /// `HTMLMediaElement.play`, which returns a promise (undefined in old browsers).
    type ElementMethods;

    #[wasm_bindgen(method, catch)]
    fn play(this: &ElementMethods) -> Result<JsValue, JsValue>;
}

/// Builds the JavaScript value of a [`JsLike`] tree (constraint dictionaries).
pub(crate) fn to_js(value: &JsLike) -> JsValue {
    match value {
        JsLike::Bool(b) => JsValue::from_bool(*b),
        JsLike::Number(n) => JsValue::from_f64(*n),
        JsLike::Str(s) => JsValue::from_str(s),
        JsLike::List(items) => items.iter().map(to_js).collect::<Array>().into(),
        JsLike::Object(fields) => {
            let object = Object::new();
            for (key, value) in fields {
                let _ = Reflect::set(&object, &JsValue::from_str(key), &to_js(value));
            }
            object.into()
        }
    }
}

/// The elements of an array-like value; empty when it is not an array.
fn array(value: &JsValue) -> Vec<JsValue> {
    match value.dyn_ref::<Array>() {
        Some(array) => array.iter().collect(),
        None => Vec::new(),
    }
}

/// Calls `target[name](...args)` if it is a function; `None` when there is no such method.
fn call_method(target: &JsValue, name: &str, args: &Array) -> Option<Result<JsValue, JsValue>> {
    let method = get(target, name);
    let method = method.dyn_ref::<Function>()?;
    Some(Reflect::apply(method, target, args))
}

// ---------------------------------------------------------------------------------------------
// navigator.mediaDevices.

fn navigator() -> JsValue {
    get(&js_sys::global(), "navigator")
}

/// Why there is no `navigator.mediaDevices`: an insecure context, or an old browser.
fn no_media_devices() -> Error {
    // Every browser hides `navigator.mediaDevices` outside secure contexts (https, localhost);
    // `isSecureContext` tells this apart from a browser that never had it.
    if get(&js_sys::global(), "isSecureContext").as_bool() == Some(false) {
        Error::Security(
            "camera, microphone and screen need a secure context (https:// or \
             http://localhost); this page is not one, so the browser hides navigator.mediaDevices"
                .into(),
        )
    } else {
        Error::Unsupported("this browser has no navigator.mediaDevices".into())
    }
}

fn media_devices() -> Option<JsValue> {
    let devices = get(&navigator(), "mediaDevices");
    devices.is_object().then_some(devices)
}

/// The prefixed, callback-style `getUserMedia` of old browsers (Chrome before 53 and Safari
/// had `webkitGetUserMedia`, Firefox before 36 `mozGetUserMedia`), as a promise.
fn legacy_get_user_media(constraints: &JsValue) -> Option<Promise> {
    let navigator = navigator();
    let (_, method) = legacy_get_user_media_method()?;
    Some(Promise::new(&mut |resolve, reject| {
        let args = Array::of3(constraints, &resolve, &reject);
        if let Err(thrown) = Reflect::apply(&method, &navigator, &args) {
            let _ = reject.call1(&JsValue::UNDEFINED, &thrown);
        }
    }))
}

/// The callback-style `getUserMedia` of `navigator`, with its name.
fn legacy_get_user_media_method() -> Option<(&'static str, Function)> {
    let navigator = navigator();
    ["getUserMedia", "webkitGetUserMedia", "mozGetUserMedia"]
        .iter()
        .find_map(|name| {
            get(&navigator, name)
                .dyn_into::<Function>()
                .ok()
                .map(|f| (*name, f))
        })
}

/// Which `getUserMedia` [`get_user_media`] would use, for diagnostics:
/// `navigator.mediaDevices.getUserMedia`, else `navigator.getUserMedia`,
/// `navigator.webkitGetUserMedia` or `navigator.mozGetUserMedia`.
pub(crate) fn get_user_media_name() -> Option<&'static str> {
    if media_devices().is_some_and(|devices| get(&devices, "getUserMedia").is_function()) {
        return Some("navigator.mediaDevices.getUserMedia");
    }
    if get(&js_sys::global(), "isSecureContext").as_bool() == Some(false) {
        return None;
    }
    legacy_get_user_media_method().map(|(name, _)| match name {
        "webkitGetUserMedia" => "navigator.webkitGetUserMedia",
        "mozGetUserMedia" => "navigator.mozGetUserMedia",
        _ => "navigator.getUserMedia",
    })
}

/// Starts `getUserMedia`: the promise, or the error thrown before there is one.
pub(crate) fn get_user_media(constraints: &JsValue) -> Result<Promise, Error> {
    if let Some(devices) = media_devices() {
        if get(&devices, "getUserMedia").is_function() {
            return devices
                .unchecked_ref::<MediaDevicesMethods>()
                .get_user_media(constraints)
                .map_err(error_from_js);
        }
    }
    if get(&js_sys::global(), "isSecureContext").as_bool() == Some(false) {
        return Err(no_media_devices());
    }
    legacy_get_user_media(constraints).ok_or_else(no_media_devices)
}

pub(crate) fn get_display_media(constraints: &JsValue) -> Result<Promise, Error> {
    let devices = media_devices().ok_or_else(no_media_devices)?;
    if !get(&devices, "getDisplayMedia").is_function() {
        return Err(Error::Unsupported(
            "this browser cannot capture the screen (no getDisplayMedia)".into(),
        ));
    }
    devices
        .unchecked_ref::<MediaDevicesMethods>()
        .get_display_media(constraints)
        .map_err(error_from_js)
}

/// Awaits a `getUserMedia`/`getDisplayMedia` promise.
pub(crate) async fn stream_from(promise: Promise) -> Result<MediaStream, Error> {
    let stream = JsFuture::from(promise).await.map_err(error_from_js)?;
    if !stream.is_object() {
        return Err(Error::Operation("getUserMedia gave no stream".into()));
    }
    Ok(stream.unchecked_into())
}

/// Stops the tracks of the stream `promise` resolves with, whenever it does: the guard for a
/// `getUserMedia` future dropped before the browser answered (dropping a `JsFuture` does not
/// cancel the browser's request, and the camera would stay on).
pub(crate) fn stop_when_resolved(promise: Promise) {
    wasm_bindgen_futures::spawn_local(async move {
        if let Ok(stream) = JsFuture::from(promise).await {
            for track in stream_tracks(&stream) {
                stop_track(&track);
            }
        }
    });
}

pub(crate) async fn enumerate_devices() -> Result<Vec<DeviceInfo>, Error> {
    let devices = media_devices().ok_or_else(no_media_devices)?;
    if !get(&devices, "enumerateDevices").is_function() {
        return Err(Error::Unsupported(
            "this browser cannot list devices (no enumerateDevices)".into(),
        ));
    }
    let list = settle(
        devices
            .unchecked_ref::<MediaDevicesMethods>()
            .enumerate_devices(),
    )
    .await?;
    Ok(array(&list)
        .iter()
        .filter_map(|info| {
            Some(DeviceInfo {
                device_id: get_string(info, "deviceId").unwrap_or_default(),
                group_id: get_string(info, "groupId").unwrap_or_default(),
                kind: get_string(info, "kind")?.parse().ok()?,
                label: get_string(info, "label").unwrap_or_default(),
            })
        })
        .collect())
}

/// `navigator.mediaDevices` as an event target, for `devicechange`.
pub(crate) fn media_devices_target() -> Result<web_sys::EventTarget, Error> {
    media_devices()
        .map(JsCast::unchecked_into)
        .ok_or_else(no_media_devices)
}

// ---------------------------------------------------------------------------------------------
// MediaStreamTrack and MediaStream.

fn track_methods(track: &JsValue) -> &TrackMethods {
    track.unchecked_ref()
}

/// Stops a track.
pub(crate) fn stop_track(track: &JsValue) {
    let _ = track_methods(track).stop();
}

pub(crate) fn clone_track(track: &MediaStreamTrack) -> Result<MediaStreamTrack, Error> {
    let clone = track_methods(track).clone_track().map_err(error_from_js)?;
    if !clone.is_object() {
        return Err(Error::Operation(
            "MediaStreamTrack.clone gave nothing".into(),
        ));
    }
    Ok(clone.unchecked_into())
}

pub(crate) fn set_enabled(track: &MediaStreamTrack, enabled: bool) {
    let _ = Reflect::set(track, &"enabled".into(), &JsValue::from_bool(enabled));
}

pub(crate) fn track_settings(track: &MediaStreamTrack) -> TrackSettings {
    let settings = track_methods(track)
        .get_settings()
        .unwrap_or(JsValue::UNDEFINED);
    let uint = |key| {
        get_f64(&settings, key)
            .filter(|n| *n >= 0.0)
            .map(|n| n.round() as u32)
    };
    TrackSettings {
        device_id: get_string(&settings, "deviceId"),
        group_id: get_string(&settings, "groupId"),
        width: uint("width"),
        height: uint("height"),
        frame_rate: get_f64(&settings, "frameRate"),
        aspect_ratio: get_f64(&settings, "aspectRatio"),
        facing_mode: get_string(&settings, "facingMode").and_then(|s| s.parse().ok()),
        echo_cancellation: get(&settings, "echoCancellation").as_bool(),
        noise_suppression: get(&settings, "noiseSuppression").as_bool(),
        auto_gain_control: get(&settings, "autoGainControl").as_bool(),
        sample_rate: uint("sampleRate"),
        channel_count: uint("channelCount"),
        display_surface: get_string(&settings, "displaySurface"),
    }
}

pub(crate) async fn apply_constraints(
    track: &MediaStreamTrack,
    constraints: &JsValue,
) -> Result<(), Error> {
    if !get(track, "applyConstraints").is_function() {
        return Err(Error::Unsupported(
            "this browser cannot change a track's constraints (no applyConstraints)".into(),
        ));
    }
    settle(track_methods(track).apply_constraints(constraints))
        .await
        .map(drop)
}

fn stream_methods(stream: &JsValue) -> &StreamMethods {
    stream.unchecked_ref()
}

/// The tracks of a stream, of one kind or all.
pub(crate) fn stream_tracks_of(stream: &JsValue, kind: Option<MediaKind>) -> Vec<JsValue> {
    let methods = stream_methods(stream);
    let list = match kind {
        None => methods.get_tracks(),
        Some(MediaKind::Audio) => methods.get_audio_tracks(),
        Some(MediaKind::Video) => methods.get_video_tracks(),
    };
    array(&list.unwrap_or(JsValue::UNDEFINED))
        .into_iter()
        .filter(JsValue::is_object)
        .collect()
}

pub(crate) fn stream_tracks(stream: &JsValue) -> Vec<JsValue> {
    stream_tracks_of(stream, None)
}

pub(crate) fn new_stream(tracks: &[&MediaStreamTrack]) -> Result<MediaStream, Error> {
    let global = js_sys::global();
    // Chrome before 52 named it webkitMediaStream.
    let constructor = ["MediaStream", "webkitMediaStream"]
        .iter()
        .map(|name| get(&global, name))
        .find(|c| c.is_function())
        .ok_or_else(|| Error::Unsupported("this browser has no MediaStream".into()))?;
    let list: Array = tracks.iter().map(|t| JsValue::from(*t)).collect();
    let stream = Reflect::construct(constructor.unchecked_ref::<Function>(), &Array::of1(&list))
        .map_err(error_from_js)?;
    Ok(stream.unchecked_into())
}

pub(crate) fn stream_add_track(
    stream: &MediaStream,
    track: &MediaStreamTrack,
) -> Result<(), Error> {
    stream_methods(stream)
        .stream_add_track(track)
        .map_err(error_from_js)
}

pub(crate) fn stream_remove_track(
    stream: &MediaStream,
    track: &MediaStreamTrack,
) -> Result<(), Error> {
    stream_methods(stream)
        .stream_remove_track(track)
        .map_err(error_from_js)
}

// ---------------------------------------------------------------------------------------------
// RTCPeerConnection media.

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
    let _ = Reflect::set(&init, &"direction".into(), &direction.into());
    let list: Array = streams.iter().map(|s| JsValue::from(*s)).collect();
    let _ = Reflect::set(&init, &"streams".into(), &list);
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
            let set = |k: &str, v: JsValue| {
                let _ = Reflect::set(&dict, &k.into(), &v);
            };
            set("mimeType", codec.mime_type.as_str().into());
            set("clockRate", codec.clock_rate.into());
            if let Some(channels) = codec.channels {
                set("channels", channels.into());
            }
            if let Some(fmtp) = &codec.sdp_fmtp_line {
                set("sdpFmtpLine", fmtp.as_str().into());
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

// ---------------------------------------------------------------------------------------------
// getStats.

/// Reads old Chrome's `RTCStatsResponse`: `result()` lists reports with `id`, `type`,
/// `timestamp` (a `Date`) and their values as strings through `names()` and `stat(name)`.
fn read_legacy_response(list: &JsValue) -> Vec<RawStats> {
    array(list)
        .iter()
        .filter(|report| report.is_object())
        .map(|report| {
            let mut values = std::collections::BTreeMap::new();
            for key in ["id", "type"] {
                if let Some(text) = get_string(report, key) {
                    values.insert(key.to_owned(), StatsValue::String(text));
                }
            }
            let timestamp = get(report, "timestamp");
            let millis = timestamp.as_f64().or_else(|| {
                call_method(&timestamp, "getTime", &Array::new())
                    .and_then(Result::ok)
                    .and_then(|n| n.as_f64())
            });
            if let Some(millis) = millis {
                values.insert("timestamp".to_owned(), StatsValue::Number(millis));
            }
            let names = call_method(report, "names", &Array::new())
                .and_then(Result::ok)
                .unwrap_or(JsValue::UNDEFINED);
            for name in array(&names).iter().filter_map(JsValue::as_string) {
                let value = call_method(report, "stat", &Array::of1(&name.as_str().into()))
                    .and_then(Result::ok)
                    .unwrap_or(JsValue::UNDEFINED);
                values.insert(name, stats_value(&value, 1));
            }
            RawStats::from_values(values)
        })
        .collect()
}

/// Reads an `RTCStatsReport` (a maplike of plain stats dictionaries), or old Chrome's
/// `RTCStatsResponse`.
fn read_report(report: &JsValue) -> Vec<RawStats> {
    let mut entries = Vec::new();
    if !get(report, "values").is_function() {
        if let Some(Ok(list)) = call_method(report, "result", &Array::new()) {
            return read_legacy_response(&list);
        }
    }
    let values = call_method(report, "values", &Array::new()).and_then(Result::ok);
    let Some(Ok(Some(iter))) = values.map(|v| js_sys::try_iter(&v)) else {
        return entries;
    };
    for stats in iter.flatten() {
        // A JSON round trip flattens a stats object into plain data, whether its fields are
        // own properties (Chromium) or accessors on a prototype (old Firefox's RTCStats).
        let plain = js_sys::JSON::stringify(&stats)
            .ok()
            .and_then(|s| js_sys::JSON::parse(&String::from(s)).ok())
            .unwrap_or(stats);
        let values = match stats_value(&plain, 0) {
            StatsValue::Map(map) => map,
            _ => continue,
        };
        entries.push(RawStats::from_values(values));
    }
    entries
}

fn stats_value(value: &JsValue, depth: u8) -> StatsValue {
    if let Some(n) = value.as_f64() {
        return StatsValue::Number(n);
    }
    if let Some(b) = value.as_bool() {
        return StatsValue::Bool(b);
    }
    if let Some(s) = value.as_string() {
        return StatsValue::String(s);
    }
    // Stats are shallow (a record such as qualityLimitationDurations at most); the depth
    // limit only guards against a cyclic object.
    if depth > 4 || !value.is_object() {
        return StatsValue::Null;
    }
    if let Some(list) = value.dyn_ref::<Array>() {
        return StatsValue::List(list.iter().map(|v| stats_value(&v, depth + 1)).collect());
    }
    let mut map = std::collections::BTreeMap::new();
    for key in Object::keys(value.unchecked_ref::<Object>()).iter() {
        if let Some(key) = key.as_string() {
            let field = stats_value(&get(value, &key), depth + 1);
            map.insert(key, field);
        }
    }
    StatsValue::Map(map)
}

pub(crate) async fn peer_stats(
    pc: &RtcPeerConnection,
    selector: Option<&MediaStreamTrack>,
) -> Result<Vec<RawStats>, Error> {
    if super::legacy::callback_only(pc) {
        let selector = selector.map_or(JsValue::NULL, JsValue::from);
        let report = if super::legacy::stats_success_first(pc) {
            // Old Chrome: getStats(success, selector), with an RTCStatsResponse.
            super::legacy::call_with_success_first(pc, "getStats", &[&selector]).await?
        } else {
            // The old specification and old Firefox: getStats(selector, success, failure).
            super::legacy::call_with_callbacks(pc, "getStats", &[&selector], &[]).await?
        };
        return Ok(read_report(&report));
    }
    let promise = match selector {
        Some(track) => pc_methods(pc).get_stats_for(track),
        None => pc_methods(pc).get_stats(),
    };
    Ok(read_report(&settle(promise).await?))
}

pub(crate) async fn rtp_stats(sender_or_receiver: &JsValue) -> Result<Vec<RawStats>, Error> {
    if !get(sender_or_receiver, "getStats").is_function() {
        return Err(Error::Unsupported(
            "this browser has no getStats on senders and receivers".into(),
        ));
    }
    let report = settle(
        sender_or_receiver
            .unchecked_ref::<RtpMethods>()
            .rtp_get_stats(),
    )
    .await?;
    Ok(read_report(&report))
}

// ---------------------------------------------------------------------------------------------
// Media elements.

/// Shows `stream` in `element`: `srcObject`, or in browsers without it (Chrome before 52,
/// Safari before 11) a `blob:` URL from `URL.createObjectURL(stream)`.
pub(crate) fn attach(
    element: &HtmlMediaElement,
    stream: &MediaStream,
    autoplay: bool,
    muted: bool,
) -> Result<(), Error> {
    let set = |key: &str, value: &JsValue| {
        Reflect::set(element, &key.into(), value)
            .map(drop)
            .map_err(error_from_js)
    };
    // `muted` before the source: Chromium and Safari allow autoplay only for muted media
    // (or after a user gesture), and decide when the source is set.
    set("muted", &muted.into())?;
    set("defaultMuted", &muted.into())?;
    set("autoplay", &autoplay.into())?;
    // iOS Safari plays video fullscreen unless told it may play inline.
    set("playsInline", &JsValue::TRUE)?;
    revoke_blob_url(element);
    if Reflect::has(element, &"srcObject".into()).unwrap_or(false) {
        return set("srcObject", stream);
    }
    let url_class = get(&js_sys::global(), "URL");
    let url = call_method(&url_class, "createObjectURL", &Array::of1(stream))
        .ok_or_else(|| Error::Unsupported("this browser cannot play a MediaStream".into()))?
        .map_err(error_from_js)?;
    set("src", &url)
}

/// Removes what [`attach`] set, revoking a `blob:` URL.
pub(crate) fn detach(element: &HtmlMediaElement) {
    revoke_blob_url(element);
    if Reflect::has(element, &"srcObject".into()).unwrap_or(false) {
        let _ = Reflect::set(element, &"srcObject".into(), &JsValue::NULL);
    }
    if let Some(method) = get(element, "removeAttribute").dyn_ref::<Function>() {
        let _ = method.call1(element, &"src".into());
    }
}

fn revoke_blob_url(element: &HtmlMediaElement) {
    if let Some(url) = get_string(element, "src").filter(|s| s.starts_with("blob:")) {
        let url_class = get(&js_sys::global(), "URL");
        let _ = call_method(&url_class, "revokeObjectURL", &Array::of1(&url.into()));
    }
}

pub(crate) async fn play(element: &HtmlMediaElement) -> Result<(), Error> {
    let result = element
        .unchecked_ref::<ElementMethods>()
        .play()
        .map_err(error_from_js)?;
    // Old browsers return undefined instead of a promise.
    if let Some(promise) = result.dyn_ref::<Promise>() {
        JsFuture::from(promise.clone())
            .await
            .map_err(error_from_js)?;
    }
    Ok(())
}
