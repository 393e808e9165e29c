//! Streaming (`Accept: text/event-stream`): Firebase's server-sent events for one location.
//!
//! The first event is `put` of the whole value at `path "/"`; then every change that reaches the
//! location becomes `put` or `patch` events with paths relative to it; `keep-alive` events keep
//! idle connections open; `cancel` ends the stream when the rules stop allowing the read.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde_json::{json, Map, Value};
use tokio::sync::{broadcast, watch};

use crate::auth::Auth;
use crate::path;
use crate::store::{Change, Store};
use crate::tree;

/// One server-sent event in Firebase's framing.
pub(crate) fn frame(event: &str, data: &Value) -> Bytes {
    Bytes::from(rtcweb_protocol::event::plain(event, data))
}

/// A `put` or `patch` event: `{"path":...,"data":...}`, in that order as Firebase writes it.
fn change_event(event: &str, rel: &[String], data: &Value) -> Bytes {
    Bytes::from(rtcweb_protocol::event::frame(
        event,
        &path::to_string(rel),
        data,
    ))
}

fn put(rel: &[String], data: &Value) -> Bytes {
    change_event(rtcweb_protocol::event::PUT, rel, &tree::render(data))
}

/// The events a stream at `location` gets for `change` (none when it does not reach it).
pub(crate) fn events_for(location: &[String], change: &Change) -> Vec<Bytes> {
    match change {
        Change::Put { path: at, data } => put_events(location, at, data).into_iter().collect(),
        Change::Patch { path: at, data } if path::is_prefix(location, at) => {
            // A patch at or below the location stays one patch, relative to it.
            let rel = at.get(location.len()..).unwrap_or_default();
            let entries: Map<String, Value> = data
                .iter()
                .map(|(key, value)| (key.join("/"), tree::render(value)))
                .collect();
            vec![change_event(
                rtcweb_protocol::event::PATCH,
                rel,
                &Value::Object(entries),
            )]
        }
        Change::Patch { path: at, data } => data
            .iter()
            .filter_map(|(rel, value)| {
                let full: Vec<String> = at.iter().chain(rel).cloned().collect();
                put_events(location, &full, value)
            })
            .collect(),
        Change::Rules => Vec::new(),
    }
}

fn put_events(location: &[String], at: &[String], data: &Value) -> Option<Bytes> {
    if path::is_prefix(at, location) {
        // A write at or above the location replaces its whole value.
        let below = location.get(at.len()..).unwrap_or_default();
        Some(put(&[], tree::get(data, below).unwrap_or(&Value::Null)))
    } else if path::is_prefix(location, at) {
        Some(put(at.get(location.len()..).unwrap_or_default(), data))
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

/// What a stream needs to run.
pub(crate) struct Listen {
    pub(crate) store: Arc<Store>,
    pub(crate) location: Vec<String>,
    pub(crate) auth: Auth,
    pub(crate) initial: Value,
    pub(crate) changes: broadcast::Receiver<Arc<Change>>,
    pub(crate) keep_alive: Duration,
    pub(crate) closing: watch::Receiver<bool>,
    /// Held for its `Drop`, which frees the stream's place.
    pub(crate) _ticket: Ticket,
}

struct Running {
    listen: Listen,
    queue: VecDeque<Bytes>,
    keep_alive: tokio::time::Interval,
    done: bool,
}

/// The event stream, ending on `cancel`, on server shutdown, or when the client goes away
/// (the body is dropped, which frees the ticket).
pub(crate) fn events(
    listen: Listen,
) -> impl futures_util::Stream<Item = Result<Bytes, Infallible>> + Send {
    let first = put(&[], &listen.initial);
    let period = listen.keep_alive.max(Duration::from_millis(1));
    let running = Running {
        keep_alive: tokio::time::interval_at(tokio::time::Instant::now() + period, period),
        queue: VecDeque::from([first]),
        done: false,
        listen,
    };
    futures_util::stream::unfold(running, |mut run| async move {
        loop {
            if let Some(bytes) = run.queue.pop_front() {
                return Some((Ok(bytes), run));
            }
            if run.done {
                return None;
            }
            run.next().await;
        }
    })
}

impl Running {
    /// Waits for something to send and queues it.
    async fn next(&mut self) {
        enum Woken {
            Change(Result<Arc<Change>, broadcast::error::RecvError>),
            KeepAlive,
            Closing,
        }
        let listen = &mut self.listen;
        let woken = tokio::select! {
            change = listen.changes.recv() => Woken::Change(change),
            _ = self.keep_alive.tick() => Woken::KeepAlive,
            _ = listen.closing.wait_for(|closing| *closing) => Woken::Closing,
        };
        match woken {
            Woken::Change(Ok(change)) => {
                let events = events_for(&self.listen.location, &change);
                let recheck = !events.is_empty() || matches!(*change, Change::Rules);
                if recheck
                    && !self
                        .listen
                        .store
                        .may_read(&self.listen.location, &self.listen.auth)
                {
                    self.cancel();
                } else {
                    self.queue.extend(events);
                }
            }
            Woken::Change(Err(broadcast::error::RecvError::Lagged(_))) => {
                // Too far behind to replay: send the whole current value again.
                match self
                    .listen
                    .store
                    .read(&self.listen.location, &self.listen.auth)
                {
                    Ok(value) => self.queue.push_back(put(&[], &value)),
                    Err(_) => self.cancel(),
                }
            }
            Woken::Change(Err(broadcast::error::RecvError::Closed)) | Woken::Closing => {
                self.done = true;
            }
            Woken::KeepAlive => self
                .queue
                .push_back(frame(rtcweb_protocol::event::KEEP_ALIVE, &Value::Null)),
        }
    }

    fn cancel(&mut self) {
        self.queue.push_back(frame(
            rtcweb_protocol::event::CANCEL,
            &json!("Permission denied"),
        ));
        self.done = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Vec<String> {
        path::parse(text).unwrap_or_default()
    }

    fn texts(events: Vec<Bytes>) -> Vec<String> {
        events
            .into_iter()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .collect()
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
    fn tickets_are_limited_and_returned() {
        let tickets = Arc::new(Tickets::default());
        let first = tickets.take(1);
        assert!(first.is_some());
        assert!(tickets.take(1).is_none());
        drop(first);
        assert!(tickets.take(1).is_some());
    }
}
