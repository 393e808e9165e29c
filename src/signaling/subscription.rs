//! Streaming a location over Server-Sent Events, with a local copy and reconnection.

use std::cell::{Cell, RefCell};
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll};

use futures::channel::mpsc;
use futures::{Stream, StreamExt};
use gloo_events::EventListener;
use gloo_net::http::Request;
use serde_json::Value;

use super::tree::DatabaseEvent;
use crate::error::{Error, SignalingError};
use crate::sys;

/// The first reconnection waits this long; each failure doubles it, up to the maximum.
const FIRST_RETRY_MS: u32 = 250;
const MAX_RETRY_MS: u32 = 10_000;

/// The changes of one location, streamed over Server-Sent Events, with a local copy of its
/// value ([Firebase streaming](https://firebase.google.com/docs/reference/rest/database#section-streaming)).
///
/// Yields each `put` and `patch` as a [`DatabaseEvent`]; [`snapshot`](Self::snapshot) is the
/// location's value after the events yielded so far. When the connection drops it reconnects
/// with backoff (250 ms, doubling to 10 s); the server then sends the whole value again as a
/// put at `/`, which resynchronises the copy. A `cancel` (the rules no longer allow reading),
/// a revoked credential, or a refused connection (permission denied) is yielded as an error,
/// and then the stream ends. Dropping it closes the connection.
///
/// ```no_run
/// use futures::StreamExt;
/// use rtcweb::signaling::{Database, DatabaseEvent};
///
/// # async fn run() -> Result<(), rtcweb::Error> {
/// let room = Database::new("http://127.0.0.1:8080").reference("rooms/abc")?;
/// let mut changes = room.subscribe()?;
/// while let Some(event) = changes.next().await {
///     match event? {
///         DatabaseEvent::Put { path, data } => println!("{path} is now {data}"),
///         DatabaseEvent::Patch { path, .. } => println!("{path} changed"),
///     }
/// }
/// # Ok(()) }
/// ```
#[must_use = "a subscription does nothing unless polled; dropping it closes the connection"]
pub struct Subscription {
    receiver: mpsc::UnboundedReceiver<Result<DatabaseEvent, Error>>,
    state: Rc<State>,
}

struct State {
    stream_url: String,
    /// A cheap REST read of the same location, to learn why a stream was refused.
    probe_url: String,
    sender: RefCell<Option<mpsc::UnboundedSender<Result<DatabaseEvent, Error>>>>,
    snapshot: RefCell<Value>,
    connection: RefCell<Option<Connection>>,
    failures: Cell<u32>,
    connected: Cell<bool>,
}

struct Connection {
    source: web_sys::EventSource,
    _listeners: Vec<EventListener>,
}

impl Subscription {
    pub(crate) fn open(stream_url: String, probe_url: String) -> Result<Self, Error> {
        let (sender, receiver) = mpsc::unbounded();
        let state = Rc::new(State {
            stream_url,
            probe_url,
            sender: RefCell::new(Some(sender)),
            snapshot: RefCell::new(Value::Null),
            connection: RefCell::new(None),
            failures: Cell::new(0),
            connected: Cell::new(false),
        });
        connect(&state)?;
        Ok(Subscription { receiver, state })
    }

    /// The location's value after the events yielded so far (`null` before the first).
    ///
    /// ```no_run
    /// use futures::StreamExt;
    /// # async fn run(mut s: rtcweb::signaling::Subscription) {
    /// s.next().await;
    /// println!("{}", s.snapshot());
    /// # }
    /// ```
    pub fn snapshot(&self) -> Value {
        self.state.snapshot.borrow().clone()
    }

    /// Whether the stream is connected now (false while reconnecting).
    ///
    /// ```no_run
    /// # fn run(s: &rtcweb::signaling::Subscription) {
    /// if !s.is_connected() { println!("reconnecting…"); }
    /// # }
    /// ```
    pub fn is_connected(&self) -> bool {
        self.state.connected.get()
    }
}

impl Stream for Subscription {
    type Item = Result<DatabaseEvent, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let polled = self.receiver.poll_next_unpin(cx);
        // The copy is updated as events are yielded, so it always matches what was seen.
        if let Poll::Ready(Some(Ok(event))) = &polled {
            event.apply(&mut self.state.snapshot.borrow_mut());
        }
        polled
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        stop(&self.state);
    }
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("url", &self.state.stream_url)
            .field("connected", &self.state.connected.get())
            .finish_non_exhaustive()
    }
}

fn emit(state: &State, item: Result<DatabaseEvent, Error>) {
    if let Some(sender) = state.sender.borrow().as_ref() {
        let _ = sender.unbounded_send(item);
    }
}

/// Ends the stream for good: closes the connection and drops the sender.
fn stop(state: &State) {
    if let Some(connection) = state.connection.borrow_mut().take() {
        connection.source.close();
    }
    state.sender.borrow_mut().take();
    state.connected.set(false);
}

fn connect(state: &Rc<State>) -> Result<(), Error> {
    let source = sys::net::new_event_source(&state.stream_url)?;
    let listen = |name: &'static str, handler: fn(&Rc<State>, &web_sys::Event)| {
        let weak: Weak<State> = Rc::downgrade(state);
        EventListener::new(&source, name, move |event| {
            if let Some(state) = weak.upgrade() {
                handler(&state, event);
            }
        })
    };
    let listeners = vec![
        listen("open", |state, _| {
            state.failures.set(0);
            state.connected.set(true);
        }),
        listen("put", |state, event| on_change(state, "put", event)),
        listen("patch", |state, event| on_change(state, "patch", event)),
        listen("cancel", |state, event| {
            let reason = sys::get_string(event, "data")
                .and_then(|d| serde_json::from_str::<Value>(&d).ok())
                .and_then(|d| d.as_str().map(str::to_owned))
                .unwrap_or_else(|| "cancelled by the server".into());
            emit(state, Err(SignalingError::Cancelled(reason).into()));
            stop(state);
        }),
        listen("auth_revoked", |state, _| {
            emit(state, Err(SignalingError::AuthRevoked.into()));
            stop(state);
        }),
        listen("error", |state, _| on_error(state)),
    ];
    state.connection.replace(Some(Connection {
        source,
        _listeners: listeners,
    }));
    Ok(())
}

fn on_change(state: &State, kind: &str, event: &web_sys::Event) {
    let data = sys::get_string(event, "data").unwrap_or_default();
    emit(state, DatabaseEvent::parse(kind, &data));
}

/// The connection failed or dropped. The browser would retry by itself, but without backoff
/// and without telling a refused stream from a dropped one: close it and retry on our own
/// schedule, asking over REST first whether the server refuses us.
fn on_error(state: &Rc<State>) {
    if let Some(connection) = state.connection.borrow_mut().take() {
        connection.source.close();
    }
    state.connected.set(false);
    let failures = state.failures.get().saturating_add(1);
    state.failures.set(failures);
    let delay = FIRST_RETRY_MS
        .saturating_mul(1 << (failures - 1).min(6))
        .min(MAX_RETRY_MS);
    let weak = Rc::downgrade(state);
    wasm_bindgen_futures::spawn_local(async move {
        gloo_timers::future::TimeoutFuture::new(delay).await;
        let Some(state) = weak.upgrade() else { return };
        if state.sender.borrow().is_none() {
            return;
        }
        let probe = Request::get(&state.probe_url).send().await;
        if let Ok(response) = probe {
            if matches!(response.status(), 401 | 403) {
                let body = response.text().await.unwrap_or_default();
                emit(
                    &state,
                    Err(SignalingError::from_status(response.status(), &body).into()),
                );
                stop(&state);
                return;
            }
        }
        if let Err(err) = connect(&state) {
            emit(&state, Err(err));
            stop(&state);
        }
    });
}
