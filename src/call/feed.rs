//! One streaming subscription per room and page, shared by the calls in it.
//!
//! A call reads its whole room from one subscription, and calls of the same page in the same
//! room share it: browsers allow six HTTP/1.1 connections per host, and each open stream holds
//! one, so six calls with a stream each would leave none for their writes.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use futures::channel::{mpsc, oneshot};
use futures::future::{self, Either};
use futures::StreamExt;
use litemap::LiteMap;
use serde_json::Value;

use crate::error::Error;
use crate::signaling::{DatabaseEvent, Room, Subscription};

thread_local! {
    static FEEDS: RefCell<LiteMap<String, Weak<Feed>>> = const { RefCell::new(LiteMap::new()) };
}

type Item = Result<DatabaseEvent, Error>;

/// A room's subscription, fanned out to its listeners. Dropping the last handle closes it.
pub(crate) struct Feed {
    key: String,
    subscription: Rc<RefCell<Subscription>>,
    listeners: RefCell<Vec<mpsc::UnboundedSender<Item>>>,
    /// The room's value after the events forwarded so far, for listeners that come late.
    snapshot: RefCell<Option<Value>>,
    _stop: oneshot::Sender<()>,
}

impl Feed {
    /// A listener of `room`'s events: it starts with the whole room as a put at `/`.
    pub(crate) fn listen(room: &Room) -> Result<(Rc<Feed>, mpsc::UnboundedReceiver<Item>), Error> {
        let key = room.reference().url(Vec::new());
        let existing = FEEDS.with(|feeds| feeds.borrow().get(&key).and_then(Weak::upgrade));
        let feed = match existing {
            Some(feed) => feed,
            None => {
                let feed = Feed::open(room, key.clone())?;
                FEEDS.with(|feeds| {
                    let mut feeds = feeds.borrow_mut();
                    feeds.retain(|_, f| f.strong_count() > 0);
                    feeds.insert(key, Rc::downgrade(&feed));
                });
                feed
            }
        };
        let (sender, receiver) = mpsc::unbounded();
        if let Some(snapshot) = feed.snapshot.borrow().clone() {
            let _ = sender.unbounded_send(Ok(DatabaseEvent::Put {
                path: "/".into(),
                data: snapshot,
            }));
        }
        feed.listeners.borrow_mut().push(sender);
        Ok((feed, receiver))
    }

    /// Whether the stream is connected now.
    pub(crate) fn is_connected(&self) -> bool {
        self.subscription
            .try_borrow()
            .map(|s| s.is_connected())
            .unwrap_or(true)
    }

    fn open(room: &Room, key: String) -> Result<Rc<Feed>, Error> {
        let subscription = Rc::new(RefCell::new(room.reference().subscribe()?));
        let (stop, stopped) = oneshot::channel();
        let feed = Rc::new(Feed {
            key,
            subscription: subscription.clone(),
            listeners: RefCell::new(Vec::new()),
            snapshot: RefCell::new(None),
            _stop: stop,
        });
        let weak = Rc::downgrade(&feed);
        wasm_bindgen_futures::spawn_local(async move {
            let mut stopped = stopped;
            loop {
                // Borrowed only while polled, never across an await.
                let next = future::poll_fn(|cx| subscription.borrow_mut().poll_next_unpin(cx));
                let item = match future::select(next, &mut stopped).await {
                    Either::Left((Some(item), _)) => item,
                    Either::Left((None, _)) | Either::Right(_) => break,
                };
                let Some(feed) = weak.upgrade() else { break };
                feed.forward(item);
            }
            // Ending: listeners see their streams end.
            if let Some(feed) = weak.upgrade() {
                feed.listeners.borrow_mut().clear();
            }
        });
        Ok(feed)
    }

    fn forward(&self, item: Item) {
        if let Ok(event) = &item {
            let mut snapshot = self.snapshot.borrow_mut();
            let value = snapshot.get_or_insert(Value::Null);
            event.apply(value);
        }
        self.listeners
            .borrow_mut()
            .retain(|listener| listener.unbounded_send(item.clone()).is_ok());
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        // `try_with`: the thread-local may already be gone when the page unloads.
        let _ = FEEDS.try_with(|feeds| {
            if let Ok(mut feeds) = feeds.try_borrow_mut() {
                if feeds.get(&self.key).is_some_and(|f| f.strong_count() == 0) {
                    feeds.remove(&self.key);
                }
            }
        });
    }
}
