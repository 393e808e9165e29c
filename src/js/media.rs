//! Capture ([`crate::media`]) for JS: the browser's `MediaStream`s, with old browsers'
//! prefixed and callback-style `getUserMedia` handled and errors named.

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;

use super::convert::{self, object};
use super::error::to_js;
use super::promise;
use crate::media;

/// The camera and/or microphone (`MediaStreamConstraints`; by default both).
///
/// ```js
/// const stream = await getUserMedia({ video: { width: { ideal: 1280 } }, audio: true });
/// ```
#[wasm_bindgen(js_name = getUserMedia, unchecked_return_type = "Promise<MediaStream>")]
pub fn get_user_media(
    #[wasm_bindgen(unchecked_optional_param_type = "MediaStreamConstraints")] constraints: JsValue,
) -> Promise {
    let constraints = dictionary(&constraints);
    promise(async move {
        let media = media::get_user_media_with(&constraints?)
            .await
            .map_err(to_js)?;
        Ok(media.into_raw().into())
    })
}

/// A screen, window or tab, as the user picks (after a click: browsers require a gesture).
#[wasm_bindgen(js_name = getDisplayMedia, unchecked_return_type = "Promise<MediaStream>")]
pub fn get_display_media(
    #[wasm_bindgen(unchecked_optional_param_type = "DisplayMediaStreamOptions")]
    constraints: JsValue,
) -> Promise {
    let constraints = dictionary(&constraints);
    promise(async move {
        let media = media::get_display_media_with(&constraints?)
            .await
            .map_err(to_js)?;
        Ok(media.into_raw().into())
    })
}

/// The cameras, microphones and speakers, as plain objects (`deviceId`, `groupId`, `kind`,
/// `label`).
#[wasm_bindgen(js_name = enumerateDevices, unchecked_return_type = "Promise<MediaDeviceInfoInit[]>")]
pub fn enumerate_devices() -> Promise {
    promise(async move {
        let devices = media::enumerate_devices().await.map_err(to_js)?;
        let list: Array = devices
            .iter()
            .map(|d| {
                JsValue::from(object(&[
                    ("deviceId", d.device_id.as_str().into()),
                    ("groupId", d.group_id.as_str().into()),
                    ("kind", d.kind.to_string().into()),
                    ("label", d.label.as_str().into()),
                ]))
            })
            .collect();
        Ok(list.into())
    })
}

/// The constraints as JSON: `{ audio: true, video: true }` when none are given.
fn dictionary(value: &JsValue) -> Result<serde_json::Value, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(serde_json::json!({ "audio": true, "video": true }));
    }
    if !value.is_object() {
        return Err(super::error::type_error("constraints must be an object"));
    }
    convert::json(value, "constraints")
}
