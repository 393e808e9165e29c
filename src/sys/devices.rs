//! `navigator.mediaDevices` (and the prefixed, callback-style `getUserMedia` of old browsers).

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::MediaStream;

use super::legacy::{self, Arg::*};
use super::track::{stop_track, stream_tracks};
use super::{array, error_from_js, get, get_string, settle};
use crate::error::Error;
use crate::types::media::DeviceInfo;

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
}

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
    let (_, method) = legacy::resolve(&navigator, &LEGACY_GET_USER_MEDIA)?;
    Some(legacy::callback_promise(
        &method,
        &navigator,
        &[Value(constraints), Success, Failure],
    ))
}

/// The callback-style `getUserMedia` methods of `navigator`, the standard name first.
const LEGACY_GET_USER_MEDIA: [&str; 3] = ["getUserMedia", "webkitGetUserMedia", "mozGetUserMedia"];

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
    legacy::resolve(&navigator(), &LEGACY_GET_USER_MEDIA).map(|(name, _)| match name {
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
