//! `MediaStreamTrack` and `MediaStream`.

use js_sys::{Array, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MediaStream, MediaStreamTrack};

use super::{array, error_from_js, get, get_f64, get_string, legacy, set, settle};
use crate::error::Error;
use crate::types::media::{MediaKind, TrackSettings};

#[wasm_bindgen]
extern "C" {
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
}

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
    set(track, "enabled", enabled);
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
    // Chrome before 52 named it webkitMediaStream.
    let (_, constructor) = legacy::resolve_global(&["MediaStream", "webkitMediaStream"])
        .ok_or_else(|| Error::Unsupported("this browser has no MediaStream".into()))?;
    let list: Array = tracks.iter().map(|t| JsValue::from(*t)).collect();
    let stream = Reflect::construct(&constructor, &Array::of1(&list)).map_err(error_from_js)?;
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
