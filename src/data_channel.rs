//! Data channels: text and binary messages between peers ([`RTCDataChannel`]).
//!
//! [`RTCDataChannel`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::channel::mpsc;
use futures::lock::Mutex;
use gloo_events::EventListener;
use web_sys::{RtcDataChannel, RtcDataChannelType, RtcPeerConnection};

use crate::error::Error;
use crate::event::{next_event, EventStream};
use crate::sys;
use crate::types::framing::{self, Reassembler};

pub use crate::types::channel::{
    DataChannelOptions, DataChannelState, Message, Oversized, SPLIT_PROTOCOL,
};
pub use crate::types::framing::MAX_REASSEMBLED;

/// The async senders wait while more than this many bytes are queued in the browser.
const HIGH_WATER_MARK: usize = 1024 * 1024;
/// ... and resume when the queue drains to this (`bufferedAmountLowThreshold`).
const LOW_WATER_MARK: u32 = 256 * 1024;
/// The maximum message size to assume when the remote's is unknown (RFC 8841 §6.1).
const DEFAULT_MAX_MESSAGE_SIZE: usize = 64 * 1024;

/// What the channel's event listeners share with the handle.
#[derive(Default)]
struct Shared {
    /// Feeds [`DataChannel::messages`]; taken on close, which ends the stream.
    sender: RefCell<Option<mpsc::UnboundedSender<Message>>>,
    /// The error event's error, reported by [`DataChannel::closed`].
    error: RefCell<Option<Error>>,
    /// Whether the channel is open, kept by its events so that sending need not ask the
    /// browser each time (if it is wrong for a moment, the browser's own check still throws).
    open: Cell<bool>,
    reassembler: RefCell<Reassembler>,
    /// Called with each message instead of `sender`, once [`DataChannel::on_message`] set it.
    listener: RefCell<Option<Listener>>,
    /// Set when the messages end (the channel closed, or its handle is gone).
    ended: Cell<bool>,
    /// Called with each message instead of `sender`, once [`DataChannel::js_messages`] gave
    /// it; taken on close.
    #[cfg(feature = "js-data")]
    js_listener: RefCell<Option<JsListener>>,
}

/// What [`DataChannel::on_message`] calls with each message.
type Listener = Rc<RefCell<dyn FnMut(Message)>>;

/// What [`DataChannel::js_messages`] calls with each message.
#[cfg(feature = "js-data")]
pub(crate) type JsListener = Rc<dyn Fn(wasm_bindgen::JsValue)>;

impl Shared {
    /// Ends the message streams: the channel closed, or its handle is gone.
    fn end_messages(&self) {
        self.ended.set(true);
        self.sender.borrow_mut().take();
        self.listener.borrow_mut().take();
        #[cfg(feature = "js-data")]
        self.js_listener.borrow_mut().take();
    }
}

/// A data channel between two peers ([`RTCDataChannel`]).
///
/// Messages are received from the moment the handle exists, so none is lost before
/// [`messages`](Self::messages) is called. Dropping the handle removes its listeners and
/// closes the channel, unless it was taken back with [`into_raw`](Self::into_raw). It is not `Clone`, because
/// dropping closes: share it through an `Rc`.
///
/// ```no_run
/// use futures::StreamExt;
/// use rtcweb::{DataChannelOptions, Message, PeerConnection};
///
/// # async fn run(pc: &PeerConnection) -> Result<(), rtcweb::Error> {
/// let channel = pc.create_data_channel(&DataChannelOptions::new("chat"))?;
/// channel.opened().await?;
/// channel.send_text("hello").await?;
/// let mut messages = channel.messages();
/// while let Some(message) = messages.next().await {
///     if let Message::Text(text) = message {
///         println!("peer says {text}");
///     }
/// }
/// # Ok(()) }
/// ```
///
/// [`RTCDataChannel`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel
pub struct DataChannel {
    raw: RtcDataChannel,
    pc: Option<RtcPeerConnection>,
    shared: Rc<Shared>,
    receiver: RefCell<Option<mpsc::UnboundedReceiver<Message>>>,
    split: bool,
    own_limit: Option<usize>,
    /// Held while sending, so the parts of a split message never interleave with another.
    send_lock: Mutex<()>,
    close_on_drop: bool,
    /// The remote's maximum message size, read once SCTP is up (it does not change).
    remote_max_message_size: Cell<Option<usize>>,
    /// An upper bound of the browser's `bufferedAmount`: the last value read plus every byte
    /// sent since. The browser only lowers it between tasks, never during one, so while this
    /// bound leaves room a send need not ask (one wasm-to-JS call less per message).
    queued_bound: Cell<usize>,
    _listeners: [EventListener; 4],
}

impl DataChannel {
    pub(crate) fn create(
        pc: &RtcPeerConnection,
        options: &DataChannelOptions,
    ) -> Result<Self, Error> {
        let protocol = options.validate()?;
        let raw = sys::channel::create_data_channel(pc, options, protocol)?;
        let mut channel = DataChannel::wrap(raw, Some(pc.clone()));
        channel.own_limit = options.max_message_size;
        Ok(channel)
    }

    /// Wraps a browser data channel. Without its peer connection the remote's maximum message
    /// size is unknown, so the interoperable 64 KiB is assumed.
    ///
    /// ```no_run
    /// # fn run(raw: web_sys::RtcDataChannel) {
    /// let channel = rtcweb::DataChannel::from_raw(raw);
    /// # }
    /// ```
    pub fn from_raw(raw: RtcDataChannel) -> Self {
        DataChannel::wrap(raw, None)
    }

    pub(crate) fn wrap(raw: RtcDataChannel, pc: Option<RtcPeerConnection>) -> Self {
        // Firefox defaults to Blob, which can only be read asynchronously.
        raw.set_binary_type(RtcDataChannelType::Arraybuffer);
        raw.set_buffered_amount_low_threshold(LOW_WATER_MARK);
        let split = sys::get_string(&raw, "protocol").as_deref() == Some(SPLIT_PROTOCOL);
        let (sender, receiver) = mpsc::unbounded();
        let shared = Rc::new(Shared {
            sender: RefCell::new(Some(sender)),
            open: Cell::new(sys::get_string(&raw, "readyState").as_deref() == Some("open")),
            ..Default::default()
        });

        let on_message = {
            let shared = shared.clone();
            let raw = raw.clone();
            EventListener::new(&raw.clone(), "message", move |event| {
                // Not borrowed during the call: the listener may drop the channel.
                #[cfg(feature = "js-data")]
                if let Some(listener) = shared.js_listener.borrow().clone() {
                    if let Some(data) = sys::channel::message_value(event) {
                        listener(data);
                    }
                    return;
                }
                let Some(message) = sys::channel::message_data(event) else {
                    return;
                };
                let message = if split {
                    match shared.reassembler.borrow_mut().push(message) {
                        Ok(Some(whole)) => whole,
                        Ok(None) => return,
                        Err(err) => {
                            // A peer that breaks the framing would corrupt every later
                            // message: stop here, and say why in `closed()`.
                            shared.error.borrow_mut().get_or_insert(err);
                            raw.close();
                            return;
                        }
                    }
                } else {
                    message
                };
                let listener = shared.listener.borrow().clone();
                if let Some(listener) = listener {
                    // A message event never runs inside another, so the listener is free.
                    if let Ok(mut listener) = listener.try_borrow_mut() {
                        (*listener)(message);
                    }
                    return;
                }
                if let Some(sender) = shared.sender.borrow().as_ref() {
                    let _ = sender.unbounded_send(message);
                }
            })
        };
        let on_error = {
            let shared = shared.clone();
            EventListener::new(&raw, "error", move |event| {
                if let Some(error) = sys::channel::channel_error(event) {
                    shared.error.borrow_mut().get_or_insert(error);
                }
            })
        };
        let on_open = {
            let shared = shared.clone();
            EventListener::new(&raw, "open", move |_| shared.open.set(true))
        };
        let on_close = {
            let shared = shared.clone();
            EventListener::new(&raw, "close", move |_| {
                shared.open.set(false);
                shared.end_messages();
            })
        };

        DataChannel {
            raw,
            pc,
            shared,
            receiver: RefCell::new(Some(receiver)),
            split,
            own_limit: None,
            send_lock: Mutex::new(()),
            close_on_drop: true,
            remote_max_message_size: Cell::new(None),
            queued_bound: Cell::new(0),
            _listeners: [on_message, on_error, on_open, on_close],
        }
    }

    /// The channel's label ([`label`](https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel/label)).
    ///
    /// ```no_run
    /// # fn run(channel: &rtcweb::DataChannel) {
    /// println!("channel {}", channel.label());
    /// # }
    /// ```
    pub fn label(&self) -> String {
        self.raw.label()
    }

    /// The channel's subprotocol ([`protocol`](https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel/protocol)).
    ///
    /// ```no_run
    /// # fn run(channel: &rtcweb::DataChannel) {
    /// let protocol = channel.protocol();
    /// # }
    /// ```
    pub fn protocol(&self) -> String {
        sys::get_string(&self.raw, "protocol").unwrap_or_default()
    }

    /// The SCTP stream id, once assigned ([`id`](https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel/id)).
    ///
    /// ```no_run
    /// # fn run(channel: &rtcweb::DataChannel) {
    /// let id: Option<u16> = channel.id();
    /// # }
    /// ```
    pub fn id(&self) -> Option<u16> {
        self.raw.id()
    }

    /// Whether delivery is ordered ([`ordered`](https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel/ordered)).
    ///
    /// ```no_run
    /// # fn run(channel: &rtcweb::DataChannel) {
    /// let ordered = channel.ordered();
    /// # }
    /// ```
    pub fn ordered(&self) -> bool {
        sys::get(&self.raw, "ordered").as_bool().unwrap_or(true)
    }

    /// The retransmission limit, for a partially reliable channel.
    ///
    /// ```no_run
    /// # fn run(channel: &rtcweb::DataChannel) {
    /// let limit: Option<u16> = channel.max_retransmits();
    /// # }
    /// ```
    pub fn max_retransmits(&self) -> Option<u16> {
        self.raw.max_retransmits()
    }

    /// The lifetime limit in milliseconds, for a partially reliable channel.
    ///
    /// ```no_run
    /// # fn run(channel: &rtcweb::DataChannel) {
    /// let limit: Option<u16> = channel.max_packet_life_time();
    /// # }
    /// ```
    pub fn max_packet_life_time(&self) -> Option<u16> {
        self.raw.max_packet_life_time()
    }

    /// Whether the channel was negotiated out of band.
    ///
    /// ```no_run
    /// # fn run(channel: &rtcweb::DataChannel) {
    /// let negotiated = channel.negotiated();
    /// # }
    /// ```
    pub fn negotiated(&self) -> bool {
        sys::get(&self.raw, "negotiated").as_bool().unwrap_or(false)
    }

    /// The channel's state ([`readyState`](https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel/readyState)).
    ///
    /// ```no_run
    /// # fn run(channel: &rtcweb::DataChannel) {
    /// if channel.ready_state() == rtcweb::data_channel::DataChannelState::Open { /* ... */ }
    /// # }
    /// ```
    pub fn ready_state(&self) -> DataChannelState {
        sys::state(&self.raw, "readyState").unwrap_or(DataChannelState::Closed)
    }

    /// Bytes queued in the browser and not yet sent ([`bufferedAmount`](https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel/bufferedAmount)).
    ///
    /// ```no_run
    /// # fn run(channel: &rtcweb::DataChannel) {
    /// println!("{} bytes waiting", channel.buffered_amount());
    /// # }
    /// ```
    pub fn buffered_amount(&self) -> usize {
        self.raw.buffered_amount() as usize
    }

    /// The largest message this channel sends whole: the remote's maximum message size, or the
    /// channel's own lower limit. With [`Oversized::Split`] larger messages are split.
    ///
    /// ```no_run
    /// # fn run(channel: &rtcweb::DataChannel) {
    /// let max = channel.max_message_size();
    /// # }
    /// ```
    pub fn max_message_size(&self) -> usize {
        let remote = match self.remote_max_message_size.get() {
            Some(known) => known,
            None => {
                let read = self.pc.as_ref().and_then(sys::peer::max_message_size);
                self.remote_max_message_size.set(read);
                read.unwrap_or(DEFAULT_MAX_MESSAGE_SIZE)
            }
        };
        self.own_limit.map_or(remote, |own| own.min(remote))
    }

    /// Resolves once the channel is open.
    ///
    /// # Errors
    /// [`Error::InvalidState`] when the channel closes (or was closed) instead.
    ///
    /// # Cancellation
    /// Dropping the future only stops waiting.
    ///
    /// ```no_run
    /// # async fn run(channel: &rtcweb::DataChannel) -> Result<(), rtcweb::Error> {
    /// channel.opened().await?;
    /// # Ok(()) }
    /// ```
    pub async fn opened(&self) -> Result<(), Error> {
        loop {
            match self.ready_state() {
                DataChannelState::Open => return Ok(()),
                DataChannelState::Connecting => {
                    next_event(&self.raw, &["open", "close", "error"]).await;
                }
                DataChannelState::Closing | DataChannelState::Closed => {
                    return Err(self.closed_error("the data channel closed before it opened"))
                }
            }
        }
    }

    /// Resolves once the channel is closed, by either side.
    ///
    /// # Errors
    /// The error that closed the channel, if one did (an `error` event, or a broken split
    /// framing from the remote).
    ///
    /// ```no_run
    /// # async fn run(channel: &rtcweb::DataChannel) {
    /// if let Err(err) = channel.closed().await {
    ///     eprintln!("channel failed: {err}");
    /// }
    /// # }
    /// ```
    pub async fn closed(&self) -> Result<(), Error> {
        while self.ready_state() != DataChannelState::Closed {
            next_event(&self.raw, &["close"]).await;
        }
        match self.shared.error.borrow().clone() {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }

    /// The incoming messages, text and binary, in the order received; the stream ends when the
    /// channel closes.
    ///
    /// There is one stream per channel: it holds every message since the handle was made. A
    /// second call returns a stream that has already ended.
    ///
    /// ```no_run
    /// use futures::StreamExt;
    ///
    /// # async fn run(channel: &rtcweb::DataChannel) {
    /// let mut messages = channel.messages();
    /// while let Some(message) = messages.next().await {
    ///     println!("{} bytes", message.len());
    /// }
    /// # }
    /// ```
    pub fn messages(&self) -> EventStream<Message> {
        EventStream::take_once(&self.receiver, None)
    }

    /// Calls `listener` with each message, text and binary, in the order received, from the
    /// browser's `message` event itself. It takes the messages in place of
    /// [`messages`](Self::messages), whose reader's task is woken for each one: the faster way
    /// to take many small messages. Those already queued are passed to `listener` before this
    /// returns, and the stream ends. The calls stop when the returned [`MessageListener`] is
    /// dropped or the channel closes; later messages are not kept.
    ///
    /// ```no_run
    /// # fn run(channel: &rtcweb::DataChannel) {
    /// let mut count = 0;
    /// let listener = channel.on_message(move |message| {
    ///     count += 1;
    ///     println!("message {count}: {} bytes", message.len());
    /// });
    /// // Keep `listener` for as long as the calls should go on.
    /// # drop(listener);
    /// # }
    /// ```
    pub fn on_message(&self, listener: impl FnMut(Message) + 'static) -> MessageListener {
        let listener: Listener = Rc::new(RefCell::new(listener));
        for message in self.take_queued().unwrap_or_default() {
            if let Ok(mut listener) = listener.try_borrow_mut() {
                (*listener)(message);
            }
        }
        if !self.shared.ended.get() {
            *self.shared.listener.borrow_mut() = Some(listener.clone());
        }
        MessageListener {
            shared: Rc::downgrade(&self.shared),
            listener,
        }
    }

    /// [`messages`](Self::messages) for the JS API: returns the messages queued so far, and
    /// calls `listener` with each later one, from the browser's event, as JS received it
    /// ([`sys::channel::message_value`]), so that it is never copied into wasm and out again,
    /// nor waits for a task. `listener` is dropped when the channel closes. `None` on a
    /// splitting channel, whose parts are put together here, or once the stream was taken.
    #[cfg(feature = "js-data")]
    pub(crate) fn js_messages(&self, listener: JsListener) -> Option<Vec<Message>> {
        if self.split {
            return None;
        }
        let queued = self.take_queued()?;
        if !self.shared.ended.get() {
            *self.shared.js_listener.borrow_mut() = Some(listener);
        }
        Some(queued)
    }

    /// Ends the [`messages`](Self::messages) stream for a listener: the messages queued in it so
    /// far, or `None` once the stream was taken.
    fn take_queued(&self) -> Option<Vec<Message>> {
        // Later messages go to the listener, or nowhere.
        self.shared.sender.borrow_mut().take();
        let mut queue = self.receiver.borrow_mut().take()?;
        let mut queued = Vec::new();
        while let Ok(message) = queue.try_recv() {
            queued.push(message);
        }
        Some(queued)
    }

    /// Sends text now, without waiting for the browser's queue to drain.
    ///
    /// # Errors
    /// [`Error::InvalidState`] when the channel is not open, [`Error::MessageTooLarge`] above
    /// [`max_message_size`](Self::max_message_size) unless splitting, [`Error::Operation`] when
    /// the browser's queue is full.
    ///
    /// ```no_run
    /// # fn run(channel: &rtcweb::DataChannel) -> Result<(), rtcweb::Error> {
    /// channel.try_send_text("ping")?;
    /// # Ok(()) }
    /// ```
    pub fn try_send_text(&self, text: &str) -> Result<(), Error> {
        let _guard = self.try_lock()?;
        self.plan(text.len(), || {
            framing::split_text(text, self.max_message_size())
        })?
        .map_or_else(
            || {
                self.send_counted(text.len(), || {
                    sys::channel::channel_send_str(&self.raw, text)
                })
            },
            |frames| self.send_frames_now(&frames),
        )
    }

    /// Sends bytes now, without waiting for the browser's queue to drain.
    ///
    /// # Errors
    /// As [`try_send_text`](Self::try_send_text).
    ///
    /// ```no_run
    /// # fn run(channel: &rtcweb::DataChannel) -> Result<(), rtcweb::Error> {
    /// channel.try_send_bytes(&[1, 2, 3])?;
    /// # Ok(()) }
    /// ```
    pub fn try_send_bytes(&self, bytes: &[u8]) -> Result<(), Error> {
        let _guard = self.try_lock()?;
        self.plan(bytes.len(), || {
            framing::split_binary(bytes, self.max_message_size())
        })?
        .map_or_else(
            || {
                self.send_counted(bytes.len(), || {
                    sys::channel::channel_send_bytes(&self.raw, bytes)
                })
            },
            |frames| self.send_frames_now(&frames),
        )
    }

    /// Sends text once the browser's queue has room, so a fast sender never overflows it.
    ///
    /// Concurrent sends keep their order of calling.
    ///
    /// # Errors
    /// As [`try_send_text`](Self::try_send_text); also [`Error::InvalidState`] when the channel
    /// closes while waiting.
    ///
    /// # Cancellation
    /// Dropping the future before it resolves may leave the message unsent. On a splitting
    /// channel it may leave a message half sent, which the remote then reports as a framing
    /// error: let sends of split messages finish.
    ///
    /// ```no_run
    /// # async fn run(channel: &rtcweb::DataChannel) -> Result<(), rtcweb::Error> {
    /// for i in 0..10_000 {
    ///     channel.send_text(&format!("message {i}")).await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send_text(&self, text: &str) -> Result<(), Error> {
        let _guard = self.send_lock.lock().await;
        match self.plan(text.len(), || {
            framing::split_text(text, self.max_message_size())
        })? {
            None => {
                self.wait_for_room(text.len()).await?;
                self.send_counted(text.len(), || {
                    sys::channel::channel_send_str(&self.raw, text)
                })
            }
            Some(frames) => self.send_frames(&frames).await,
        }
    }

    /// Sends bytes once the browser's queue has room.
    ///
    /// # Errors
    /// As [`send_text`](Self::send_text).
    ///
    /// ```no_run
    /// # async fn run(channel: &rtcweb::DataChannel) -> Result<(), rtcweb::Error> {
    /// channel.send_bytes(&vec![0u8; 1 << 20]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn send_bytes(&self, bytes: &[u8]) -> Result<(), Error> {
        let _guard = self.send_lock.lock().await;
        match self.plan(bytes.len(), || {
            framing::split_binary(bytes, self.max_message_size())
        })? {
            None => {
                self.wait_for_room(bytes.len()).await?;
                self.send_counted(bytes.len(), || {
                    sys::channel::channel_send_bytes(&self.raw, bytes)
                })
            }
            Some(frames) => self.send_frames(&frames).await,
        }
    }

    /// Sends the bytes of a JS array now, without copying them into wasm memory, when that
    /// is what [`send_bytes`](Self::send_bytes) would do at once: no send waiting before
    /// it, room under the high-water mark, no splitting. `None` when it would wait (the
    /// caller then copies the bytes, which may change meanwhile, and awaits).
    #[cfg(feature = "js-data")]
    pub(crate) fn send_view_now(
        &self,
        view: &js_sys::Uint8Array,
        size: usize,
    ) -> Option<Result<(), Error>> {
        if self.split || !self.has_room(size) {
            return None;
        }
        let _guard = self.send_lock.try_lock()?;
        Some(self.send_view(view, size))
    }

    /// [`try_send_bytes`](Self::try_send_bytes) of the bytes of a JS array, without copying
    /// them into wasm memory. `None` on a splitting channel (the caller then copies them).
    #[cfg(feature = "js-data")]
    pub(crate) fn try_send_view(
        &self,
        view: &js_sys::Uint8Array,
        size: usize,
    ) -> Option<Result<(), Error>> {
        if self.split {
            return None;
        }
        Some(
            self.try_lock()
                .and_then(|_guard| self.send_view(view, size)),
        )
    }

    /// Sends a JS array's bytes whole, on a channel that does not split.
    #[cfg(feature = "js-data")]
    fn send_view(&self, view: &js_sys::Uint8Array, size: usize) -> Result<(), Error> {
        self.plan(size, Vec::new)?;
        self.send_counted(size, || sys::channel::channel_send_view(&self.raw, view))
    }

    /// Closes the channel ([`close`](https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel/close));
    /// the other side sees it close too.
    ///
    /// ```no_run
    /// # async fn run(channel: &rtcweb::DataChannel) {
    /// channel.close();
    /// let _ = channel.closed().await;
    /// # }
    /// ```
    pub fn close(&self) {
        self.shared.open.set(false);
        self.raw.close();
    }

    /// The browser's channel, to use APIs this crate does not wrap.
    ///
    /// ```no_run
    /// # fn run(channel: &rtcweb::DataChannel) {
    /// let raw: &web_sys::RtcDataChannel = channel.as_raw();
    /// # }
    /// ```
    pub fn as_raw(&self) -> &RtcDataChannel {
        &self.raw
    }

    /// Gives up the handle without closing the channel: the listeners are removed and the
    /// browser's channel is returned, still open.
    ///
    /// ```no_run
    /// # fn run(channel: rtcweb::DataChannel) {
    /// let raw = channel.into_raw();
    /// # }
    /// ```
    pub fn into_raw(mut self) -> RtcDataChannel {
        self.close_on_drop = false;
        self.raw.clone()
    }

    /// Decides how a payload goes out: `None` to send it whole, or its split frames.
    fn plan(
        &self,
        size: usize,
        split: impl FnOnce() -> Vec<Message>,
    ) -> Result<Option<Vec<Message>>, Error> {
        self.check_open()?;
        // In split mode every message is framed, so the receiver can always tell.
        if self.split {
            return Ok(Some(split()));
        }
        let max = self.max_message_size();
        if size > max {
            return Err(Error::MessageTooLarge { size, max });
        }
        Ok(None)
    }

    fn check_open(&self) -> Result<(), Error> {
        // The flag kept by the channel's events, so that a send need not read `readyState`
        // (a string, so several wasm-boundary crossings and a copy). When it is wrong for a
        // moment the browser's send throws InvalidStateError itself; when it says closed,
        // the browser has the last word.
        if self.shared.open.get() {
            return Ok(());
        }
        match self.ready_state() {
            DataChannelState::Open => Ok(()),
            state => Err(Error::InvalidState(format!(
                "the data channel is {state}, not open"
            ))),
        }
    }

    /// Why the channel is unusable: the error that closed it, or `fallback`.
    fn closed_error(&self, fallback: &str) -> Error {
        self.shared
            .error
            .borrow()
            .clone()
            .unwrap_or_else(|| Error::InvalidState(fallback.into()))
    }

    fn try_lock(&self) -> Result<futures::lock::MutexGuard<'_, ()>, Error> {
        self.send_lock.try_lock().ok_or_else(|| {
            Error::InvalidState("an async send on this channel is still waiting".into())
        })
    }

    /// Whether `size` more bytes fit under the high-water mark, known without asking the
    /// browser: the upper bound of its queue leaves room.
    fn has_room(&self, size: usize) -> bool {
        self.queued_bound.get() + size <= HIGH_WATER_MARK
    }

    /// Waits until `size` more bytes fit under the high-water mark (or the queue is empty).
    async fn wait_for_room(&self, size: usize) -> Result<(), Error> {
        if self.has_room(size) {
            return self.check_open();
        }
        loop {
            self.check_open()?;
            let queued = self.buffered_amount();
            self.queued_bound.set(queued);
            if queued == 0 || queued + size <= HIGH_WATER_MARK {
                return Ok(());
            }
            next_event(&self.raw, &["bufferedamountlow", "close", "error"]).await;
        }
    }

    /// Runs `send` (of `size` bytes), counting them into the queue's upper bound.
    fn send_counted(
        &self,
        size: usize,
        send: impl FnOnce() -> Result<(), Error>,
    ) -> Result<(), Error> {
        send()?;
        self.queued_bound
            .set(self.queued_bound.get().saturating_add(size));
        Ok(())
    }

    async fn send_frames(&self, frames: &[Message]) -> Result<(), Error> {
        for frame in frames {
            self.wait_for_room(frame.len()).await?;
            self.send_raw(frame)?;
        }
        Ok(())
    }

    fn send_frames_now(&self, frames: &[Message]) -> Result<(), Error> {
        frames.iter().try_for_each(|frame| self.send_raw(frame))
    }

    fn send_raw(&self, frame: &Message) -> Result<(), Error> {
        self.send_counted(frame.len(), || match frame {
            Message::Text(text) => sys::channel::channel_send_str(&self.raw, text),
            Message::Binary(bytes) => sys::channel::channel_send_bytes(&self.raw, bytes),
        })
    }
}

impl Drop for DataChannel {
    fn drop(&mut self) {
        // The listeners go with the fields; ending the message stream must not wait for a
        // `close` event that no listener will see.
        self.shared.end_messages();
        if self.close_on_drop {
            self.raw.close();
        }
    }
}

/// The calls of a [`DataChannel::on_message`] listener: they stop when this is dropped.
///
/// ```no_run
/// # fn run(channel: &rtcweb::DataChannel) {
/// let listener = channel.on_message(|message| println!("{message:?}"));
/// drop(listener); // no more calls
/// # }
/// ```
#[must_use = "the listener is called only while this is kept"]
pub struct MessageListener {
    shared: std::rc::Weak<Shared>,
    listener: Listener,
}

impl Drop for MessageListener {
    fn drop(&mut self) {
        if let Some(shared) = self.shared.upgrade() {
            let mut current = shared.listener.borrow_mut();
            if current
                .as_ref()
                .is_some_and(|l| Rc::ptr_eq(l, &self.listener))
            {
                current.take();
            }
        }
    }
}

impl std::fmt::Debug for MessageListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageListener").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for DataChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataChannel")
            .field("label", &self.label())
            .field("ready_state", &self.ready_state())
            .finish_non_exhaustive()
    }
}
