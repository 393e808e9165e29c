//! `DataChannel`: a data channel ([`crate::data_channel`]) for JS, with backpressure.

use std::cell::{Cell, OnceCell};
use std::rc::{Rc, Weak};

use futures::channel::mpsc;
use futures::{stream, FutureExt, StreamExt};
use js_sys::{Function, JsString, Object, Promise, Reflect};
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
        let inbox = Rc::new(Inbox::default());
        let (sender, later) = mpsc::unbounded();
        let listener = {
            let inbox = inbox.clone();
            Rc::new(move |data| inbox.receive(&sender, data))
        };
        let data_of = |message: Message| convert::message_to_js(&message);
        let messages = match inner.js_messages(listener) {
            Some(queued) => {
                inbox.waiting.set(queued.len());
                let inbox = inbox.clone();
                stream::iter(queued)
                    .map(data_of)
                    .chain(later)
                    .inspect(move |_| inbox.waiting.set(inbox.waiting.get().saturating_sub(1)))
                    .boxed_local()
            }
            None => inner.messages().map(data_of).boxed_local(),
        }
        .map(|data| ("message", message_event(data)));
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
        // `close` after the last message, though both may be waiting.
        let source = stream::select(opened, messages.chain(closed)).boxed_local();
        let events = Emitter::new(source);
        let _ = inbox.emitter.set(Rc::downgrade(&events));
        DataChannel { inner, events }
    }
}

/// Takes a channel's later messages ([`rust::DataChannel::js_messages`]) to its listeners:
/// at once when they are listening and no message waits before this one, which saves a
/// task wake-up per message; otherwise through the events' stream, in order.
#[derive(Default)]
struct Inbox {
    emitter: OnceCell<Weak<Emitter>>,
    /// Messages in the stream and not yet dispatched.
    waiting: Cell<usize>,
}

impl Inbox {
    fn receive(&self, stream: &mpsc::UnboundedSender<JsValue>, data: JsValue) {
        match self.emitter.get().and_then(Weak::upgrade) {
            Some(events) if events.reading() && self.waiting.get() == 0 => {
                events.dispatch("message", &message_event(data));
            }
            _ => {
                self.waiting.set(self.waiting.get() + 1);
                let _ = stream.unbounded_send(data);
            }
        }
    }
}

// Made into JS strings once, not for each message. (rustfmt would drop the values, which
// are not Rust syntax in an extern block.)
#[rustfmt::skip]
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(thread_local_v2, static_string)]
    static TYPE: JsString = "type";
    #[wasm_bindgen(thread_local_v2, static_string)]
    static MESSAGE: JsString = "message";
    #[wasm_bindgen(thread_local_v2, static_string)]
    static DATA: JsString = "data";
}

/// `{ type: "message", data }`.
fn message_event(data: JsValue) -> JsValue {
    let event = Object::new();
    let _ = TYPE.with(|key| MESSAGE.with(|kind| Reflect::set(&event, key, kind)));
    let _ = DATA.with(|key| Reflect::set(&event, key, &data));
    event.into()
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
