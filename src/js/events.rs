//! Events for JS: `on(type, listener)` callbacks and `for await` iterators, fed from one Rust
//! stream.
//!
//! The stream is not read until the first listener or iterator subscribes, so the events
//! that happen between `await Call.join(...)` and the first `call.on(...)` wait for it.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::channel::mpsc;
use futures::lock::Mutex;
use futures::stream::LocalBoxStream;
use futures::StreamExt;
use js_sys::{Function, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

use super::promise;

/// Fans one stream of `(type, event)` out to listeners and iterators.
pub(crate) struct Emitter {
    source: RefCell<Option<LocalBoxStream<'static, (&'static str, JsValue)>>>,
    listeners: RefCell<Vec<(String, Function)>>,
    iterators: RefCell<Vec<mpsc::UnboundedSender<JsValue>>>,
    ended: Cell<bool>,
}

impl Emitter {
    pub(crate) fn new(source: LocalBoxStream<'static, (&'static str, JsValue)>) -> Rc<Emitter> {
        Rc::new(Emitter {
            source: RefCell::new(Some(source)),
            listeners: RefCell::new(Vec::new()),
            iterators: RefCell::new(Vec::new()),
            ended: Cell::new(false),
        })
    }

    /// Adds `listener` for events of `kind` (`"*"`: every event); returns the function that
    /// removes it.
    pub(crate) fn on(
        self: &Rc<Self>,
        kind: &JsValue,
        listener: &JsValue,
    ) -> Result<Function, JsValue> {
        let kind = super::convert::id(kind, "type")?;
        let listener: Function = listener
            .dyn_ref::<Function>()
            .cloned()
            .ok_or_else(|| super::error::type_error("listener must be a function"))?;
        self.listeners
            .borrow_mut()
            .push((kind.clone(), listener.clone()));
        self.start();
        let emitter = Rc::downgrade(self);
        let off = Closure::<dyn FnMut()>::new(move || {
            if let Some(emitter) = emitter.upgrade() {
                emitter.remove(&kind, &listener);
            }
        });
        Ok(off.into_js_value().unchecked_into())
    }

    /// Removes a listener added with [`on`](Self::on); unknown ones are ignored.
    pub(crate) fn off(&self, kind: &JsValue, listener: &JsValue) {
        if let (Some(kind), Some(listener)) = (kind.as_string(), listener.dyn_ref::<Function>()) {
            self.remove(&kind, listener);
        }
    }

    fn remove(&self, kind: &str, listener: &Function) {
        let mut listeners = self.listeners.borrow_mut();
        if let Some(i) = listeners
            .iter()
            .position(|(k, l)| k == kind && JsValue::from(l) == JsValue::from(listener))
        {
            listeners.remove(i);
        }
    }

    /// A new iterator over the events from now on.
    pub(crate) fn iterate(self: &Rc<Self>) -> EventIterator {
        let (sender, receiver) = mpsc::unbounded();
        if !self.ended.get() {
            self.iterators.borrow_mut().push(sender);
        }
        self.start();
        EventIterator {
            receiver: Rc::new(Mutex::new(receiver)),
            finished: Rc::new(Cell::new(false)),
        }
    }

    fn start(self: &Rc<Self>) {
        let Some(mut source) = self.source.borrow_mut().take() else {
            return;
        };
        let emitter = self.clone();
        spawn_local(async move {
            while let Some((kind, event)) = source.next().await {
                emitter.dispatch(kind, &event);
            }
            emitter.ended.set(true);
            emitter.iterators.borrow_mut().clear();
            emitter.listeners.borrow_mut().clear();
        });
    }

    /// Whether the source is being read (a listener or iterator subscribed): an event
    /// [`dispatch`](Self::dispatch)ed now is not early.
    pub(crate) fn reading(&self) -> bool {
        self.source.borrow().is_none()
    }

    /// Hands `event` to the listeners of `kind` and to the iterators.
    pub(crate) fn dispatch(&self, kind: &str, event: &JsValue) {
        // A copy, so that a listener may add or remove listeners.
        let listeners: Vec<Function> = self
            .listeners
            .borrow()
            .iter()
            .filter(|(k, _)| k == kind || k == "*")
            .map(|(_, l)| l.clone())
            .collect();
        for listener in listeners {
            // A throwing listener must not stop the others, nor the stream.
            if let Err(err) = listener.call1(&JsValue::UNDEFINED, event) {
                web_sys::console::error_2(&"rtcweb: an event listener threw".into(), &err);
            }
        }
        self.iterators
            .borrow_mut()
            .retain(|iterator| iterator.unbounded_send(event.clone()).is_ok());
    }
}

/// An async iterator over a handle's events (`for await (const event of call.events())`).
/// It ends when the handle closes, or when the loop is left (`break` calls `return()`).
#[wasm_bindgen(skip_typescript)]
#[derive(Clone)]
pub struct EventIterator {
    receiver: Rc<Mutex<mpsc::UnboundedReceiver<JsValue>>>,
    /// Set by `return()`, which must not wait for a `next()` in progress.
    finished: Rc<Cell<bool>>,
}

#[wasm_bindgen]
impl EventIterator {
    /// The next event: `{ value, done: false }`, or `{ done: true }` once the events end.
    pub fn next(&self) -> Promise {
        let receiver = self.receiver.clone();
        let finished = self.finished.clone();
        promise(async move {
            let mut receiver = receiver.lock().await;
            let next = match finished.get() {
                true => None,
                false => receiver.next().await.filter(|_| !finished.get()),
            };
            Ok(result(next))
        })
    }

    /// Stops the iteration: later calls of `next()` are done.
    #[wasm_bindgen(js_name = "return")]
    pub fn finish(&self) -> Promise {
        self.finished.set(true);
        if let Some(mut receiver) = self.receiver.try_lock() {
            receiver.close();
        }
        Promise::resolve(&result(None))
    }

    /// The iterator itself, so that `for await` takes it.
    #[wasm_bindgen(js_name = "[Symbol.asyncIterator]")]
    pub fn iterator(&self) -> EventIterator {
        self.clone()
    }
}

fn result(value: Option<JsValue>) -> JsValue {
    let object = Object::new();
    let done = value.is_none();
    let _ = js_sys::Reflect::set(
        &object,
        &"value".into(),
        &value.unwrap_or(JsValue::UNDEFINED),
    );
    let _ = js_sys::Reflect::set(&object, &"done".into(), &done.into());
    object.into()
}
