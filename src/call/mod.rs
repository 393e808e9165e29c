//! A call in a few lines: join a room, and get connected peers.
//!
//! [`Call::join`] joins a room of a [`Database`] (rtcweb-signal or a real Firebase Realtime
//! Database) and connects to every other peer in it, one peer connection per pair (a full
//! mesh). Each connection negotiates by itself with perfect negotiation (the polite side is
//! chosen from the two peer ids), trickles ICE both ways through the room, restarts ICE on the
//! schedule of a [`ReconnectPolicy`] when connectivity is lost, and says goodbye in-band when
//! the call hangs up. Everything that happens arrives as a [`CallEvent`] on
//! [`Call::events`].
//!
//! ```no_run
//! use futures::StreamExt;
//! use rtcweb::call::{Call, CallEvent, CallOptions, PeerState};
//! use rtcweb::signaling::Database;
//! use rtcweb::Message;
//!
//! # async fn run() -> Result<(), rtcweb::Error> {
//! let db = Database::new("http://127.0.0.1:8080");
//! let call = Call::join(&db, "abc", CallOptions::default()).await?;
//! let mut events = call.events();
//! while let Some(event) = events.next().await {
//!     match event {
//!         CallEvent::PeerState { peer, state: PeerState::Connected } => {
//!             call.send(&peer, &Message::Text("hello".into())).await?;
//!         }
//!         CallEvent::Message { peer, message, .. } => println!("{peer}: {message:?}"),
//!         CallEvent::PeerState { peer, state: PeerState::Left(reason) } => {
//!             println!("{peer} left: {reason:?}");
//!         }
//!         _ => {}
//!     }
//! }
//! call.hang_up().await?;
//! # Ok(()) }
//! ```
//!
//! ## The room
//! Each peer announces itself under `presence/{peerId}` with server timestamps and a session
//! id of this join, and beats every [`CallOptions::heartbeat_ms`]. Messages for one peer go to
//! `mesh/{to}/{from}/{pushId}`. One streaming subscription reads the whole room (calls of one
//! page in the same room share it), so a call holds one connection to the database whatever
//! the number of peers. A peer whose heartbeat stops for [`CallOptions::stale_after_ms`] while
//! its connection is not up (or silent in-band as long) is reported [`LeaveReason::TimedOut`].

mod feed;
mod lifecycle;
mod negotiation;
mod peer;
mod schema;

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use futures::channel::mpsc;
use futures::StreamExt;
use gloo_events::EventListener;
use litemap::LiteMap;
use rtcweb_protocol::push_id::PushIds;
use serde_json::Value;
use wasm_bindgen_futures::spawn_local;

pub use lifecycle::{LeaveReason, PeerState, ReconnectPolicy};
pub use negotiation::is_polite;

use crate::data_channel::{DataChannelOptions, Message};
use crate::error::Error;
use crate::event::EventStream;
use crate::media::{LocalMedia, MediaStream, MediaTrack, RemoteTrack};
use crate::peer::{Configuration, PeerConnection};
use crate::signaling::{Database, DatabaseEvent, Room, SignalingError};
use crate::sys;
use feed::Feed;
use peer::RemotePeer;
use schema::{Envelope, Inbox, Roster, RosterChange, Signal};

/// How often the call looks at its deadlines (reconnects, staleness).
const TICK_MS: u32 = 250;

/// How to join a call.
///
/// ```
/// use rtcweb::call::{CallOptions, ReconnectPolicy};
/// use rtcweb::DataChannelOptions;
///
/// let options = CallOptions {
///     peer_id: Some("alice".into()),
///     channels: vec![DataChannelOptions::new("chat"), DataChannelOptions::new("state").unordered()],
///     reconnect: ReconnectPolicy { delays_ms: vec![0, 1000, 5000], ..Default::default() },
///     ..CallOptions::default()
/// };
/// assert_eq!(options.heartbeat_ms, 5000);
/// ```
#[derive(Debug)]
pub struct CallOptions {
    /// Camera, microphone or screen to send to every peer (the call owns it: its tracks stop
    /// when the call is dropped).
    pub media: Option<LocalMedia>,
    /// The data channels to open with every peer, by label and options. They are created
    /// negotiated (ids 1, 2, ... in this order), so every peer of the room must ask for the
    /// same list. By default one reliable, ordered channel labelled `"data"`.
    pub channels: Vec<DataChannelOptions>,
    /// ICE servers and policies for every connection.
    pub configuration: Configuration,
    /// This peer's id in the room; a random one by default.
    pub peer_id: Option<String>,
    /// When to restart ICE, and when to give up.
    pub reconnect: ReconnectPolicy,
    /// How often presence is refreshed and connected peers are pinged in-band, in
    /// milliseconds. A connection silent for a heartbeat plus the reconnect policy's
    /// `disconnected_grace_ms` counts as lost.
    pub heartbeat_ms: u32,
    /// How long a peer's presence may go without a heartbeat, while its connection is not
    /// up, before it is reported [`LeaveReason::TimedOut`].
    ///
    /// The bound for a peer that vanishes (no bye, no heartbeat, no close): it is reported at
    /// the first tick (every 250 ms) at which its presence is stale and its connection is not
    /// up: `disconnected`, reconnecting at any attempt of the [`ReconnectPolicy`], or
    /// `connected` but silent in-band for as long (the call pings every peer on its control
    /// channel every [`heartbeat_ms`](Self::heartbeat_ms); browsers may keep a dead
    /// connection `connected` for long). So at most `stale_after_ms` + 250 ms after it
    /// vanished, 15.25 s by default, whatever the browser's consent checks say. A connected
    /// peer that is still heard stays, whatever its heartbeat.
    pub stale_after_ms: u32,
}

impl Default for CallOptions {
    fn default() -> Self {
        CallOptions {
            media: None,
            channels: vec![DataChannelOptions::new("data")],
            configuration: Configuration::default(),
            peer_id: None,
            reconnect: ReconnectPolicy::default(),
            heartbeat_ms: 5_000,
            stale_after_ms: 15_000,
        }
    }
}

/// What happens in a call.
///
/// ```
/// use rtcweb::call::{CallEvent, PeerState};
/// let event = CallEvent::PeerState { peer: "bob".into(), state: PeerState::Connected };
/// assert_eq!(event.peer(), "bob");
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum CallEvent {
    /// A peer arrived in the room; a connection to it starts.
    PeerJoined {
        /// Its id.
        peer: String,
    },
    /// A peer's state changed.
    PeerState {
        /// Its id.
        peer: String,
        /// The new state.
        state: PeerState,
    },
    /// A message from a peer.
    Message {
        /// The sender's id.
        peer: String,
        /// The label of the channel it came on.
        channel: String,
        /// The message.
        message: Message,
    },
    /// A track from a peer.
    Track {
        /// The sender's id.
        peer: String,
        /// The track and its streams.
        track: RemoteTrack,
    },
    /// Something a peer sent could not be used (a bad description or candidate), or a
    /// negotiation step failed. The call, and that peer's connection, go on.
    Error {
        /// The peer concerned.
        peer: String,
        /// What went wrong.
        error: Error,
    },
}

impl CallEvent {
    /// The peer the event is about.
    ///
    /// ```
    /// let e = rtcweb::call::CallEvent::PeerJoined { peer: "a".into() };
    /// assert_eq!(e.peer(), "a");
    /// ```
    pub fn peer(&self) -> &str {
        match self {
            CallEvent::PeerJoined { peer }
            | CallEvent::PeerState { peer, .. }
            | CallEvent::Message { peer, .. }
            | CallEvent::Track { peer, .. }
            | CallEvent::Error { peer, .. } => peer,
        }
    }
}

/// What every peer of the call shares: who we are, where events and messages go.
pub(crate) struct Context {
    me: String,
    session: String,
    configuration: Configuration,
    channels: Vec<DataChannelOptions>,
    policy: ReconnectPolicy,
    /// How often presence is refreshed (and peers pinged in-band).
    heartbeat_ms: u32,
    /// How long a peer may go unheard before it may be judged gone.
    stale_after_ms: u32,
    events: RefCell<Option<mpsc::UnboundedSender<CallEvent>>>,
    outbox: mpsc::UnboundedSender<(String, Envelope)>,
}

impl Context {
    fn emit(&self, event: CallEvent) {
        if let Some(events) = self.events.borrow().as_ref() {
            let _ = events.unbounded_send(event);
        }
    }

    fn send(&self, to: &str, to_session: &str, signal: Signal) {
        let _ = self.outbox.unbounded_send((
            to.to_owned(),
            Envelope {
                from: self.session.clone(),
                to: to_session.to_owned(),
                signal,
            },
        ));
    }
}

/// Milliseconds on the page's clock.
pub(crate) fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn random_id(prefix: &str) -> String {
    let n = (js_sys::Math::random() * 2f64.powi(52)) as u64;
    let mut digits = String::new();
    let mut rest = n;
    while rest > 0 {
        let d = (rest % 36) as u32;
        digits.push(char::from_digit(d, 36).unwrap_or('0'));
        rest /= 36;
    }
    format!("{prefix}{digits}")
}

struct Inner {
    ctx: Rc<Context>,
    room: Room,
    feed: Rc<Feed>,
    peers: RefCell<LiteMap<String, Rc<RemotePeer>>>,
    roster: RefCell<Roster>,
    inbox: RefCell<Inbox>,
    /// The room as this call has read it.
    room_value: RefCell<Value>,
    tracks: RefCell<Vec<(MediaTrack, MediaStream)>>,
    heartbeat_ms: u32,
    closed: Cell<bool>,
    /// Held while a message or a heartbeat is on its way to the room, so that leaving removes
    /// our entries only after the last write has landed (two requests in flight may be applied
    /// in either order, and a late write would stay in the room).
    writing: Rc<futures::lock::Mutex<()>>,
    _media: Option<LocalMedia>,
}

/// A call: this page's peer in a room, connected to every other.
///
/// Dropping it hangs up, best effort (a bye to every peer, its entries removed from the room
/// in the background; nothing panics); [`hang_up`](Self::hang_up) does the same and reports
/// errors. When the page goes away (`pagehide`) it says bye and removes its entries with
/// `keepalive` requests. Not `Clone`: share it through an `Rc`.
///
/// ```no_run
/// use rtcweb::call::{Call, CallOptions};
/// # async fn run(db: rtcweb::signaling::Database) -> Result<(), rtcweb::Error> {
/// let call = Call::join(&db, "abc", CallOptions::default()).await?;
/// println!("joined as {}", call.id());
/// call.broadcast(&rtcweb::Message::Text("hi all".into())).await;
/// # Ok(()) }
/// ```
pub struct Call {
    inner: Rc<Inner>,
    events: RefCell<Option<mpsc::UnboundedReceiver<CallEvent>>>,
    _pagehide: Option<EventListener>,
    _online: Option<EventListener>,
}

impl Call {
    /// Joins room `room_id` of `db`: announces this peer, and returns once the room is joined
    /// (the peers already there arrive as [`CallEvent::PeerJoined`] right after).
    ///
    /// # Errors
    /// [`SignalingError::InvalidPath`] for a bad room or peer id; the database's errors
    /// (unreachable, permission denied); the errors of [`Configuration::validate`].
    ///
    /// # Cancellation
    /// Dropping the future before it resolves leaves this peer's presence in the room until
    /// it goes stale.
    ///
    /// ```no_run
    /// # async fn run(db: rtcweb::signaling::Database) -> Result<(), rtcweb::Error> {
    /// let media = rtcweb::get_user_media(&rtcweb::MediaConstraints::audio_video()).await?;
    /// let options = rtcweb::call::CallOptions { media: Some(media), ..Default::default() };
    /// let call = rtcweb::call::Call::join(&db, "abc", options).await?;
    /// # Ok(()) }
    /// ```
    pub async fn join(db: &Database, room_id: &str, options: CallOptions) -> Result<Call, Error> {
        options.configuration.validate()?;
        let room = Room::new(db, room_id)?;
        let me = options.peer_id.clone().unwrap_or_else(|| random_id("p"));
        room.mesh(&me, &me)?;
        let session = random_id("s");
        let (feed, mut changes) = Feed::listen(&room)?;
        room.announce(&me, &session).await?;

        // Read the room until it shows us in it: then it is joined.
        let mut room_value = Value::Null;
        loop {
            match changes.next().await {
                Some(Ok(event)) => event.apply(&mut room_value),
                Some(Err(err)) => return Err(err),
                None => {
                    return Err(SignalingError::Cancelled("the room's stream ended".into()).into())
                }
            }
            let mine = room_value
                .get(schema::PRESENCE)
                .and_then(|p| p.get(&me))
                .and_then(|p| p.get(rtcweb_protocol::schema::SESSION))
                .and_then(Value::as_str);
            if mine == Some(session.as_str()) {
                break;
            }
        }

        let (events_tx, events_rx) = mpsc::unbounded();
        let (outbox, outgoing) = mpsc::unbounded();
        let ctx = Rc::new(Context {
            me: me.clone(),
            session: session.clone(),
            configuration: options.configuration.clone(),
            channels: options.channels.clone(),
            policy: options.reconnect.clone(),
            heartbeat_ms: options.heartbeat_ms.max(TICK_MS),
            stale_after_ms: options.stale_after_ms,
            events: RefCell::new(Some(events_tx)),
            outbox,
        });
        let tracks = options
            .media
            .as_ref()
            .map(|media| {
                media
                    .tracks()
                    .into_iter()
                    .map(|t| (t, media.stream().clone()))
                    .collect()
            })
            .unwrap_or_default();
        let inner = Rc::new(Inner {
            ctx,
            room,
            feed,
            peers: RefCell::new(LiteMap::new()),
            roster: RefCell::new(Roster::new(&me, options.stale_after_ms)),
            inbox: RefCell::new(Inbox::default()),
            room_value: RefCell::new(room_value),
            tracks: RefCell::new(tracks),
            heartbeat_ms: options.heartbeat_ms.max(TICK_MS),
            closed: Cell::new(false),
            writing: Rc::default(),
            _media: options.media,
        });
        inner.read_room(true, true);
        let weak = Rc::downgrade(&inner);
        spawn_local(read_changes(weak.clone(), changes));
        spawn_local(write_messages(weak.clone(), outgoing));
        spawn_local(tick(weak.clone()));
        // Not awaiting anything (no writing lock): the page may be gone at the next task.
        let pagehide = EventListener::new(&sys::net::global_target(), "pagehide", {
            let weak = weak.clone();
            move |_| {
                if let Some(inner) = weak.upgrade() {
                    inner.leave_now();
                }
            }
        });
        // The network is back: peers that are reconnecting restart now, not at their next
        // scheduled attempt.
        let online = EventListener::new(&sys::net::global_target(), "online", move |_| {
            if let Some(inner) = weak.upgrade() {
                let peers: Vec<Rc<RemotePeer>> = inner.peers.borrow().values().cloned().collect();
                let now = now_ms();
                for peer in peers {
                    peer.online(now);
                }
            }
        });
        Ok(Call {
            inner,
            events: RefCell::new(Some(events_rx)),
            _pagehide: Some(pagehide),
            _online: Some(online),
        })
    }

    /// This peer's id in the room.
    ///
    /// ```no_run
    /// # fn run(call: &rtcweb::call::Call) {
    /// println!("I am {}", call.id());
    /// # }
    /// ```
    pub fn id(&self) -> &str {
        &self.inner.ctx.me
    }

    /// Everything that happens in the call, in order; it ends when the call hangs up.
    ///
    /// There is one such stream per call, holding every event since the join; a second call
    /// returns a stream that has already ended.
    ///
    /// ```no_run
    /// use futures::StreamExt;
    /// # async fn run(call: &rtcweb::call::Call) {
    /// let mut events = call.events();
    /// while let Some(event) = events.next().await {
    ///     println!("{event:?}");
    /// }
    /// # }
    /// ```
    pub fn events(&self) -> EventStream<CallEvent> {
        EventStream::take_once(&self.events, None)
    }

    /// The peers in the call now (joined and not left), connected or not.
    ///
    /// ```no_run
    /// # fn run(call: &rtcweb::call::Call) {
    /// println!("{} others here", call.peers().len());
    /// # }
    /// ```
    pub fn peers(&self) -> Vec<String> {
        self.inner
            .peers
            .borrow()
            .values()
            .filter(|p| !p.is_left())
            .map(|p| p.id.clone())
            .collect()
    }

    /// The connection to `peer`, to use what the call does not wrap (stats, transceivers).
    ///
    /// ```no_run
    /// # async fn run(call: &rtcweb::call::Call) -> Result<(), rtcweb::Error> {
    /// if let Some(pc) = call.peer_connection("bob") {
    ///     println!("{}", pc.signaling_state());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn peer_connection(&self, peer: &str) -> Option<Rc<PeerConnection>> {
        self.inner.peers.borrow().get(peer).map(|p| p.pc.clone())
    }

    /// Sends `message` to `peer` on the first data channel of [`CallOptions::channels`].
    ///
    /// # Errors
    /// [`Error::NotFound`] for a peer not in the call; as
    /// [`DataChannel::send_text`](crate::DataChannel::send_text) (the channel
    /// not open yet, or closed).
    ///
    /// ```no_run
    /// # async fn run(call: &rtcweb::call::Call) -> Result<(), rtcweb::Error> {
    /// call.send("bob", &rtcweb::Message::Text("hi".into())).await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(&self, peer: &str, message: &Message) -> Result<(), Error> {
        self.send_on(None, peer, message).await
    }

    /// Sends `message` to `peer` on the channel labelled `channel` (the first when `None`).
    ///
    /// # Errors
    /// As [`send`](Self::send); [`Error::NotFound`] for a label not in the options.
    ///
    /// ```no_run
    /// # async fn run(call: &rtcweb::call::Call) -> Result<(), rtcweb::Error> {
    /// call.send_on(Some("state"), "bob", &rtcweb::Message::Binary(vec![1])).await?;
    /// # Ok(()) }
    /// ```
    pub async fn send_on(
        &self,
        channel: Option<&str>,
        peer: &str,
        message: &Message,
    ) -> Result<(), Error> {
        let remote = self
            .inner
            .peers
            .borrow()
            .get(peer)
            .filter(|p| !p.is_left())
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("no peer {peer:?} in the call")))?;
        let channel = remote
            .channel(channel)
            .ok_or_else(|| Error::NotFound(format!("no data channel {channel:?}")))?;
        match message {
            Message::Text(text) => channel.send_text(text).await,
            Message::Binary(bytes) => channel.send_bytes(bytes).await,
        }
    }

    /// Sends `message` to every peer in the call, and returns the peers it could not reach.
    ///
    /// ```no_run
    /// # async fn run(call: &rtcweb::call::Call) {
    /// let missed = call.broadcast(&rtcweb::Message::Text("hi all".into())).await;
    /// # }
    /// ```
    pub async fn broadcast(&self, message: &Message) -> Vec<(String, Error)> {
        let mut missed = Vec::new();
        for peer in self.peers() {
            if let Err(err) = self.send(&peer, message).await {
                missed.push((peer, err));
            }
        }
        missed
    }

    /// Sends `track` (in `stream`) to every peer, now and as they join; each connection
    /// renegotiates by itself.
    ///
    /// # Errors
    /// As [`PeerConnection::add_track`]; peers before the failing one keep the track.
    ///
    /// ```no_run
    /// # async fn run(call: &rtcweb::call::Call) -> Result<(), rtcweb::Error> {
    /// let screen = rtcweb::media::get_display_media(&rtcweb::MediaConstraints::video_only()).await?;
    /// for track in screen.tracks() {
    ///     call.add_track(&track, screen.stream())?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn add_track(&self, track: &MediaTrack, stream: &MediaStream) -> Result<(), Error> {
        self.inner
            .tracks
            .borrow_mut()
            .push((track.clone(), stream.clone()));
        let peers: Vec<Rc<RemotePeer>> = self.inner.peers.borrow().values().cloned().collect();
        for peer in peers.iter().filter(|p| !p.is_left()) {
            peer.add_track(track, stream)?;
        }
        Ok(())
    }

    /// Hangs up: says bye to every peer on the data channel, removes this peer's presence and
    /// messages from the room, then closes every connection. The events stream ends. The last
    /// peer out (nobody else in the room's presence) deletes the room, unless someone wrote to
    /// it meanwhile (a conditional delete: a peer joining at that instant keeps it).
    ///
    /// # Errors
    /// The database's error removing the entries (the connections are closed anyway).
    ///
    /// ```no_run
    /// # async fn run(call: rtcweb::call::Call) -> Result<(), rtcweb::Error> {
    /// call.hang_up().await?;
    /// # Ok(()) }
    /// ```
    pub async fn hang_up(self) -> Result<(), Error> {
        let inner = self.inner.clone();
        let peers = inner.stop();
        let others: Vec<String> = peers.iter().map(|p| p.id.clone()).collect();
        let writing = inner.writing.lock().await;
        let mut removed = inner.room.leave_mesh(&inner.ctx.me, &others).await;
        drop(writing);
        if removed.is_ok() {
            removed = inner.delete_room_if_empty().await;
        }
        drain_and_close(peers).await;
        removed
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        if self.inner.closed.get() {
            return;
        }
        let peers = self.inner.stop();
        let others: Vec<String> = peers.iter().map(|p| p.id.clone()).collect();
        let inner = self.inner.clone();
        spawn_local(async move {
            let writing = inner.writing.lock().await;
            let removed = inner.room.leave_mesh(&inner.ctx.me, &others).await;
            drop(writing);
            if removed.is_ok() {
                let _ = inner.delete_room_if_empty().await;
            }
            drain_and_close(peers).await;
        });
    }
}

impl std::fmt::Debug for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("id", &self.inner.ctx.me)
            .field("room", &self.inner.room.id())
            .field("peers", &self.peers())
            .finish_non_exhaustive()
    }
}

/// Lets the byes leave (a connection closed at once may drop them), then closes.
async fn drain_and_close(peers: Vec<Rc<RemotePeer>>) {
    for _ in 0..20 {
        if peers.iter().all(|p| p.control_buffered() == 0) {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(10).await;
    }
    // The bye is out of the browser's queue; give SCTP a moment to carry it.
    gloo_timers::future::TimeoutFuture::new(50).await;
    for peer in &peers {
        peer.close();
    }
}

impl Inner {
    /// Stops the call: no more events, heartbeats or reconnects; says bye to everyone.
    /// Returns the peers, still open, for the caller to close.
    fn stop(&self) -> Vec<Rc<RemotePeer>> {
        self.closed.set(true);
        self.ctx.events.borrow_mut().take();
        let peers: Vec<Rc<RemotePeer>> = std::mem::take(&mut *self.peers.borrow_mut())
            .into_iter()
            .map(|(_, peer)| peer)
            .collect();
        for peer in &peers {
            peer.say_bye();
        }
        peers
    }

    /// The page is going away: bye in-band and the room's entries removed by keepalive
    /// requests, all synchronously. It does not wait for the writing lock (there is no time
    /// to await anything): a message or heartbeat already on its way may land after the
    /// removal. A late heartbeat puts back a presence whose session the others know has left
    /// (they ignore it, and the last peer out deletes the room anyway); a late message stays
    /// in the room, unread, until the room is deleted or swept by age.
    fn leave_now(&self) {
        if self.closed.get() {
            return;
        }
        let peers = self.stop();
        let others: Vec<String> = self.roster.borrow().ids();
        if self.others_present(&self.room_value.borrow()) {
            self.room.leave_mesh_on_exit(&self.ctx.me, &others);
        } else {
            // The last one out, as far as this page has read the room: the room goes. (No
            // condition is possible here; a peer joining at this instant loses its entries,
            // and its next heartbeat puts its presence back.)
            sys::net::fetch_keepalive("DELETE", &self.room.reference().url(Vec::new()));
        }
        for peer in &peers {
            peer.close();
        }
    }

    /// Whether `room` (its value) has anyone in its presence but us and the sessions known
    /// to have left (put back by a write that landed after their removal).
    fn others_present(&self, room: &Value) -> bool {
        let Some(Value::Object(presence)) = room.get(schema::PRESENCE) else {
            return false;
        };
        let calls = schema::parse_presence(room);
        let roster = self.roster.borrow();
        presence.keys().any(|id| {
            *id != self.ctx.me
                && calls
                    .get(id)
                    .is_none_or(|p| !roster.has_departed(id, &p.session))
        })
    }

    /// The last peer out deletes the room: when its presence is empty (but for sessions that
    /// left), and only if the room is unchanged since it was read (an `if-match` delete), so
    /// that a peer joining at that instant keeps it.
    async fn delete_room_if_empty(&self) -> Result<(), Error> {
        let reference = self.room.reference();
        let (room, etag) = reference.get_with_etag().await?;
        if room.is_null() || self.others_present(&room) {
            return Ok(());
        }
        reference.set_if_match(&Value::Null, &etag).await.map(drop)
    }

    /// Acts on the room as read now: presence changes, then new messages.
    fn read_room(&self, presence: bool, messages: bool) {
        if self.closed.get() {
            return;
        }
        let now = now_ms();
        if presence {
            let entries = schema::parse_presence(&self.room_value.borrow());
            let changes = self.roster.borrow_mut().update(&entries, now);
            for change in changes {
                self.apply(change);
            }
        }
        if messages {
            let fresh = {
                let room = self.room_value.borrow();
                let peers = self.peers.borrow();
                self.inbox
                    .borrow_mut()
                    .take_new(schema::inbox_of(&room, &self.ctx.me), |from| {
                        peers.contains_key(from)
                    })
            };
            for (from, value) in fresh {
                self.deliver(&from, value, now);
            }
        }
    }

    fn apply(&self, change: RosterChange) {
        match change {
            RosterChange::Joined { id, session } => {
                self.ctx.emit(CallEvent::PeerJoined { peer: id.clone() });
                let tracks = self.tracks.borrow().clone();
                match RemotePeer::start(&self.ctx, &id, &session, &tracks) {
                    Ok(peer) => {
                        self.peers.borrow_mut().insert(id, peer);
                    }
                    Err(error) => {
                        self.ctx.emit(CallEvent::Error {
                            peer: id.clone(),
                            error,
                        });
                        self.ctx.emit(CallEvent::PeerState {
                            peer: id,
                            state: PeerState::Left(LeaveReason::Failed),
                        });
                    }
                }
            }
            RosterChange::Left {
                id,
                session,
                reason,
            } => {
                let peer = self.peers.borrow().get(&id).cloned();
                if let Some(peer) = peer.filter(|p| p.session == session) {
                    self.peers.borrow_mut().remove(&id);
                    self.inbox.borrow_mut().forget(&id);
                    peer.leave(reason);
                    if reason != LeaveReason::Rejoined {
                        self.remove_mail_to(&id);
                    }
                }
            }
        }
    }

    /// Removes our messages to `peer`, which left: a message of ours on its way when it
    /// left would otherwise stay in its inbox. Under the writing lock, so after that message
    /// has landed (and nothing more is written to it: it is no longer among our peers). Not
    /// for a reload, whose new session may already be reading our new messages.
    fn remove_mail_to(&self, peer: &str) {
        let Ok(mail) = self.room.mesh(peer, &self.ctx.me) else {
            return;
        };
        let writing = self.writing.clone();
        spawn_local(async move {
            let _writing = writing.lock().await;
            let _ = mail.remove().await;
        });
    }

    fn deliver(&self, from: &str, value: Value, now: f64) {
        let peer = self.peers.borrow().get(from).cloned();
        let Some(peer) = peer else { return };
        match Envelope::parse(value) {
            Ok(envelope) => {
                // Messages of another join of either side are not for this connection.
                if envelope.from != peer.session || envelope.to != self.ctx.session {
                    return;
                }
                self.roster.borrow_mut().heard(from, now);
                peer.receive(envelope.signal);
            }
            Err(error) => self.ctx.emit(CallEvent::Error {
                peer: from.to_owned(),
                error,
            }),
        }
    }
}

/// Which parts of the room an event touched: (presence, our inbox).
fn touched(event: &DatabaseEvent, me: &str) -> (bool, bool) {
    let segments = |path: &str| -> Vec<String> {
        path.split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let mut paths = Vec::new();
    match event {
        DatabaseEvent::Put { path, .. } => paths.push(segments(path)),
        DatabaseEvent::Patch { path, data } => {
            let base = segments(path);
            if let Value::Object(children) = data {
                for key in children.keys() {
                    let mut p = base.clone();
                    p.extend(segments(key));
                    paths.push(p);
                }
            }
        }
    }
    let mut presence = false;
    let mut inbox = false;
    for p in paths {
        match p.as_slice() {
            [] => return (true, true),
            [first, ..] if first == schema::PRESENCE => presence = true,
            [first] if first == schema::MESH => inbox = true,
            [first, to, ..] if first == schema::MESH && to == me => inbox = true,
            _ => {}
        }
    }
    (presence, inbox)
}

async fn read_changes(
    inner: Weak<Inner>,
    mut changes: mpsc::UnboundedReceiver<Result<DatabaseEvent, Error>>,
) {
    while let Some(change) = changes.next().await {
        let Some(inner) = inner.upgrade() else { return };
        if inner.closed.get() {
            return;
        }
        match change {
            Ok(event) => {
                event.apply(&mut inner.room_value.borrow_mut());
                let (presence, inbox) = touched(&event, &inner.ctx.me);
                if matches!(&event, DatabaseEvent::Put { path, .. } if path == "/") {
                    // A new connection: we may have missed heartbeats while deaf.
                    inner.roster.borrow_mut().heard_all(now_ms());
                }
                inner.read_room(presence, inbox);
            }
            // A stream the server refuses or cancels: say so on every peer; the connections
            // that are up carry on.
            Err(error) => {
                let peers: Vec<String> = inner.peers.borrow().keys().cloned().collect();
                for peer in peers {
                    inner.ctx.emit(CallEvent::Error {
                        peer,
                        error: error.clone(),
                    });
                }
            }
        }
    }
}

/// Most messages in one write: a restart's offers to a full room, with room to spare under
/// the databases' body limits.
const BATCH: usize = 32;

/// Writes our messages in order, all that are queued when a write starts in one request: the
/// candidates that trickle out while an offer is on its way go together in the next. Push ids
/// are made here, in queue order, so they sort as the receiver reads them, and a write that
/// fails because the database is unreachable is retried with the same ids (it may have landed:
/// a retry overwrites instead of adding the messages twice).
async fn write_messages(
    inner: Weak<Inner>,
    mut outgoing: mpsc::UnboundedReceiver<(String, Envelope)>,
) {
    let mut ids = PushIds::default();
    let random = || (js_sys::Math::random() * 64.0) as u8;
    while let Some(first) = outgoing.next().await {
        let mut queued = vec![first];
        while queued.len() < BATCH {
            match outgoing.try_recv() {
                Ok(next) => queued.push(next),
                _ => break,
            }
        }
        let batch: Vec<(String, String, Value)> = queued
            .into_iter()
            .map(|(to, envelope)| (to, ids.next(now_ms() as u64, random), envelope.to_value()))
            .collect();
        let mut delay = 250;
        loop {
            let Some(writing) = inner.upgrade().map(|strong| strong.writing.clone()) else {
                return;
            };
            // Checked with the lock held: once leaving holds it, nothing more is written.
            let guard = writing.lock().await;
            let Some(strong) = inner.upgrade() else {
                return;
            };
            if strong.closed.get() {
                return;
            }
            let (room, me) = (strong.room.clone(), strong.ctx.me.clone());
            let to_peers: Vec<(&str, &str, &Value)> = {
                let peers = strong.peers.borrow();
                batch
                    .iter()
                    .filter(|(to, ..)| peers.contains_key(to))
                    .map(|(to, id, message)| (to.as_str(), id.as_str(), message))
                    .collect()
            };
            drop(strong);
            let written = room.send_mesh(&me, to_peers.iter().copied()).await;
            drop(guard);
            match written {
                Ok(()) => break,
                Err(Error::Signaling(SignalingError::Unreachable(_))) => {
                    gloo_timers::future::TimeoutFuture::new(delay).await;
                    delay = (delay * 2).min(2_000);
                }
                Err(error) => {
                    if let Some(strong) = inner.upgrade() {
                        let mut recipients: LiteMap<&str, ()> = LiteMap::new();
                        for (peer, ..) in &to_peers {
                            recipients.insert(*peer, ());
                        }
                        for peer in recipients.keys() {
                            strong.ctx.emit(CallEvent::Error {
                                peer: (*peer).to_owned(),
                                error: error.clone(),
                            });
                        }
                    }
                    break;
                }
            }
        }
    }
}

/// Heartbeats, reconnect deadlines and staleness.
async fn tick(inner: Weak<Inner>) {
    let mut last_beat = now_ms();
    loop {
        gloo_timers::future::TimeoutFuture::new(TICK_MS).await;
        let Some(strong) = inner.upgrade() else {
            return;
        };
        if strong.closed.get() {
            return;
        }
        let now = now_ms();
        if now - last_beat >= f64::from(strong.heartbeat_ms) {
            last_beat = now;
            let room = strong.room.clone();
            let (me, session) = (strong.ctx.me.clone(), strong.ctx.session.clone());
            let (inner, writing) = (inner.clone(), strong.writing.clone());
            // A failed beat is retried at the next one. Under the writing lock, as every
            // write: a beat landing after leaving would put our presence back.
            spawn_local(async move {
                let _writing = writing.lock().await;
                if inner.upgrade().is_some_and(|strong| !strong.closed.get()) {
                    let _ = room.heartbeat(&me, &session).await;
                }
            });
        }
        let peers: Vec<Rc<RemotePeer>> = strong.peers.borrow().values().cloned().collect();
        for peer in &peers {
            peer.tick(now);
        }
        if !strong.feed.is_connected() {
            // Deaf to heartbeats: nobody can be judged stale now.
            strong.roster.borrow_mut().heard_all(now);
        }
        let stale = {
            // Stale presence AND a connection that is not up (lost, reconnecting at any
            // attempt, or silent in-band): the reconnect schedule does not hold a vanished
            // peer.
            let up = |id: &str| peers.iter().any(|p| p.id == id && !p.may_time_out(now));
            strong.roster.borrow_mut().take_stale(now, up)
        };
        for change in stale {
            strong.apply(change);
        }
        // Peers that left on their own (failed, hung up in-band) go.
        let gone: Vec<String> = peers
            .iter()
            .filter(|p| p.is_left())
            .map(|p| p.id.clone())
            .collect();
        for id in gone {
            strong.peers.borrow_mut().remove(&id);
            strong.remove_mail_to(&id);
        }
    }
}
