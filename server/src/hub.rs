//! Routing changes to the streams they reach.
//!
//! Each stream registers its location in a tree of paths; a change goes only to the streams at
//! or above its path and those below it (for a patch, below each of its entries), never to the
//! others. So a write into one room wakes that room's streams, whatever the number of streams
//! open elsewhere: with one channel for every stream, each write woke all of them, and 10,000
//! open streams held the server to a few hundred writes per second.
//!
//! A stream's inbox holds at most `buffer` changes not yet taken, and at most `stream_bytes` of
//! their JSON, and all inboxes together at most `total_bytes` (a change held by two inboxes
//! counts twice): past that it is cleared and marked lagged, and the stream resends its whole
//! value (as a broadcast ring's lag did). So streams that stop reading cannot hold on to
//! changes without bound.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Notify;

use crate::store::Change;
use crate::stream::Announced;
use crate::tree;

/// The streams' registry, by location.
pub(crate) struct Hub {
    index: Mutex<Index>,
    /// Most changes an inbox holds before it is marked lagged.
    buffer: usize,
    /// Most bytes of changes one inbox holds.
    stream_bytes: usize,
    /// Most bytes of changes all inboxes hold together.
    total_bytes: usize,
    /// Bytes of changes held by the inboxes now.
    held: AtomicUsize,
}

#[derive(Default)]
struct Index {
    root: Node,
    next_id: u64,
}

#[derive(Default)]
struct Node {
    children: HashMap<String, Node>,
    /// The streams at this location.
    here: Vec<(u64, Arc<Inbox>)>,
}

/// Changes waiting for one stream.
struct Inbox {
    queue: Mutex<Pending>,
    ready: Notify,
}

#[derive(Default)]
struct Pending {
    /// The changes, with the size of each (counted in `bytes` and the hub's `held`).
    changes: VecDeque<(Arc<Announced>, usize)>,
    bytes: usize,
    lagged: bool,
}

/// What a stream takes next.
pub(crate) enum Next {
    /// A change that reaches its location.
    Change(Arc<Announced>),
    /// Changes were dropped since the last one taken: resend the whole value.
    Lagged,
}

/// A stream's place in the hub: its changes, in the order they were announced. Dropping it
/// leaves the hub.
pub(crate) struct Subscription {
    hub: Arc<Hub>,
    id: u64,
    location: Vec<String>,
    inbox: Arc<Inbox>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Pending {
    /// Drops every change held, giving their bytes back to `hub`.
    fn clear(&mut self, hub: &Hub) {
        self.changes.clear();
        hub.held.fetch_sub(self.bytes, Ordering::Relaxed);
        self.bytes = 0;
    }
}

impl Inbox {
    fn push(&self, announced: &Arc<Announced>, size: usize, hub: &Hub) {
        {
            let mut queue = lock(&self.queue);
            let full = queue.changes.len() >= hub.buffer
                || queue.bytes.saturating_add(size) > hub.stream_bytes
                || hub.held.load(Ordering::Relaxed).saturating_add(size) > hub.total_bytes;
            if queue.lagged {
                // Its whole value is resent anyway.
            } else if full {
                queue.clear(hub);
                queue.lagged = true;
            } else {
                queue.changes.push_back((announced.clone(), size));
                queue.bytes += size;
                hub.held.fetch_add(size, Ordering::Relaxed);
            }
        }
        self.ready.notify_one();
    }

    fn take(&self, hub: &Hub) -> Option<Next> {
        let mut queue = lock(&self.queue);
        if queue.lagged {
            queue.lagged = false;
            queue.clear(hub);
            return Some(Next::Lagged);
        }
        let (announced, size) = queue.changes.pop_front()?;
        queue.bytes -= size;
        hub.held.fetch_sub(size, Ordering::Relaxed);
        Some(Next::Change(announced))
    }
}

/// The bytes a change's JSON takes (what an inbox holding it counts).
fn size_of(change: &Change) -> usize {
    match change {
        Change::Rules => 0,
        Change::Put { data, .. } => tree::size(data),
        Change::Patch { data, .. } => data.iter().map(|(_, value)| tree::size(value)).sum(),
    }
}

impl Node {
    /// Every stream at or below this node.
    fn all<'a>(&'a self, into: &mut Vec<&'a (u64, Arc<Inbox>)>) {
        into.extend(&self.here);
        for child in self.children.values() {
            child.all(into);
        }
    }

    /// The streams at the nodes from this one down `path`, this one included (None past the
    /// last node there is), and the node at the end of `path` if it exists.
    fn along<'a>(
        &'a self,
        path: &[String],
        into: &mut Vec<&'a (u64, Arc<Inbox>)>,
    ) -> Option<&'a Node> {
        let mut node = self;
        into.extend(&node.here);
        for key in path {
            node = node.children.get(key)?;
            into.extend(&node.here);
        }
        Some(node)
    }

    /// Removes stream `id` at `path` below this node; true when this node is left empty.
    fn remove(&mut self, path: &[String], id: u64) -> bool {
        match path.split_first() {
            None => self.here.retain(|(other, _)| *other != id),
            Some((key, rest)) => {
                if let Some(child) = self.children.get_mut(key) {
                    if child.remove(rest, id) {
                        self.children.remove(key);
                    }
                }
            }
        }
        self.here.is_empty() && self.children.is_empty()
    }
}

impl Hub {
    /// A hub whose inboxes hold at most `buffer` changes and `stream_bytes` bytes each, and
    /// `total_bytes` together.
    pub(crate) fn new(buffer: usize, stream_bytes: usize, total_bytes: usize) -> Arc<Hub> {
        Arc::new(Hub {
            index: Mutex::new(Index::default()),
            buffer: buffer.max(1),
            stream_bytes,
            total_bytes,
            held: AtomicUsize::new(0),
        })
    }

    /// A new stream at `location`; it receives every change announced from now on that reaches
    /// it.
    pub(crate) fn subscribe(self: &Arc<Self>, location: &[String]) -> Subscription {
        let inbox = Arc::new(Inbox {
            queue: Mutex::new(Pending::default()),
            ready: Notify::new(),
        });
        let mut index = lock(&self.index);
        let id = index.next_id;
        index.next_id += 1;
        let mut node = &mut index.root;
        for key in location {
            node = node.children.entry(key.clone()).or_default();
        }
        node.here.push((id, inbox.clone()));
        Subscription {
            hub: self.clone(),
            id,
            location: location.to_vec(),
            inbox,
        }
    }

    /// Hands `change` to every stream it may reach (each once, in announcement order).
    pub(crate) fn announce(&self, change: Change) {
        let size = size_of(&change);
        let announced = Arc::new(Announced::new(change));
        let index = lock(&self.index);
        let mut targets = Vec::new();
        match &announced.change {
            Change::Rules => index.root.all(&mut targets),
            Change::Put { path, .. } => {
                if let Some(node) = index.root.along(path, &mut targets) {
                    node.children.values().for_each(|c| c.all(&mut targets));
                }
            }
            Change::Patch { path, data } => {
                if let Some(at) = index.root.along(path, &mut targets) {
                    let mut below = Vec::new();
                    for (rel, _) in data {
                        let mut along = Vec::new();
                        if let Some(node) = at.along(rel, &mut along) {
                            node.children.values().for_each(|c| c.all(&mut along));
                        }
                        // `along` starts with the streams at `at`, already in `targets`.
                        below.extend(along.into_iter().skip(at.here.len()));
                    }
                    if data.len() > 1 {
                        // A stream below several entries gets the patch once.
                        below.sort_unstable_by_key(|(id, _)| *id);
                        below.dedup_by_key(|(id, _)| *id);
                    }
                    targets.extend(below);
                }
            }
        }
        for (_, inbox) in targets {
            inbox.push(&announced, size, self);
        }
    }

    /// Streams registered now.
    #[cfg(test)]
    fn len(&self) -> usize {
        let index = lock(&self.index);
        let mut all = Vec::new();
        index.root.all(&mut all);
        all.len()
    }
}

impl Subscription {
    /// The next change for this stream, waiting for one.
    pub(crate) async fn recv(&mut self) -> Next {
        loop {
            if let Some(next) = self.inbox.take(&self.hub) {
                return next;
            }
            // Cancel-safe: nothing is taken before the wait ends.
            self.inbox.ready.notified().await;
        }
    }

    /// The next change if one is waiting.
    #[cfg(test)]
    pub(crate) fn try_recv(&mut self) -> Option<Next> {
        self.inbox.take(&self.hub)
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        lock(&self.hub.index).root.remove(&self.location, self.id);
        lock(&self.inbox.queue).clear(&self.hub);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn p(text: &str) -> Vec<String> {
        crate::path::parse(text).unwrap_or_default()
    }

    fn put(at: &str) -> Change {
        Change::Put {
            path: p(at),
            data: json!(1),
        }
    }

    /// How many changes `sub` holds, emptying it.
    fn count(sub: &mut Subscription) -> usize {
        let mut n = 0;
        while let Some(next) = sub.try_recv() {
            assert!(matches!(next, Next::Change(_)), "lagged");
            n += 1;
        }
        n
    }

    #[test]
    fn a_put_reaches_the_streams_above_at_and_below_it_only() {
        let hub = Hub::new(16, usize::MAX, usize::MAX);
        let mut root = hub.subscribe(&[]);
        let mut room = hub.subscribe(&p("rooms/a"));
        let mut inbox = hub.subscribe(&p("rooms/a/mesh/b"));
        let mut other = hub.subscribe(&p("rooms/b"));
        let mut sibling = hub.subscribe(&p("rooms/a/presence"));
        hub.announce(put("rooms/a/mesh"));
        assert_eq!(count(&mut root), 1);
        assert_eq!(count(&mut room), 1);
        assert_eq!(count(&mut inbox), 1);
        assert_eq!(count(&mut other), 0);
        assert_eq!(count(&mut sibling), 0);
        // Where no stream listens at or below.
        hub.announce(put("elsewhere/x/y"));
        assert_eq!(count(&mut root), 1);
        assert_eq!(count(&mut room), 0);
        // At the root: everyone.
        hub.announce(put(""));
        for sub in [&mut root, &mut room, &mut inbox, &mut other, &mut sibling] {
            assert_eq!(count(sub), 1);
        }
    }

    #[test]
    fn a_patch_reaches_each_stream_below_its_entries_once() {
        let hub = Hub::new(16, usize::MAX, usize::MAX);
        let mut rooms = hub.subscribe(&p("rooms"));
        let mut a = hub.subscribe(&p("rooms/a"));
        let mut deep = hub.subscribe(&p("rooms/a/mesh/x"));
        let mut b = hub.subscribe(&p("rooms/b"));
        let mut c = hub.subscribe(&p("rooms/c"));
        hub.announce(Change::Patch {
            path: p("rooms"),
            data: vec![
                (p("a/updated"), json!(1)),
                (p("a/mesh"), json!(2)),
                (p("b"), Value::Null),
            ],
        });
        assert_eq!(count(&mut rooms), 1);
        assert_eq!(count(&mut a), 1);
        assert_eq!(count(&mut deep), 1);
        assert_eq!(count(&mut b), 1);
        assert_eq!(count(&mut c), 0);
    }

    #[test]
    fn rules_reach_every_stream_and_dropped_ones_leave() {
        let hub = Hub::new(16, usize::MAX, usize::MAX);
        let mut a = hub.subscribe(&p("x/y"));
        let b = hub.subscribe(&p("x/y"));
        let mut c = hub.subscribe(&p("z"));
        assert_eq!(hub.len(), 3);
        drop(b);
        assert_eq!(hub.len(), 2);
        hub.announce(Change::Rules);
        assert_eq!(count(&mut a), 1);
        assert_eq!(count(&mut c), 1);
        drop(a);
        drop(c);
        assert_eq!(hub.len(), 0);
        // Emptied nodes are pruned.
        assert!(lock(&hub.index).root.children.is_empty());
    }

    #[test]
    fn an_inbox_past_its_buffer_is_lagged_once_then_follows_again() {
        let hub = Hub::new(3, usize::MAX, usize::MAX);
        let mut sub = hub.subscribe(&p("r"));
        for _ in 0..5 {
            hub.announce(put("r/k"));
        }
        assert!(matches!(sub.try_recv(), Some(Next::Lagged)));
        assert!(sub.try_recv().is_none());
        hub.announce(put("r/k"));
        assert!(matches!(sub.try_recv(), Some(Next::Change(_))));
    }

    #[tokio::test]
    async fn recv_waits_for_a_change() {
        let hub = Hub::new(16, usize::MAX, usize::MAX);
        let mut sub = hub.subscribe(&p("r"));
        let announcer = {
            let hub = hub.clone();
            tokio::spawn(async move {
                tokio::task::yield_now().await;
                hub.announce(put("r"));
            })
        };
        let next = tokio::time::timeout(std::time::Duration::from_secs(5), sub.recv()).await;
        assert!(matches!(next, Ok(Next::Change(_))));
        announcer.await.unwrap();
    }

    #[test]
    fn inboxes_that_are_not_read_hold_a_bounded_number_of_bytes() {
        // Each put is 10 bytes of JSON ("\"xxxxxxxx\"").
        let big = |at: &str| Change::Put {
            path: p(at),
            data: json!("xxxxxxxx"),
        };
        let hub = Hub::new(100, 35, 50);
        let mut a = hub.subscribe(&p("a"));
        let mut b = hub.subscribe(&p("b"));
        for _ in 0..3 {
            hub.announce(big("a/k"));
        }
        assert_eq!(hub.held.load(Ordering::Relaxed), 30);
        // Past its own bound: lagged, and what it held is given back.
        hub.announce(big("a/k"));
        assert_eq!(hub.held.load(Ordering::Relaxed), 0);
        assert!(matches!(a.try_recv(), Some(Next::Lagged)));
        // Past the total: b holds 30, a may take 20 more, not 30.
        for _ in 0..3 {
            hub.announce(big("b/k"));
        }
        hub.announce(big("a/k"));
        hub.announce(big("a/k"));
        assert_eq!(hub.held.load(Ordering::Relaxed), 50);
        hub.announce(big("a/k"));
        assert!(matches!(a.try_recv(), Some(Next::Lagged)));
        assert_eq!(count(&mut b), 3);
        assert_eq!(hub.held.load(Ordering::Relaxed), 0);
        // A dropped stream gives back what it held.
        hub.announce(big("b/k"));
        drop(b);
        assert_eq!(hub.held.load(Ordering::Relaxed), 0);
    }
}
