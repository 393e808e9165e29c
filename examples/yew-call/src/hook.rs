//! [`use_call`]: a Yew hook that owns an rtcweb [`Call`] for as long as its component is mounted.

use std::collections::BTreeMap;
use std::rc::Rc;

use futures::channel::mpsc;
use futures::future::abortable;
use futures::{stream, StreamExt};
use rtcweb::call::{Call, CallEvent, CallOptions, LeaveReason, PeerState};
use rtcweb::signaling::Database;
use rtcweb::{MediaConstraints, MediaStream, Message};
use yew::platform::spawn_local;
use yew::prelude::*;

/// Where this page is in the call.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Status {
    /// Getting the camera (with media) and joining the room.
    #[default]
    Joining,
    /// In the room, as this peer id.
    Joined(String),
    /// Joining failed; the message says why.
    Failed(String),
}

/// One line of the chat log.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatLine {
    /// Who wrote it: a peer id, or `"me"`.
    pub from: String,
    /// What they wrote.
    pub text: String,
}

/// A remote peer as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Peer {
    /// Its state in the call.
    pub state: PeerState,
    /// The streams it sends (none in a data-only call).
    pub streams: Vec<MediaStream>,
}

/// The state of a call, kept by [`use_call`] in a `use_reducer`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CallState {
    /// Joining, joined or failed.
    pub status: Status,
    /// Every peer seen in the room, by id, including those that left.
    pub peers: BTreeMap<String, Peer>,
    /// The chat, oldest first.
    pub chat: Vec<ChatLine>,
    /// The last problem that did not end the call (no camera, a message not delivered, a bad
    /// description from a peer).
    pub notice: Option<String>,
}

/// What changes a [`CallState`].
#[derive(Debug)]
pub enum Action {
    /// A new call starts: forget the old one.
    Reset,
    /// Joined the room as this peer id.
    Joined(String),
    /// Joining failed.
    Failed(String),
    /// Something happened in the call.
    Event(CallEvent),
    /// This page sent a chat message to everyone.
    Sent(String),
    /// A problem that does not end the call.
    Notice(String),
}

impl Reducible for CallState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut this = self;
        let state = Rc::make_mut(&mut this);
        match action {
            Action::Reset => *state = CallState::default(),
            Action::Joined(me) => state.status = Status::Joined(me),
            Action::Failed(why) => state.status = Status::Failed(why),
            Action::Sent(text) => state.chat.push(ChatLine {
                from: "me".into(),
                text,
            }),
            Action::Notice(notice) => state.notice = Some(notice),
            Action::Event(event) => state.apply(event),
        }
        this
    }
}

impl CallState {
    fn apply(&mut self, event: CallEvent) {
        match event {
            CallEvent::PeerJoined { peer } => {
                let peer_state = Peer {
                    state: PeerState::Connecting,
                    streams: Vec::new(),
                };
                self.peers.insert(peer, peer_state);
            }
            CallEvent::PeerState { peer, state } => {
                let entry = self.peers.entry(peer).or_insert_with(|| Peer {
                    state,
                    streams: Vec::new(),
                });
                entry.state = state;
                if state.is_left() {
                    entry.streams.clear();
                }
            }
            CallEvent::Message {
                peer,
                message: Message::Text(text),
                ..
            } => {
                self.chat.push(ChatLine { from: peer, text });
            }
            CallEvent::Track { peer, track } => {
                if let Some(entry) = self.peers.get_mut(&peer) {
                    for stream in track.streams {
                        if !entry.streams.contains(&stream) {
                            entry.streams.push(stream);
                        }
                    }
                }
            }
            CallEvent::Error { peer, error } => self.notice = Some(format!("{peer}: {error}")),
            _ => {}
        }
    }
}

/// A peer state in words, as the page shows it (and as its `data-state` reads).
pub fn state_label(state: &PeerState) -> &'static str {
    match state {
        PeerState::Connecting => "connecting",
        PeerState::Connected => "connected",
        PeerState::Reconnecting { .. } => "reconnecting",
        PeerState::Left(LeaveReason::TimedOut) => "left (timed out)",
        PeerState::Left(LeaveReason::Failed) => "left (failed)",
        PeerState::Left(_) => "left",
        _ => "unknown",
    }
}

/// What [`use_call`] gives its component: the call's state and a way to chat.
#[derive(Clone)]
pub struct CallHandle {
    /// The call's state; the component re-renders when it changes.
    pub state: UseReducerHandle<CallState>,
    /// Sends a text message to every peer in the call (it shows in the log once sent).
    pub send: Callback<String>,
}

/// Joins room `room` of the database at `db_url` (with camera and microphone when `media`),
/// and stays in it while the component is mounted.
///
/// The call is joined in an effect, in a task that owns the [`Call`]; the effect's teardown
/// (on unmount, or when an argument changes) aborts that task, which drops the call: dropping a
/// `Call` hangs up, best effort. Closing the page hangs up too (the call listens for
/// `pagehide` itself).
#[hook]
pub fn use_call(db_url: &str, room: &str, media: bool) -> CallHandle {
    let state = use_reducer(CallState::default);
    // The running call's outbox: the send callback queues chat messages into it.
    let outbox = use_mut_ref(|| None::<mpsc::UnboundedSender<String>>);
    {
        let dispatcher = state.dispatcher();
        let outbox = outbox.clone();
        use_effect_with(
            (db_url.to_owned(), room.to_owned(), media),
            move |(db_url, room, media)| {
                dispatcher.dispatch(Action::Reset);
                let (sender, receiver) = mpsc::unbounded();
                *outbox.borrow_mut() = Some(sender);
                let (task, abort) = abortable(run_call(
                    db_url.clone(),
                    room.clone(),
                    *media,
                    receiver,
                    dispatcher,
                ));
                spawn_local(async move {
                    // Aborted: the call was dropped with the task, and hung up.
                    let _ = task.await;
                });
                move || {
                    abort.abort();
                    outbox.borrow_mut().take();
                }
            },
        );
    }
    let send = use_callback((), move |text: String, _| {
        if let Some(sender) = outbox.borrow().as_ref() {
            // Fails only once the call is over, when there is no one to send to.
            let _ = sender.unbounded_send(text);
        }
    });
    CallHandle { state, send }
}

/// What the call's task waits for.
enum Input {
    Event(CallEvent),
    Send(String),
}

/// Joins, then feeds the call's events to the state and the outbox's messages to the call,
/// until the outbox closes or the task is aborted (either drops the call: it hangs up).
async fn run_call(
    db_url: String,
    room: String,
    media: bool,
    outbox: mpsc::UnboundedReceiver<String>,
    dispatcher: UseReducerDispatcher<CallState>,
) {
    let mut options = CallOptions::default();
    if media {
        match rtcweb::get_user_media(&MediaConstraints::audio_video()).await {
            Ok(local) => options.media = Some(local),
            Err(error) => dispatcher.dispatch(Action::Notice(format!(
                "no camera or microphone ({error}): chat only"
            ))),
        }
    }
    let db = Database::new(db_url);
    let call = match Call::join(&db, &room, options).await {
        Ok(call) => call,
        Err(error) => return dispatcher.dispatch(Action::Failed(error.to_string())),
    };
    dispatcher.dispatch(Action::Joined(call.id().to_owned()));
    let mut inputs = stream::select(call.events().map(Input::Event), outbox.map(Input::Send));
    while let Some(input) = inputs.next().await {
        match input {
            Input::Event(event) => dispatcher.dispatch(Action::Event(event)),
            Input::Send(text) => {
                let failures = call.broadcast(&Message::Text(text.clone())).await;
                dispatcher.dispatch(Action::Sent(text));
                for (peer, error) in failures {
                    dispatcher
                        .dispatch(Action::Notice(format!("not delivered to {peer}: {error}")));
                }
            }
        }
    }
}
