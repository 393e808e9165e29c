//! Streaming (`Accept: text/event-stream`): Firebase's server-sent events for one location.
//!
//! The first event is `put` of the whole value at `path "/"`; then every change that reaches the
//! location becomes `put` or `patch` events with paths relative to it; `keep-alive` events keep
//! idle connections open; `cancel` ends the stream when the rules stop allowing the read.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use rtcweb_protocol::event::{self, FRAME_TAIL};
use serde_json::{json, Map, Value};
use tokio::sync::{oneshot, watch, Notify};

use crate::auth::Auth;
use crate::hub::{Next, Subscription};
use crate::path;
use crate::store::{Change, Store};
use crate::tree;

/// Largest piece of an event handed to the connection at a time, so that the connection's own
/// buffers (at most 16 pieces) stay small whatever the size of an event.
const PIECE_BYTES: usize = 64 * 1024;

/// One server-sent event in Firebase's framing.
pub(crate) fn frame(event: &str, data: &Value) -> Bytes {
    Bytes::from(event::plain(event, data))
}

/// Which part of a change an event carries as its data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Part {
    /// The value of a put, at this path below the put.
    Put(Vec<String>),
    /// A patch's whole map of `path: value`.
    PatchMap,
    /// Entry `i` of a patch, at this path below it.
    Entry(usize, Vec<String>),
}

/// A change as the streams receive it: the change, and each part of it rendered at most once
/// (as JSON, in Firebase's output form) for all the streams that send it.
pub(crate) struct Announced {
    pub(crate) change: Change,
    rendered: Mutex<HashMap<Part, Bytes>>,
}

impl Announced {
    pub(crate) fn new(change: Change) -> Self {
        Announced {
            change,
            rendered: Mutex::new(HashMap::new()),
        }
    }

    fn rendered(&self) -> MutexGuard<'_, HashMap<Part, Bytes>> {
        self.rendered
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The JSON of `part`, rendered by the first stream that asks.
    fn data(&self, part: Part) -> Bytes {
        let mut rendered = self.rendered();
        if let Some(bytes) = rendered.get(&part) {
            return bytes.clone();
        }
        let value = match (&self.change, &part) {
            (Change::Put { data, .. }, Part::Put(below)) => {
                tree::render(tree::get(data, below).unwrap_or(&Value::Null))
            }
            (Change::Patch { data, .. }, Part::PatchMap) => Value::Object(
                data.iter()
                    .map(|(key, value)| (key.join("/"), tree::render(value)))
                    .collect::<Map<String, Value>>(),
            ),
            (Change::Patch { data, .. }, Part::Entry(i, below)) => data
                .get(*i)
                .and_then(|(_, value)| tree::get(value, below))
                .map_or(Value::Null, tree::render),
            _ => Value::Null,
        };
        let bytes = Bytes::from(value.to_string());
        rendered.insert(part, bytes.clone());
        bytes
    }
}

/// An event as chunks: one for a small event; its head, its (shared) data and its tail for a
/// large one.
type Frame = Vec<Bytes>;

/// Data up to this size is copied into its event's single chunk; larger data is shared.
const COPY_BYTES: usize = 16 * 1024;

fn change_frame(kind: &str, rel: &[String], data: Bytes) -> Frame {
    let head = event::frame_head(kind, &path::to_string(rel));
    if data.len() <= COPY_BYTES {
        let mut whole = Vec::with_capacity(head.len() + data.len() + FRAME_TAIL.len());
        whole.extend_from_slice(head.as_bytes());
        whole.extend_from_slice(&data);
        whole.extend_from_slice(FRAME_TAIL.as_bytes());
        return vec![Bytes::from(whole)];
    }
    vec![
        Bytes::from(head),
        data,
        Bytes::from_static(FRAME_TAIL.as_bytes()),
    ]
}

/// The first event of a stream: a put of its whole value.
fn initial_frame(value: &Value) -> Frame {
    change_frame(
        event::PUT,
        &[],
        Bytes::from(tree::render(value).to_string()),
    )
}

/// The events a stream at `location` gets for `change` (none when it does not reach it).
pub(crate) fn events_for(location: &[String], announced: &Announced) -> Vec<Frame> {
    match &announced.change {
        Change::Put { path: at, .. } => put_frame(location, at, announced, Part::Put)
            .into_iter()
            .collect(),
        Change::Patch { path: at, .. } if path::is_prefix(location, at) => {
            // A patch at or below the location stays one patch, relative to it.
            let rel = at.get(location.len()..).unwrap_or_default();
            vec![change_frame(
                event::PATCH,
                rel,
                announced.data(Part::PatchMap),
            )]
        }
        Change::Patch { path: at, data } => data
            .iter()
            .enumerate()
            .filter_map(|(i, (rel, _))| {
                let full: Vec<String> = at.iter().chain(rel).cloned().collect();
                put_frame(location, &full, announced, |below| Part::Entry(i, below))
            })
            .collect(),
        Change::Rules => Vec::new(),
    }
}

fn put_frame(
    location: &[String],
    at: &[String],
    announced: &Announced,
    part: impl FnOnce(Vec<String>) -> Part,
) -> Option<Frame> {
    if path::is_prefix(at, location) {
        // A write at or above the location replaces its whole value.
        let below = location.get(at.len()..).unwrap_or_default().to_vec();
        Some(change_frame(event::PUT, &[], announced.data(part(below))))
    } else if path::is_prefix(location, at) {
        let rel = at.get(location.len()..).unwrap_or_default();
        Some(change_frame(
            event::PUT,
            rel,
            announced.data(part(Vec::new())),
        ))
    } else {
        None
    }
}

/// Counts open streams; a ticket frees its place when the stream ends.
#[derive(Debug, Default)]
pub(crate) struct Tickets {
    open: AtomicUsize,
}

/// A place among the open streams.
pub(crate) struct Ticket(Arc<Tickets>);

impl Tickets {
    /// A place if fewer than `max` streams are open.
    pub(crate) fn take(self: &Arc<Self>, max: usize) -> Option<Ticket> {
        let taken = self
            .open
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |open| {
                (open < max).then_some(open + 1)
            })
            .is_ok();
        taken.then(|| Ticket(self.clone()))
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Memory held by answers in flight (events queued for streams, large reads), with a cap.
#[derive(Debug)]
pub(crate) struct Budget {
    used: AtomicUsize,
    cap: usize,
}

/// Bytes taken from a [`Budget`], given back on drop.
#[derive(Debug)]
pub(crate) struct Held {
    budget: Arc<Budget>,
    bytes: usize,
}

impl Budget {
    pub(crate) fn new(cap: usize) -> Arc<Budget> {
        Arc::new(Budget {
            used: AtomicUsize::new(0),
            cap,
        })
    }

    /// `bytes` more, if that stays within the cap.
    pub(crate) fn take(self: &Arc<Self>, bytes: usize) -> Option<Held> {
        self.used
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |used| {
                used.checked_add(bytes).filter(|total| *total <= self.cap)
            })
            .ok()
            .map(|_| Held {
                budget: self.clone(),
                bytes,
            })
    }

    /// Bytes held now.
    #[cfg(test)]
    pub(crate) fn used(&self) -> usize {
        self.used.load(Ordering::SeqCst)
    }
}

impl Held {
    /// Nothing held, for chunks the budget does not count.
    fn none(budget: &Arc<Budget>) -> Held {
        Held {
            budget: budget.clone(),
            bytes: 0,
        }
    }

    /// Moves `bytes` of this into a new `Held`.
    fn split(&mut self, bytes: usize) -> Held {
        let bytes = bytes.min(self.bytes);
        self.bytes -= bytes;
        Held {
            budget: self.budget.clone(),
            bytes,
        }
    }

    fn give_back(&mut self, bytes: usize) {
        let bytes = bytes.min(self.bytes);
        self.bytes -= bytes;
        self.budget.used.fetch_sub(bytes, Ordering::SeqCst);
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.budget.used.fetch_sub(self.bytes, Ordering::SeqCst);
    }
}

/// A read's answer of about `estimate` bytes, made by `render`, as a body whose bytes count in
/// `budget` until the connection takes them (in pieces of at most 64 KiB); None when the budget
/// has no room left for it.
pub(crate) fn counted_body(
    budget: &Arc<Budget>,
    estimate: usize,
    render: &dyn Fn() -> String,
) -> Option<impl futures_util::Stream<Item = Result<Bytes, Infallible>> + Send> {
    // Reserved before rendering, so that an answer that does not fit is never built.
    let reserved = budget.take(estimate)?;
    let text = Bytes::from(render());
    let held = if text.len() <= reserved.bytes {
        reserved
    } else {
        drop(reserved);
        budget.take(text.len())?
    };
    Some(futures_util::stream::unfold(
        (text, held),
        |(mut text, mut held)| async move {
            if text.is_empty() {
                return None;
            }
            let piece = text.split_to(text.len().min(PIECE_BYTES));
            held.give_back(piece.len());
            Some((Ok(piece), (text, held)))
        },
    ))
}

/// What a stream needs to run.
pub(crate) struct Listen {
    pub(crate) store: Arc<Store>,
    pub(crate) location: Vec<String>,
    pub(crate) auth: Auth,
    pub(crate) initial: Value,
    /// The changes that reach `location`.
    pub(crate) changes: Subscription,
    pub(crate) keep_alive: Duration,
    pub(crate) closing: watch::Receiver<bool>,
    /// Memory shared by every answer in flight.
    pub(crate) budget: Arc<Budget>,
    /// Most bytes queued for this stream before it is ended.
    pub(crate) stream_budget: usize,
    /// Held for its `Drop`, which frees the stream's place.
    pub(crate) _ticket: Ticket,
}

/// The event a stream ends with when it fell too far behind; the client reconnects and
/// resyncs from the first `put`.
pub(crate) const OVERFLOW: &str = "overflow";

/// Events waiting for the connection to take them.
struct Queue {
    chunks: VecDeque<(Bytes, Held)>,
    /// Bytes in `chunks`.
    bytes: usize,
    /// Nothing more comes after `chunks`.
    done: bool,
}

struct Shared {
    queue: Mutex<Queue>,
    ready: Notify,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues `chunks`, or, when that would take the stream past `stream_budget` (an empty
    /// queue always takes one event) or the server past its budget, drops what is queued and
    /// ends the stream with an `overflow` event. False when the stream ended.
    fn push(&self, chunks: &[Bytes], budget: &Arc<Budget>, stream_budget: usize) -> bool {
        let size: usize = chunks.iter().map(Bytes::len).sum();
        let mut queue = self.lock();
        if queue.done {
            return false;
        }
        let fits = queue.bytes == 0 || queue.bytes + size <= stream_budget;
        let held = if fits { budget.take(size) } else { None };
        let pushed = match held {
            Some(mut held) => {
                for chunk in chunks {
                    let piece = held.split(chunk.len());
                    queue.chunks.push_back((chunk.clone(), piece));
                }
                queue.bytes += size;
                true
            }
            None => {
                let why = if fits {
                    "the server holds too much for slow streams"
                } else {
                    "this stream fell too far behind"
                };
                queue.chunks.clear();
                queue.bytes = 0;
                let text = json!(format!("{why}; reconnect to resync"));
                queue
                    .chunks
                    .push_back((frame(OVERFLOW, &text), Held::none(budget)));
                queue.done = true;
                false
            }
        };
        drop(queue);
        self.ready.notify_one();
        pushed
    }

    fn finish(&self) {
        self.lock().done = true;
        self.ready.notify_one();
    }

    /// The next piece for the connection; None when the stream is over; Err(()) when nothing
    /// is queued yet.
    fn pop(&self) -> Result<Option<Bytes>, ()> {
        let mut queue = self.lock();
        let Some((chunk, held)) = queue.chunks.front_mut() else {
            return if queue.done { Ok(None) } else { Err(()) };
        };
        if chunk.len() > PIECE_BYTES {
            let piece = chunk.split_to(PIECE_BYTES);
            held.give_back(PIECE_BYTES);
            queue.bytes = queue.bytes.saturating_sub(PIECE_BYTES);
            return Ok(Some(piece));
        }
        let Some((chunk, _held)) = queue.chunks.pop_front() else {
            return Err(());
        };
        queue.bytes = queue.bytes.saturating_sub(chunk.len());
        Ok(Some(chunk))
    }
}

/// The event stream, ending on `cancel`, on overflow, on server shutdown, or when the client
/// goes away (the body is dropped, which stops the pump and frees the ticket).
///
/// A pump task follows the changes that reach the stream as they come, so that a slow reader
/// holds no change in the stream's inbox; it queues the events, each rendered once for every stream, within the
/// stream's budget. The body hands the connection pieces of at most 64 KiB.
pub(crate) fn events(
    listen: Listen,
) -> impl futures_util::Stream<Item = Result<Bytes, Infallible>> + Send {
    let shared = Arc::new(Shared {
        queue: Mutex::new(Queue {
            chunks: VecDeque::new(),
            bytes: 0,
            done: false,
        }),
        ready: Notify::new(),
    });
    // The first event is always sent, whatever its size; it counts against the server's
    // budget when it fits there.
    let first = initial_frame(&listen.initial);
    {
        let mut queue = shared.lock();
        for chunk in first {
            let held = listen
                .budget
                .take(chunk.len())
                .unwrap_or_else(|| Held::none(&listen.budget));
            queue.bytes += chunk.len();
            queue.chunks.push_back((chunk, held));
        }
    }
    let (gone, gone_rx) = oneshot::channel::<()>();
    tokio::spawn(pump(listen, shared.clone(), gone_rx));
    futures_util::stream::unfold((shared, gone), |(shared, gone)| async move {
        loop {
            match shared.pop() {
                Ok(Some(piece)) => return Some((Ok(piece), (shared, gone))),
                Ok(None) => return None,
                Err(()) => shared.ready.notified().await,
            }
        }
    })
}

/// Follows the changes for one stream until it ends or its body is dropped (`gone`).
async fn pump(mut listen: Listen, shared: Arc<Shared>, mut gone: oneshot::Receiver<()>) {
    let period = listen.keep_alive.max(Duration::from_millis(1));
    let mut keep_alive = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    loop {
        enum Woken {
            Change(Arc<Announced>),
            Lagged,
            KeepAlive,
            End,
        }
        let woken = tokio::select! {
            next = listen.changes.recv() => match next {
                Next::Change(announced) => Woken::Change(announced),
                Next::Lagged => Woken::Lagged,
            },
            _ = keep_alive.tick() => Woken::KeepAlive,
            _ = listen.closing.wait_for(|closing| *closing) => Woken::End,
            _ = &mut gone => Woken::End,
        };
        let budget = listen.budget.clone();
        let push = |chunks: &[Bytes]| shared.push(chunks, &budget, listen.stream_budget);
        let going = match woken {
            Woken::Change(announced) => {
                let frames = events_for(&listen.location, &announced);
                let recheck = !frames.is_empty() || matches!(announced.change, Change::Rules);
                if recheck && !listen.store.may_read(&listen.location, &listen.auth) {
                    cancel(&shared);
                    false
                } else {
                    frames.iter().all(|frame| push(frame))
                }
            }
            Woken::Lagged => {
                // Too far behind to replay: send the whole current value again.
                match listen.store.read(&listen.location, &listen.auth) {
                    Ok(value) => push(&initial_frame(&value)),
                    Err(_) => {
                        cancel(&shared);
                        false
                    }
                }
            }
            Woken::End => {
                shared.finish();
                false
            }
            Woken::KeepAlive => push(&[frame(event::KEEP_ALIVE, &Value::Null)]),
        };
        if !going {
            return;
        }
    }
}

fn cancel(shared: &Shared) {
    {
        let mut queue = shared.lock();
        queue.chunks.push_back((
            frame(event::CANCEL, &json!("Permission denied")),
            Held::none(&Budget::new(0)),
        ));
        queue.done = true;
    }
    shared.ready.notify_one();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Vec<String> {
        path::parse(text).unwrap_or_default()
    }

    fn texts(events: Vec<Frame>) -> Vec<String> {
        events
            .into_iter()
            .map(|frame| frame.iter().map(|b| String::from_utf8_lossy(b)).collect())
            .collect()
    }

    fn events_for(location: &[String], change: &Change) -> Vec<Frame> {
        super::events_for(location, &Announced::new(change.clone()))
    }

    #[test]
    fn puts_are_relative_to_the_location() {
        let below = Change::Put {
            path: p("rooms/r/offer"),
            data: json!({"sdp": "x"}),
        };
        assert_eq!(
            texts(events_for(&p("rooms/r"), &below)),
            ["event: put\ndata: {\"path\":\"/offer\",\"data\":{\"sdp\":\"x\"}}\n\n"]
        );
        let above = Change::Put {
            path: p("rooms"),
            data: json!({"r": {"a": {"0": 1}}}),
        };
        assert_eq!(
            texts(events_for(&p("rooms/r"), &above)),
            ["event: put\ndata: {\"path\":\"/\",\"data\":{\"a\":[1]}}\n\n"]
        );
        let elsewhere = Change::Put {
            path: p("rooms/s"),
            data: json!(1),
        };
        assert!(events_for(&p("rooms/r"), &elsewhere).is_empty());
        let deleted = Change::Put {
            path: p(""),
            data: Value::Null,
        };
        assert_eq!(
            texts(events_for(&p("rooms/r"), &deleted)),
            ["event: put\ndata: {\"path\":\"/\",\"data\":null}\n\n"]
        );
    }

    #[test]
    fn patches_below_stay_patches_and_above_become_puts() {
        let patch = Change::Patch {
            path: p("rooms/r"),
            data: vec![(p("a/b"), json!(1)), (p("c"), json!(2))],
        };
        assert_eq!(
            texts(events_for(&p("rooms"), &patch)),
            ["event: patch\ndata: {\"path\":\"/r\",\"data\":{\"a/b\":1,\"c\":2}}\n\n"]
        );
        assert_eq!(
            texts(events_for(&p("rooms/r/a"), &patch)),
            ["event: put\ndata: {\"path\":\"/b\",\"data\":1}\n\n"]
        );
        assert!(events_for(&p("rooms/r/x"), &patch).is_empty());
    }

    #[test]
    fn parts_are_rendered_once_for_every_stream() {
        let announced = Announced::new(Change::Put {
            path: p("rooms/r"),
            data: json!({"big": "x".repeat(20_000)}),
        });
        let a = super::events_for(&p("rooms"), &announced);
        let b = super::events_for(&p("rooms"), &announced);
        let c = super::events_for(&p(""), &announced);
        // The same allocation, not a copy.
        assert_eq!(a[0][1].as_ptr(), b[0][1].as_ptr());
        assert_eq!(a[0][1].as_ptr(), c[0][1].as_ptr());
        assert_eq!(announced.rendered().len(), 1);
    }

    #[test]
    fn budgets_end_slow_streams_and_are_given_back() {
        let budget = Budget::new(1000);
        let shared = Shared {
            queue: Mutex::new(Queue {
                chunks: VecDeque::new(),
                bytes: 0,
                done: false,
            }),
            ready: Notify::new(),
        };
        let chunk = Bytes::from(vec![b'x'; 300]);
        // An empty queue takes one event even past the stream's budget of 200.
        assert!(shared.push(std::slice::from_ref(&chunk), &budget, 200));
        assert_eq!(budget.used(), 300);
        assert!(!shared.push(std::slice::from_ref(&chunk), &budget, 200));
        assert_eq!(budget.used(), 0);
        let end = shared.pop().unwrap().unwrap();
        assert!(String::from_utf8_lossy(&end).starts_with("event: overflow\n"));
        assert_eq!(shared.pop(), Ok(None));
        // The server's budget ends a stream too.
        let shared = Shared {
            queue: Mutex::new(Queue {
                chunks: VecDeque::new(),
                bytes: 0,
                done: false,
            }),
            ready: Notify::new(),
        };
        let _other = budget.take(900).unwrap();
        assert!(!shared.push(&[chunk], &budget, 10_000));
        // Pieces of at most 64 KiB give their bytes back as they go.
        let shared = Shared {
            queue: Mutex::new(Queue {
                chunks: VecDeque::new(),
                bytes: 0,
                done: false,
            }),
            ready: Notify::new(),
        };
        let big_budget = Budget::new(1 << 20);
        let big = Bytes::from(vec![b'y'; 100 * 1024]);
        assert!(shared.push(&[big], &big_budget, 1 << 20));
        assert_eq!(shared.pop().unwrap().unwrap().len(), PIECE_BYTES);
        assert_eq!(big_budget.used(), 100 * 1024 - PIECE_BYTES);
        assert_eq!(
            shared.pop().unwrap().unwrap().len(),
            100 * 1024 - PIECE_BYTES
        );
        assert_eq!(big_budget.used(), 0);
        assert_eq!(shared.pop(), Err(()));
    }

    #[test]
    fn tickets_are_limited_and_returned() {
        let tickets = Arc::new(Tickets::default());
        let first = tickets.take(1);
        assert!(first.is_some());
        assert!(tickets.take(1).is_none());
        drop(first);
        assert!(tickets.take(1).is_some());
    }
}
