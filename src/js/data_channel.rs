//! `DataChannel`: a data channel ([`crate::data_channel`]) for JS, with backpressure.

use std::rc::Rc;

use futures::{stream, FutureExt, StreamExt};
use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;

use super::convert::{self, object, Outgoing};
use super::error::to_js;
use super::events::{Emitter, EventIterator};
use super::{boxed_promise, promise, BoxedFuture};
use crate::data_channel::{self as rust, Message};

/// A data channel to a peer: messages both ways, in order and reliable unless created
/// otherwise. `send` waits while the channel's buffer is full.
///
/// ```js
/// const channel = pc.createDataChannel("chat");
/// channel.on("message", ({ data }) => console.log(data));
/// await channel.opened();
/// await channel.send("hello");
/// ```
#[wasm_bindgen]
pub struct DataChannel {
    inner: Rc<rust::DataChannel>,
    events: Rc<Emitter>,
}

impl DataChannel {
    pub(crate) fn new(inner: rust::DataChannel) -> DataChannel {
        let inner = Rc::new(inner);
        let data_of = |message: Message| convert::message_to_js(&message);
        let messages = match inner.js_messages() {
            Some((queued, later)) => queued.map(data_of).chain(later).boxed_local(),
            None => inner.messages().map(data_of).boxed_local(),
        }
        .map(|data| {
            let event = object(&[("type", "message".into()), ("data", data)]);
            ("message", event.into())
        });
        let opened = {
            let inner = inner.clone();
            stream::once(async move { inner.opened().await.ok() }).filter_map(|open| async move {
                open.map(|()| ("open", object(&[("type", "open".into())]).into()))
            })
        };
        let closed = {
            let inner = inner.clone();
            stream::once(async move {
                let error = inner.closed().await.err();
                let mut fields = vec![("type", JsValue::from("close"))];
                if let Some(error) = error {
                    fields.push(("error", to_js(error)));
                }
                ("close", object(&fields).into())
            })
        };
        let source = stream::select(stream::select(messages, opened), closed).boxed_local();
        DataChannel {
            inner,
            events: Emitter::new(source),
        }
    }
}

/// A promise already resolved (with `undefined`) or rejected.
fn settled(result: Result<(), JsValue>) -> Promise {
    match result {
        Ok(()) => Promise::resolve(&JsValue::UNDEFINED),
        Err(err) => Promise::reject(&err),
    }
}

#[wasm_bindgen]
impl DataChannel {
    /// The channel's label.
    #[wasm_bindgen(getter)]
    pub fn label(&self) -> String {
        self.inner.label()
    }

    /// Its subprotocol (`"rtcweb-split"` when large messages are split).
    #[wasm_bindgen(getter)]
    pub fn protocol(&self) -> String {
        self.inner.protocol()
    }

    /// `"connecting"`, `"open"`, `"closing"` or `"closed"`.
    #[wasm_bindgen(getter = readyState, unchecked_return_type = "RTCDataChannelState")]
    pub fn ready_state(&self) -> String {
        self.inner.ready_state().to_string()
    }

    /// Bytes queued and not yet sent.
    #[wasm_bindgen(getter = bufferedAmount)]
    pub fn buffered_amount(&self) -> f64 {
        self.inner.buffered_amount() as f64
    }

    /// The largest message the other side takes (larger ones are refused or split).
    #[wasm_bindgen(getter = maxMessageSize)]
    pub fn max_message_size(&self) -> f64 {
        self.inner.max_message_size() as f64
    }

    /// The browser's `RTCDataChannel`.
    #[wasm_bindgen(getter)]
    pub fn raw(&self) -> web_sys::RtcDataChannel {
        self.inner.as_raw().clone()
    }

    /// Resolves once the channel is open; rejects with `InvalidStateError` if it closes first.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn opened(&self) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            inner.opened().await.map_err(to_js)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Sends `data` once the buffer has room (waiting for the channel to open first).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn send(&self, #[wasm_bindgen(unchecked_param_type = "Data")] data: JsValue) -> Promise {
        let outgoing = match convert::outgoing(&data) {
            Ok(outgoing) => outgoing,
            Err(err) => return Promise::reject(&err),
        };
        // Most sends are done at once (the buffer has room): then bytes go from the caller's
        // own buffer, not copied into wasm first, and the answer is a settled promise, not a
        // task and its microtasks.
        if let Outgoing::Bytes(view, size) = &outgoing {
            if let Some(sent) = self.inner.send_view_now(view, *size) {
                return settled(sent.map_err(to_js));
            }
        }
        let inner = self.inner.clone();
        let message = outgoing.into_message();
        let mut sending: BoxedFuture = Box::pin(async move {
            match message {
                Message::Text(text) => inner.send_text(&text).await,
                Message::Binary(bytes) => inner.send_bytes(&bytes).await,
            }
            .map_err(to_js)?;
            Ok(JsValue::UNDEFINED)
        });
        // The one poll registers no waker that matters: a send still waiting is polled
        // again by its task before any browser event can run.
        match sending.as_mut().now_or_never() {
            Some(done) => settled(done.map(drop)),
            None => boxed_promise(sending),
        }
    }

    /// Sends `data` now, or throws (`InvalidStateError` when the channel is not open).
    #[wasm_bindgen(js_name = trySend)]
    pub fn try_send(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Data")] data: JsValue,
    ) -> Result<(), JsValue> {
        let outgoing = convert::outgoing(&data)?;
        if let Outgoing::Bytes(view, size) = &outgoing {
            if let Some(sent) = self.inner.try_send_view(view, *size) {
                return sent.map_err(to_js);
            }
        }
        match outgoing.into_message() {
            Message::Text(text) => self.inner.try_send_text(&text),
            Message::Binary(bytes) => self.inner.try_send_bytes(&bytes),
        }
        .map_err(to_js)
    }

    /// Calls `listener` with each `message`, `open` or `close` event; returns its remover.
    #[wasm_bindgen(skip_typescript)]
    pub fn on(&self, kind: JsValue, listener: JsValue) -> Result<Function, JsValue> {
        self.events.on(&kind, &listener)
    }

    /// Removes a listener added with `on`.
    #[wasm_bindgen(skip_typescript)]
    pub fn off(&self, kind: JsValue, listener: JsValue) {
        self.events.off(&kind, &listener);
    }

    /// The channel's events from now on, for `for await`; it ends when the channel closes.
    #[wasm_bindgen(unchecked_return_type = "EventIterator<DataChannelEvent>")]
    pub fn events(&self) -> EventIterator {
        self.events.iterate()
    }

    /// Closes the channel.
    pub fn close(&self) {
        self.inner.close();
    }
}
