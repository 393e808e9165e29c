//! Browser events as `Stream`s that own their listeners.

use std::cell::RefCell;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::channel::{mpsc, oneshot};
use futures::future::{FutureExt, Shared};
use futures::{Stream, StreamExt};
use gloo_events::EventListener;
use web_sys::{Event, EventTarget};

/// A stream of events from a browser object, such as ICE candidates or state changes.
///
/// It owns its event listeners: dropping the stream removes them. It ends when its source is
/// closed (the peer connection or the data channel).
///
/// ```no_run
/// use futures::StreamExt;
///
/// # async fn run(pc: &rtcweb::PeerConnection) {
/// let mut states = pc.connection_state_changes();
/// while let Some(state) = states.next().await {
///     println!("connection is {state}");
/// }
/// # }
/// ```
#[must_use = "a stream does nothing unless polled; dropping it removes its listeners"]
pub struct EventStream<T> {
    receiver: mpsc::UnboundedReceiver<T>,
    _listeners: Vec<EventListener>,
    closed: Option<Shared<oneshot::Receiver<()>>>,
}

impl<T> EventStream<T> {
    /// A stream of `event` on `target`, each mapped by `map` to its items (an `Option` for
    /// zero or one, a `Vec` where one event carries several), ending when `closed` fires
    /// (never, without one).
    pub(crate) fn listen<I: IntoIterator<Item = T>>(
        target: &EventTarget,
        event: &'static str,
        closed: Option<&CloseSignal>,
        mut map: impl FnMut(&Event) -> I + 'static,
    ) -> Self
    where
        T: 'static,
    {
        let (sender, receiver) = mpsc::unbounded();
        let listener = EventListener::new(target, event, move |event| {
            for item in map(event) {
                // Fails only once the stream is gone, and then nobody wants the item.
                let _ = sender.unbounded_send(item);
            }
        });
        EventStream {
            receiver,
            _listeners: vec![listener],
            closed: closed.map(CloseSignal::subscribe),
        }
    }

    /// The stream of the one receiver kept in `slot` (whose sender was fed since the owner was
    /// made, so nothing is missed); it ends when every sender is dropped, or when `closed`
    /// fires. Later calls find the slot empty and get a stream that has already ended.
    pub(crate) fn take_once(
        slot: &RefCell<Option<mpsc::UnboundedReceiver<T>>>,
        closed: Option<&CloseSignal>,
    ) -> Self {
        EventStream {
            receiver: slot
                .borrow_mut()
                .take()
                .unwrap_or_else(|| mpsc::unbounded().1),
            _listeners: Vec::new(),
            closed: closed.map(CloseSignal::subscribe),
        }
    }
}

impl<T> Stream for EventStream<T> {
    type Item = T;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        // Events that arrived before the close are still delivered.
        if let Poll::Ready(item) = self.receiver.poll_next_unpin(cx) {
            return Poll::Ready(item);
        }
        let closed = match &mut self.closed {
            Some(closed) => closed.poll_unpin(cx).is_ready(),
            None => false,
        };
        if !closed {
            return Poll::Pending;
        }
        self.closed = None;
        self._listeners.clear();
        self.receiver.close();
        Poll::Ready(None)
    }
}

impl<T> std::fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream").finish_non_exhaustive()
    }
}

/// Fires once, when a peer connection or channel closes, ending every stream subscribed.
pub(crate) struct CloseSignal {
    sender: RefCell<Option<oneshot::Sender<()>>>,
    receiver: Shared<oneshot::Receiver<()>>,
}

impl CloseSignal {
    pub(crate) fn new() -> Self {
        let (sender, receiver) = oneshot::channel();
        CloseSignal {
            sender: RefCell::new(Some(sender)),
            receiver: receiver.shared(),
        }
    }

    /// Ends every subscribed stream; later calls do nothing.
    pub(crate) fn fire(&self) {
        // Dropping the sender resolves every receiver.
        self.sender.borrow_mut().take();
    }

    pub(crate) fn subscribe(&self) -> Shared<oneshot::Receiver<()>> {
        self.receiver.clone()
    }
}

/// Resolves with the name of whichever of `events` fires first on `target`.
///
/// The listeners are added now, not on first poll, so an event that fires right after the
/// caller checked a state cannot be missed.
pub(crate) fn next_event(
    target: &EventTarget,
    events: &[&'static str],
) -> impl std::future::Future<Output = Option<&'static str>> {
    let (sender, receiver) = mpsc::unbounded();
    let listeners: Vec<EventListener> = events
        .iter()
        .map(|&name| {
            let sender = sender.clone();
            EventListener::once(target, name, move |_| {
                let _ = sender.unbounded_send(name);
            })
        })
        .collect();
    async move {
        let mut receiver = receiver;
        let fired = receiver.next().await;
        drop(listeners);
        fired
    }
}
