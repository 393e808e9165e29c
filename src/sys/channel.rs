//! `RTCDataChannel`: creation, sending, and reading its `message` and `error` events.

use js_sys::Object;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{RtcDataChannel, RtcPeerConnection};

use super::{error_from_js, get, get_f64, get_string, set};
use crate::error::Error;
use crate::types::channel::{DataChannelOptions, Message};

#[wasm_bindgen]
extern "C" {
    /// `createDataChannel`, catching (web-sys's binding does not).
    type ChannelFactory;

    #[wasm_bindgen(method, catch, js_name = createDataChannel)]
    fn create_data_channel(
        this: &ChannelFactory,
        label: &str,
        options: &JsValue,
    ) -> Result<RtcDataChannel, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    /// `Uint8Array.prototype.set.call(dst, src)`: copies `src` into `dst`, a view of wasm
    /// memory, in one call. js-sys's `to_vec` reads the length three times on the way (three
    /// more calls out of wasm for every message received).
    #[wasm_bindgen(js_namespace = Uint8Array, js_name = "prototype.set.call")]
    fn copy_into(dst: &mut [u8], src: &js_sys::Uint8Array);
}

/// The bytes of `buffer`, copied into a new `Vec` (three calls out of wasm: the view, its
/// length, the copy).
fn to_vec(buffer: &JsValue) -> Vec<u8> {
    let view = js_sys::Uint8Array::new(buffer);
    let mut bytes = vec![0; view.length() as usize];
    copy_into(&mut bytes, &view);
    bytes
}

pub(crate) fn create_data_channel(
    pc: &RtcPeerConnection,
    options: &DataChannelOptions,
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
    pc.unchecked_ref::<ChannelFactory>()
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

#[cfg(feature = "js-data")]
pub(crate) fn channel_send_view(
    channel: &RtcDataChannel,
    view: &js_sys::Uint8Array,
) -> Result<(), Error> {
    channel
        .send_with_array_buffer_view(view)
        .map_err(error_from_js)
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

/// The data of a `message` event as JS receives it from the JS API, not copied through wasm
/// memory: a string, or a `Uint8Array` (a view of the browser's `ArrayBuffer`).
#[cfg(feature = "js-data")]
pub(crate) fn message_value(event: &web_sys::Event) -> Option<JsValue> {
    // As in `message_data`: the typed getter, unchecked, binary first.
    let data = event.unchecked_ref::<web_sys::MessageEvent>().data();
    if data.is_instance_of::<js_sys::ArrayBuffer>() {
        return Some(js_sys::Uint8Array::new(&data).into());
    }
    (data.is_string() || data.is_instance_of::<js_sys::Uint8Array>()).then_some(data)
}

/// The data of a `message` event: text, or binary as an `ArrayBuffer` (the channel's
/// `binaryType` is set to `arraybuffer`; Firefox defaults to `blob`).
pub(crate) fn message_data(event: &web_sys::Event) -> Option<Message> {
    // The typed getter: this runs for every message, and a property read by name would
    // convert the name to a JS string each time. Unchecked, saving an `instanceof` per
    // message: the getter reads `event.data` by name, so any other event gives `undefined`.
    let data = event.unchecked_ref::<web_sys::MessageEvent>().data();
    // Binary first: bulk transfers are binary, and each test is a wasm-to-JS call.
    if data.is_instance_of::<js_sys::ArrayBuffer>() {
        return Some(Message::Binary(to_vec(&data)));
    }
    if let Some(text) = data.as_string() {
        return Some(Message::Text(text));
    }
    if let Some(view) = data.dyn_ref::<js_sys::Uint8Array>() {
        return Some(Message::Binary(view.to_vec()));
    }
    None
}
