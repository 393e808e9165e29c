//! Media elements: showing a stream in `<video>` / `<audio>` (`srcObject`, or a `blob:` URL
//! in old browsers) and `play()`.

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlMediaElement, MediaStream};

use super::{call_method, error_from_js, get, get_string};
use crate::error::Error;

#[wasm_bindgen]
extern "C" {
    type ElementMethods;

    #[wasm_bindgen(method, catch)]
    fn play(this: &ElementMethods) -> Result<JsValue, JsValue>;
}

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
