//! One remote peer of a call: its connection and all its negotiation state.
//!
//! Perfect negotiation as the webrtc-pc example has it, with the decisions taken by the pure
//! [`Negotiation`] and [`CandidateGate`]; the lifecycle by the pure [`Lifecycle`]. Remote
//! signals are handled one at a time, in the order the peer sent them; our own offers
//! (`negotiationneeded`) run beside them, which is what `makingOffer` is for.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use futures::channel::mpsc;
use futures::StreamExt;
use wasm_bindgen_futures::spawn_local;

use super::lifecycle::{Action, LeaveReason, Lifecycle, PeerState};
use super::negotiation::{
    ice_ufrag, is_polite, origin, CandidateAction, CandidateGate, DescriptionAction,
    LocalCandidates, Negotiation,
};
use super::schema::Signal;
use super::{now_ms, CallEvent, Context};
use crate::data_channel::{DataChannel, DataChannelOptions, DataChannelState, Message};
use crate::error::Error;
use crate::media::{MediaStream, MediaTrack};
use crate::peer::{PeerConnection, PeerConnectionState, SignalingState};
use crate::types::ice::IceCandidate;
use crate::types::sdp::{SdpType, SessionDescription};

/// The in-band goodbye, on the control channel.
const BYE: &str = "bye";
/// The in-band sign of life, on the control channel every heartbeat: a connection that
/// carries nothing for the staleness bound is not up, whatever the browser says.
const PING: &str = "ping";
/// The control channel: negotiated, so both sides have it before the first offer.
pub(crate) const CONTROL_LABEL: &str = "rtcweb-call";

pub(crate) struct RemotePeer {
    pub(crate) id: String,
    /// The remote's session (its join).
    pub(crate) session: String,
    pub(crate) pc: Rc<PeerConnection>,
    control: DataChannel,
    /// The application's channels, in the order of the options.
    channels: Vec<DataChannel>,
    ctx: Rc<Context>,
    inbound: mpsc::UnboundedSender<Signal>,
    state: RefCell<State>,
    /// Every channel has opened once: the first `connected` may be reported.
    channels_opened: Cell<bool>,
    /// The larger id of the two: it yields on glare, and asks the other side to restart ICE.
    polite: bool,
    /// Whether our `negotiationneeded` may make an offer. The polite side waits for the
    /// impolite side's first offer instead of offering too: an initial glare makes it roll
    /// back an offer holding the data channels, which Chromium does not always survive (its
    /// ICE gathering never finishes: crbug 1032987, w3c/webrtc-pc#2408). Later glare (tracks,
    /// restarts) is perfect negotiation's to resolve.
    may_offer: Cell<bool>,
    /// Since when (page clock) our offer has waited for its answer, as seen by `tick`.
    offer_waiting_since: Cell<Option<f64>>,
    /// When we last pinged the peer in-band.
    pinged_at: Cell<f64>,
    /// When we last restarted ICE.
    restarted_at: Cell<f64>,
}

/// A restart request within this long of our own restart is served by it.
const RESTART_COALESCE_MS: f64 = 3_000.0;

/// An offer unanswered this long is sent again (its message, or the answer, may have been
/// lost while the database was unreachable).
const RESEND_OFFER_MS: f64 = 4_000.0;

struct State {
    negotiation: Negotiation,
    gate: CandidateGate,
    local: LocalCandidates,
    lifecycle: Lifecycle,
}

impl RemotePeer {
    /// A connection to `id` (session `session`), negotiating by itself from now on.
    pub(crate) fn start(
        ctx: &Rc<Context>,
        id: &str,
        session: &str,
        tracks: &[(MediaTrack, MediaStream)],
    ) -> Result<Rc<RemotePeer>, Error> {
        let pc = Rc::new(PeerConnection::new(&ctx.configuration)?);
        // Subscribed before anything can fire.
        let negotiation_needed = pc.negotiation_needed();
        let candidates = pc.ice_candidates();
        let states = pc.connection_state_changes();
        let remote_tracks = pc.tracks();
        let control =
            pc.create_data_channel(&DataChannelOptions::new(CONTROL_LABEL).negotiated(0))?;
        let channels = ctx
            .channels
            .iter()
            .enumerate()
            .map(|(i, options)| {
                let id = u16::try_from(i + 1).unwrap_or(u16::MAX);
                pc.create_data_channel(&options.clone().negotiated(id))
            })
            .collect::<Result<Vec<_>, _>>()?;
        for (track, stream) in tracks {
            pc.add_track(track, &[stream])?;
        }
        let (inbound, signals) = mpsc::unbounded();
        let polite = is_polite(&ctx.me, id);
        let peer = Rc::new(RemotePeer {
            id: id.to_owned(),
            session: session.to_owned(),
            pc,
            control,
            channels,
            ctx: ctx.clone(),
            inbound,
            state: RefCell::new(State {
                negotiation: Negotiation::new(polite),
                gate: CandidateGate::default(),
                local: LocalCandidates::default(),
                lifecycle: Lifecycle::new(
                    ctx.policy.clone(),
                    now_ms(),
                    Rc::new(js_sys::Math::random),
                    ctx.heartbeat_ms,
                ),
            }),
            channels_opened: Cell::new(false),
            polite,
            may_offer: Cell::new(!polite),
            offer_waiting_since: Cell::new(None),
            pinged_at: Cell::new(f64::NEG_INFINITY),
            restarted_at: Cell::new(f64::NEG_INFINITY),
        });
        peer.emit(CallEvent::PeerState {
            peer: peer.id.clone(),
            state: PeerState::Connecting,
        });
        let weak = Rc::downgrade(&peer);
        spawn_local(offers(weak.clone(), negotiation_needed));
        spawn_local(local_candidates(weak.clone(), candidates));
        spawn_local(remote_signals(weak.clone(), signals));
        spawn_local(connection_states(weak.clone(), states));
        spawn_local(tracks_of(weak.clone(), remote_tracks));
        spawn_local(control_messages(weak.clone()));
        for index in 0..peer.channels.len() {
            spawn_local(channel_messages(weak.clone(), index));
        }
        spawn_local(channels_open(weak));
        Ok(peer)
    }

    /// A signal from the remote, handled after those before it.
    pub(crate) fn receive(&self, signal: Signal) {
        let _ = self.inbound.unbounded_send(signal);
    }

    /// Whether a stale presence means it is gone: its connection is not up, or nothing came
    /// in-band for the staleness bound.
    pub(crate) fn may_time_out(&self, now: f64) -> bool {
        let silence = f64::from(self.ctx.stale_after_ms);
        self.state.borrow().lifecycle.may_time_out(now, silence)
    }

    /// The network is back (`online`): restart now if reconnecting.
    pub(crate) fn online(&self, now: f64) {
        let actions = self.state.borrow_mut().lifecycle.on_online(now);
        self.act(actions);
    }

    /// Whether the peer has left.
    pub(crate) fn is_left(&self) -> bool {
        self.state.borrow().lifecycle.is_left()
    }

    /// Time passed.
    pub(crate) fn tick(&self, now: f64) {
        let actions = self.state.borrow_mut().lifecycle.on_tick(now);
        self.act(actions);
        if self.is_left() {
            return;
        }
        // While up, and whenever the browser calls the connection connected, also while we
        // reconnect (the pings are how both sides see it is up again); never into one that is
        // down: piling data into a dead association makes Firefox's SCTP give up on it.
        let up = self.state.borrow().lifecycle.is_up();
        if (up || self.pc.connection_state() == PeerConnectionState::Connected)
            && now - self.pinged_at.get() >= f64::from(self.ctx.heartbeat_ms)
            && self.control.ready_state() == DataChannelState::Open
        {
            self.pinged_at.set(now);
            let _ = self.control.try_send_text(PING);
        }
        if now - self.restarted_at.get() >= RESEND_OFFER_MS {
            self.state.borrow_mut().negotiation.restart_expired();
        }
        if self.pc.signaling_state() != SignalingState::HaveLocalOffer {
            self.offer_waiting_since.set(None);
            return;
        }
        match self.offer_waiting_since.get() {
            None => self.offer_waiting_since.set(Some(now)),
            Some(since) if now - since >= RESEND_OFFER_MS => {
                self.offer_waiting_since.set(Some(now));
                self.resend_offer();
            }
            Some(_) => {}
        }
    }

    /// Something came from the peer in-band, now.
    fn heard(&self) {
        let connected = || self.pc.connection_state() == PeerConnectionState::Connected;
        let actions = self.state.borrow_mut().lifecycle.heard(now_ms(), connected);
        self.act(actions);
    }

    /// The peer left (or we leave it): reported once, and the connection closes.
    pub(crate) fn leave(&self, reason: LeaveReason) {
        let actions = self.state.borrow_mut().lifecycle.leave(reason);
        self.act(actions);
    }

    /// Says goodbye in-band, now (synchronously: it works in `pagehide`).
    pub(crate) fn say_bye(&self) {
        let _ = self.control.try_send_text(BYE);
    }

    /// Bytes still queued on the control channel.
    pub(crate) fn control_buffered(&self) -> usize {
        self.control.buffered_amount()
    }

    /// Closes the connection without a report (we are leaving).
    pub(crate) fn close(&self) {
        self.state.borrow_mut().lifecycle.leave(LeaveReason::HungUp);
        self.pc.close();
    }

    /// The application channel `label` (the first one when `None`).
    pub(crate) fn channel(&self, label: Option<&str>) -> Option<&DataChannel> {
        match label {
            None => self.channels.first(),
            Some(label) => self.channels.iter().find(|c| c.label() == label),
        }
    }

    /// Sends a track to the peer (renegotiating by itself).
    pub(crate) fn add_track(&self, track: &MediaTrack, stream: &MediaStream) -> Result<(), Error> {
        self.pc.add_track(track, &[stream]).map(drop)
    }

    fn emit(&self, event: CallEvent) {
        self.ctx.emit(event);
    }

    fn error(&self, error: Error) {
        self.emit(CallEvent::Error {
            peer: self.id.clone(),
            error,
        });
    }

    fn send(&self, signal: Signal) {
        self.ctx.send(&self.id, &self.session, signal);
    }

    fn act(&self, actions: Vec<Action>) {
        for action in actions {
            match action {
                Action::Report(state) => {
                    if state.is_left() {
                        self.pc.close();
                    }
                    self.emit(CallEvent::PeerState {
                        peer: self.id.clone(),
                        state,
                    });
                }
                Action::RestartIce if self.polite => {
                    self.may_offer.set(true);
                    self.send(Signal::RestartIce);
                }
                Action::RestartIce => self.restart_ice(),
            }
        }
    }

    /// The polite side asks for a restart: one of ours begun just before serves it (the same
    /// loss seen from both sides), and another now would replace a generation still gathering,
    /// which Firefox does not survive. A polite peer never restarts on request (the asker
    /// would be polite too).
    fn restart_requested(&self) {
        let recent = now_ms() - self.restarted_at.get() < RESTART_COALESCE_MS;
        if !self.polite && !recent {
            self.restart_ice();
        }
    }

    /// Restarts ICE (the impolite side's part: see [`Signal::RestartIce`]).
    fn restart_ice(&self) {
        self.restarted_at.set(now_ms());
        self.may_offer.set(true);
        match self.pc.restart_ice() {
            Ok(()) => self.state.borrow_mut().negotiation.begin_restart(),
            Err(err) => self.error(err),
        }
        // An offer still unanswered may have been lost (the database was down): send it
        // again; the restart's own offer follows once it is answered.
        if self.pc.signaling_state() == SignalingState::HaveLocalOffer {
            self.resend_offer();
        }
    }

    /// Sends our offer that waits for its answer again.
    fn resend_offer(&self) {
        if let Some(offer) = self.pc.local_description() {
            self.send(Signal::Description {
                description: offer,
                answers: None,
            });
        }
    }

    /// The connection state the lifecycle sees: `connected` only once the channels opened.
    fn on_connection_state(&self, state: PeerConnectionState) {
        let state = match state {
            PeerConnectionState::Connected if !self.channels_opened.get() => {
                PeerConnectionState::Connecting
            }
            other => other,
        };
        let actions = self.state.borrow_mut().lifecycle.on_state(state, now_ms());
        self.act(actions);
    }

    async fn on_description(&self, description: SessionDescription, answers: Option<String>) {
        if let Err(err) = description.validate() {
            return self.error(err);
        }
        if description.sdp_type == SdpType::Answer {
            // An answer to an offer of ours that is no longer the one waiting (answered
            // already, or replaced since): stale, dropped silently.
            let waiting = (self.pc.signaling_state() == SignalingState::HaveLocalOffer)
                .then(|| self.pc.local_description())
                .flatten()
                .and_then(|offer| origin(&offer.sdp));
            if waiting.is_none() || (answers.is_some() && answers != waiting) {
                return;
            }
        }
        let action = self
            .state
            .borrow_mut()
            .negotiation
            .on_remote_description(description.sdp_type, self.pc.signaling_state());
        let answer = match action {
            DescriptionAction::Ignore => {
                self.state.borrow_mut().gate.offer_ignored(&description.sdp);
                return;
            }
            DescriptionAction::Apply { answer } => answer,
        };
        // On the polite side this rolls our own offer back implicitly.
        let applied = self.pc.set_remote_description(&description).await;
        self.state
            .borrow_mut()
            .negotiation
            .remote_description_settled();
        if let Err(err) = applied {
            return self.error(err);
        }
        self.may_offer.set(true);
        let ready = self
            .state
            .borrow_mut()
            .gate
            .remote_description_set(&description.sdp);
        for candidate in ready {
            self.add_candidate(candidate).await;
        }
        if answer {
            match self.pc.set_local_description_implicit().await {
                Ok(local) => self.send(Signal::Description {
                    description: local,
                    answers: origin(&description.sdp),
                }),
                Err(err) => self.error(err),
            }
        }
    }

    async fn on_candidate(&self, candidate: IceCandidate) {
        if !candidate.is_end_of_candidates() {
            if let Err(err) = candidate.line() {
                return self.error(err);
            }
        }
        let action = self.state.borrow_mut().gate.on_remote_candidate(candidate);
        if let CandidateAction::Add(candidate) = action {
            self.add_candidate(candidate).await;
        }
    }

    async fn add_candidate(&self, candidate: IceCandidate) {
        if let Err(err) = self.pc.add_ice_candidate(&candidate).await {
            // The spec's example: errors are expected for the candidates of an ignored offer.
            if !self.state.borrow().negotiation.ignoring_offer() {
                self.error(err);
            }
        }
    }
}

/// `negotiationneeded` → `setLocalDescription()` → send the offer.
async fn offers(peer: Weak<RemotePeer>, mut needed: crate::event::EventStream<()>) {
    while needed.next().await.is_some() {
        let Some(peer) = peer.upgrade() else { return };
        if peer.is_left() {
            return;
        }
        if !peer.may_offer.get() {
            // The browser asks again once stable if the first exchange did not cover it.
            continue;
        }
        peer.state.borrow_mut().negotiation.begin_offer();
        let offer = peer.pc.set_local_description_implicit().await;
        peer.state.borrow_mut().negotiation.end_offer();
        match offer {
            Ok(offer) => peer.send(Signal::Description {
                description: offer,
                answers: None,
            }),
            Err(err) => peer.error(err),
        }
    }
}

async fn local_candidates(
    peer: Weak<RemotePeer>,
    mut candidates: crate::event::EventStream<IceCandidate>,
) {
    while let Some(candidate) = candidates.next().await {
        let Some(peer) = peer.upgrade() else { return };
        let ufrag = peer.pc.local_description().and_then(|d| ice_ufrag(&d.sdp));
        let outgoing = peer.state.borrow_mut().local.outgoing(candidate, ufrag);
        if let Some(candidate) = outgoing {
            peer.send(Signal::Candidate { candidate });
        }
    }
}

async fn remote_signals(peer: Weak<RemotePeer>, mut signals: mpsc::UnboundedReceiver<Signal>) {
    while let Some(signal) = signals.next().await {
        let Some(peer) = peer.upgrade() else { return };
        if peer.is_left() {
            return;
        }
        match signal {
            Signal::Description {
                description,
                answers,
            } => peer.on_description(description, answers).await,
            Signal::Candidate { candidate } => peer.on_candidate(candidate).await,
            Signal::Bye => peer.leave(LeaveReason::HungUp),
            Signal::RestartIce => peer.restart_requested(),
        }
    }
}

async fn connection_states(
    peer: Weak<RemotePeer>,
    mut states: crate::event::EventStream<PeerConnectionState>,
) {
    while let Some(state) = states.next().await {
        let Some(peer) = peer.upgrade() else { return };
        peer.on_connection_state(state);
    }
}

async fn tracks_of(
    peer: Weak<RemotePeer>,
    mut tracks: crate::event::EventStream<crate::media::RemoteTrack>,
) {
    while let Some(track) = tracks.next().await {
        let Some(peer) = peer.upgrade() else { return };
        peer.emit(CallEvent::Track {
            peer: peer.id.clone(),
            track,
        });
    }
}

/// The control channel: a bye, or the channel closed by the other side, is a hang-up.
async fn control_messages(peer: Weak<RemotePeer>) {
    let mut messages = match peer.upgrade() {
        Some(peer) => peer.control.messages(),
        None => return,
    };
    while let Some(message) = messages.next().await {
        let Some(strong) = peer.upgrade() else { return };
        strong.heard();
        if message == Message::Text(BYE.into()) {
            strong.leave(LeaveReason::HungUp);
            return;
        }
    }
    // The stream ended: the channel closed. On a connection that is up, the remote closed
    // it (`close()`, its page gone): a hang-up. On one that is down, the browser gave up on
    // the association (Firefox does when an ICE restart fails): the channels are gone for
    // good, and no restart brings them back.
    if let Some(peer) = peer.upgrade() {
        if peer.channels_opened.get() {
            let up = peer.state.borrow().lifecycle.is_up();
            peer.leave(if up {
                LeaveReason::HungUp
            } else {
                LeaveReason::Failed
            });
        }
    }
}

async fn channel_messages(peer: Weak<RemotePeer>, index: usize) {
    let (mut messages, label) = match peer.upgrade() {
        Some(peer) => match peer.channels.get(index) {
            Some(channel) => (channel.messages(), channel.label()),
            None => return,
        },
        None => return,
    };
    while let Some(message) = messages.next().await {
        let Some(peer) = peer.upgrade() else { return };
        peer.heard();
        peer.emit(CallEvent::Message {
            peer: peer.id.clone(),
            channel: label.clone(),
            message,
        });
    }
}

/// Waits for every channel to open, then lets the lifecycle see `connected`. It polls rather
/// than awaiting `opened()`, which would hold the peer: a channel closed with its connection
/// (`pc.close()`) fires no event, and the wait would never end.
async fn channels_open(peer: Weak<RemotePeer>) {
    loop {
        {
            let Some(peer) = peer.upgrade() else { return };
            if peer.is_left() {
                return;
            }
            let open = std::iter::once(&peer.control)
                .chain(&peer.channels)
                .all(|c| c.ready_state() == DataChannelState::Open);
            if open {
                peer.channels_opened.set(true);
                peer.on_connection_state(peer.pc.connection_state());
                return;
            }
        }
        gloo_timers::future::TimeoutFuture::new(20).await;
    }
}
