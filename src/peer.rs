//! Peer connections ([`RTCPeerConnection`]): negotiation, ICE, state, and data channels.
//!
//! [`RTCPeerConnection`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection

use std::cell::RefCell;

use futures::channel::mpsc;
use gloo_events::EventListener;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{RtcDataChannel, RtcPeerConnection};

use crate::data_channel::DataChannel;
use crate::error::Error;
use crate::event::{CloseSignal, EventStream};
use crate::media::{
    MediaStream, MediaTrack, RemoteTrack, RtpReceiver, RtpSender, Transceiver, TransceiverInit,
};
use crate::sys;
use crate::types::channel::DataChannelOptions;
use crate::types::ice::{IceCandidate, IceConnectionState, IceGatheringState};
use crate::types::media::MediaKind;
use crate::types::sdp::SessionDescription;
use crate::types::stats::StatsReport;

pub use crate::types::config::{
    BundlePolicy, Configuration, OfferOptions, PeerConnectionState, SignalingState,
};

/// A connection to one remote peer ([`RTCPeerConnection`]).
///
/// Dropping it removes its listeners, closes the connection and ends its streams. It is not
/// `Clone`, because dropping closes: share it through an `Rc`.
///
/// ```no_run
/// use rtcweb::{Configuration, PeerConnection};
///
/// # async fn run() -> Result<(), rtcweb::Error> {
/// let pc = PeerConnection::new(&Configuration::default())?;
/// let offer = pc.create_offer(&Default::default()).await?;
/// pc.set_local_description(&offer).await?;
/// // send `offer` to the other peer through signaling...
/// # Ok(()) }
/// ```
///
/// [`RTCPeerConnection`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection
pub struct PeerConnection {
    raw: RtcPeerConnection,
    closed: CloseSignal,
    incoming: RefCell<Option<mpsc::UnboundedReceiver<DataChannel>>>,
    _on_data_channel: EventListener,
}

impl PeerConnection {
    /// Creates a connection ([`new RTCPeerConnection`](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/RTCPeerConnection)).
    ///
    /// # Errors
    /// [`Error::Unsupported`] when the browser has no WebRTC; for an invalid configuration,
    /// the errors of [`Configuration::validate`] or the browser's.
    ///
    /// ```no_run
    /// let pc = rtcweb::PeerConnection::new(&Default::default())?;
    /// # Ok::<(), rtcweb::Error>(())
    /// ```
    pub fn new(config: &Configuration) -> Result<Self, Error> {
        config.validate()?;
        sys::peer::new_peer_connection(config).map(PeerConnection::from_raw)
    }

    /// Wraps a browser connection; from now on the wrapper owns it and closes it on drop.
    ///
    /// ```no_run
    /// # fn run(raw: web_sys::RtcPeerConnection) {
    /// let pc = rtcweb::PeerConnection::from_raw(raw);
    /// # }
    /// ```
    pub fn from_raw(raw: RtcPeerConnection) -> Self {
        let (sender, receiver) = mpsc::unbounded();
        // Incoming channels are wrapped the moment they arrive, so that no message is lost
        // before the application takes them from `data_channels()`.
        let on_data_channel = {
            let pc = raw.clone();
            EventListener::new(&raw, "datachannel", move |event| {
                if let Ok(channel) = sys::get(event, "channel").dyn_into::<RtcDataChannel>() {
                    let _ = sender.unbounded_send(DataChannel::wrap(channel, Some(pc.clone())));
                }
            })
        };
        PeerConnection {
            raw,
            closed: CloseSignal::new(),
            incoming: RefCell::new(Some(receiver)),
            _on_data_channel: on_data_channel,
        }
    }

    /// The browser's connection, to use APIs this crate does not wrap.
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection) {
    /// let raw: &web_sys::RtcPeerConnection = pc.as_raw();
    /// # }
    /// ```
    pub fn as_raw(&self) -> &RtcPeerConnection {
        &self.raw
    }

    /// Creates an offer ([`createOffer`](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/createOffer)).
    ///
    /// # Errors
    /// [`Error::InvalidState`] when the connection is closed.
    ///
    /// ```no_run
    /// # async fn run(pc: &rtcweb::PeerConnection) -> Result<(), rtcweb::Error> {
    /// let offer = pc.create_offer(&rtcweb::peer::OfferOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_offer(&self, options: &OfferOptions) -> Result<SessionDescription, Error> {
        sys::peer::create_offer(&self.raw, options).await
    }

    /// Creates an answer to the remote offer ([`createAnswer`](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/createAnswer)).
    ///
    /// # Errors
    /// [`Error::InvalidState`] without a remote offer or when closed.
    ///
    /// ```no_run
    /// # async fn run(pc: &rtcweb::PeerConnection, offer: rtcweb::SessionDescription) -> Result<(), rtcweb::Error> {
    /// pc.set_remote_description(&offer).await?;
    /// let answer = pc.create_answer().await?;
    /// pc.set_local_description(&answer).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_answer(&self) -> Result<SessionDescription, Error> {
        sys::peer::create_answer(&self.raw).await
    }

    /// Applies a local offer or answer ([`setLocalDescription`](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/setLocalDescription)).
    ///
    /// # Errors
    /// [`Error::InvalidState`] when it does not fit the signaling state; the browser's
    /// error for SDP it did not create.
    ///
    /// ```no_run
    /// # async fn run(pc: &rtcweb::PeerConnection) -> Result<(), rtcweb::Error> {
    /// let offer = pc.create_offer(&Default::default()).await?;
    /// pc.set_local_description(&offer).await?;
    /// # Ok(()) }
    /// ```
    pub async fn set_local_description(
        &self,
        description: &SessionDescription,
    ) -> Result<(), Error> {
        sys::peer::set_local_description(&self.raw, Some(description)).await
    }

    /// Creates and applies whichever description the signaling state calls for (an offer when
    /// stable, an answer after a remote offer), and returns it. This is the parameterless
    /// `setLocalDescription()` that perfect negotiation relies on.
    ///
    /// # Errors
    /// [`Error::InvalidState`] when closed or in a state that calls for neither.
    ///
    /// ```no_run
    /// # async fn run(pc: &rtcweb::PeerConnection) -> Result<(), rtcweb::Error> {
    /// let description = pc.set_local_description_implicit().await?;
    /// // send `description` to the other peer...
    /// # Ok(()) }
    /// ```
    pub async fn set_local_description_implicit(&self) -> Result<SessionDescription, Error> {
        sys::peer::set_local_description(&self.raw, None).await?;
        self.local_description().ok_or_else(|| {
            Error::Operation("no local description after setLocalDescription()".into())
        })
    }

    /// Applies the remote peer's offer or answer ([`setRemoteDescription`](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/setRemoteDescription)).
    ///
    /// # Errors
    /// [`Error::Syntax`] (or [`Error::InvalidAccess`]/[`Error::Operation`], as the browser
    /// reports it) for malformed SDP; [`Error::InvalidState`] when it does not fit the
    /// signaling state.
    ///
    /// ```no_run
    /// # async fn run(pc: &rtcweb::PeerConnection, answer: rtcweb::SessionDescription) -> Result<(), rtcweb::Error> {
    /// pc.set_remote_description(&answer).await?;
    /// # Ok(()) }
    /// ```
    pub async fn set_remote_description(
        &self,
        description: &SessionDescription,
    ) -> Result<(), Error> {
        sys::peer::set_remote_description(&self.raw, description).await
    }

    /// Adds a remote candidate, or the end of candidates
    /// ([`addIceCandidate`](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/addIceCandidate)).
    ///
    /// # Errors
    /// [`Error::Parse`] for a malformed candidate line (checked here, because Firefox ignores
    /// such candidates silently); [`Error::InvalidState`] before a remote description is set;
    /// the browser's error ([`Error::Operation`]) for a candidate it cannot use.
    ///
    /// ```no_run
    /// # async fn run(pc: &rtcweb::PeerConnection, candidate: rtcweb::IceCandidate) -> Result<(), rtcweb::Error> {
    /// pc.add_ice_candidate(&candidate).await?;
    /// pc.add_ice_candidate(&rtcweb::IceCandidate::end_of_candidates()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn add_ice_candidate(&self, candidate: &IceCandidate) -> Result<(), Error> {
        if !candidate.is_end_of_candidates() {
            candidate.line()?;
        }
        sys::peer::add_ice_candidate(&self.raw, candidate).await
    }

    /// Asks for an ICE restart at the next negotiation
    /// ([`restartIce`](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/restartIce)):
    /// `negotiationneeded` fires, and the next offer carries new ICE credentials.
    ///
    /// # Errors
    /// The browser's error, if it throws; [`Error::Unsupported`] in browsers without
    /// `restartIce` (there, create an offer with [`OfferOptions::ice_restart`]).
    ///
    /// ```no_run
    /// # async fn run(pc: &rtcweb::PeerConnection) -> Result<(), rtcweb::Error> {
    /// pc.restart_ice()?;
    /// let offer = pc.set_local_description_implicit().await?;
    /// # Ok(()) }
    /// ```
    pub fn restart_ice(&self) -> Result<(), Error> {
        sys::peer::restart_ice(&self.raw)
    }

    /// Closes the connection and its channels, and ends every stream of it
    /// ([`close`](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/close)).
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection) {
    /// pc.close();
    /// assert_eq!(pc.signaling_state(), rtcweb::peer::SignalingState::Closed);
    /// # }
    /// ```
    pub fn close(&self) {
        self.raw.close();
        // The browser fires no state events for a local close: end the streams here.
        self.closed.fire();
    }

    /// Creates a data channel ([`createDataChannel`](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/createDataChannel)).
    ///
    /// # Errors
    /// [`Error::Type`] for invalid options (both retransmit limits, a negotiated id above
    /// 65534, a protocol beside splitting); [`Error::InvalidState`] when closed.
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection) -> Result<(), rtcweb::Error> {
    /// let chat = pc.create_data_channel(&rtcweb::DataChannelOptions::new("chat"))?;
    /// # Ok(()) }
    /// ```
    pub fn create_data_channel(&self, options: &DataChannelOptions) -> Result<DataChannel, Error> {
        DataChannel::create(&self.raw, options)
    }

    /// The signaling state.
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection) {
    /// let stable = pc.signaling_state() == rtcweb::peer::SignalingState::Stable;
    /// # }
    /// ```
    pub fn signaling_state(&self) -> SignalingState {
        sys::state(&self.raw, "signalingState").unwrap_or(SignalingState::Closed)
    }

    /// The ICE gathering state.
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection) {
    /// let done = pc.ice_gathering_state() == rtcweb::ice::IceGatheringState::Complete;
    /// # }
    /// ```
    pub fn ice_gathering_state(&self) -> IceGatheringState {
        sys::state(&self.raw, "iceGatheringState").unwrap_or(IceGatheringState::Complete)
    }

    /// The ICE connection state.
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection) {
    /// let state = pc.ice_connection_state();
    /// # }
    /// ```
    pub fn ice_connection_state(&self) -> IceConnectionState {
        sys::state(&self.raw, "iceConnectionState").unwrap_or(IceConnectionState::Closed)
    }

    /// The connection state, derived from the ICE state where the browser lacks it.
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection) {
    /// let connected = pc.connection_state() == rtcweb::peer::PeerConnectionState::Connected;
    /// # }
    /// ```
    pub fn connection_state(&self) -> PeerConnectionState {
        connection_state(&self.raw)
    }

    /// The local description, pending or current.
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection) {
    /// let sdp = pc.local_description().map(|d| d.sdp);
    /// # }
    /// ```
    pub fn local_description(&self) -> Option<SessionDescription> {
        sys::peer::description(&self.raw, "localDescription")
    }

    /// The remote description, pending or current.
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection) {
    /// let has_remote = pc.remote_description().is_some();
    /// # }
    /// ```
    pub fn remote_description(&self) -> Option<SessionDescription> {
        sys::peer::description(&self.raw, "remoteDescription")
    }

    /// The local description of the last completed negotiation.
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection) {
    /// let current = pc.current_local_description();
    /// # }
    /// ```
    pub fn current_local_description(&self) -> Option<SessionDescription> {
        sys::peer::description(&self.raw, "currentLocalDescription")
    }

    /// The remote description of the last completed negotiation.
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection) {
    /// let current = pc.current_remote_description();
    /// # }
    /// ```
    pub fn current_remote_description(&self) -> Option<SessionDescription> {
        sys::peer::description(&self.raw, "currentRemoteDescription")
    }

    /// Local ICE candidates as they are gathered, to send to the other peer. The end of
    /// gathering arrives as [`IceCandidate::end_of_candidates`]; an ICE restart gathers again.
    /// Subscribe before setting the local description, or early candidates are missed.
    ///
    /// ```no_run
    /// use futures::StreamExt;
    ///
    /// # async fn run(pc: &rtcweb::PeerConnection) {
    /// let mut candidates = pc.ice_candidates();
    /// while let Some(candidate) = candidates.next().await {
    ///     let json = serde_json::to_string(&candidate).unwrap();
    ///     // send `json` to the other peer...
    /// }
    /// # }
    /// ```
    pub fn ice_candidates(&self) -> EventStream<IceCandidate> {
        self.listen("icecandidate", |event| {
            Some(sys::peer::candidate_from_js(&sys::get(event, "candidate")))
        })
    }

    /// Each new signaling state.
    ///
    /// ```no_run
    /// use futures::StreamExt;
    /// # async fn run(pc: &rtcweb::PeerConnection) {
    /// let mut states = pc.signaling_state_changes();
    /// while let Some(state) = states.next().await { println!("{state}"); }
    /// # }
    /// ```
    pub fn signaling_state_changes(&self) -> EventStream<SignalingState> {
        let raw = self.raw.clone();
        self.listen("signalingstatechange", move |_| {
            sys::state(&raw, "signalingState")
        })
    }

    /// Each new ICE gathering state.
    ///
    /// ```no_run
    /// use futures::StreamExt;
    /// # async fn run(pc: &rtcweb::PeerConnection) {
    /// let mut states = pc.ice_gathering_state_changes();
    /// while let Some(state) = states.next().await { println!("{state}"); }
    /// # }
    /// ```
    pub fn ice_gathering_state_changes(&self) -> EventStream<IceGatheringState> {
        let raw = self.raw.clone();
        self.listen("icegatheringstatechange", move |_| {
            sys::state(&raw, "iceGatheringState")
        })
    }

    /// Each new ICE connection state.
    ///
    /// ```no_run
    /// use futures::StreamExt;
    /// # async fn run(pc: &rtcweb::PeerConnection) {
    /// let mut states = pc.ice_connection_state_changes();
    /// while let Some(state) = states.next().await { println!("{state}"); }
    /// # }
    /// ```
    pub fn ice_connection_state_changes(&self) -> EventStream<IceConnectionState> {
        let raw = self.raw.clone();
        self.listen("iceconnectionstatechange", move |_| {
            sys::state(&raw, "iceConnectionState")
        })
    }

    /// Each new connection state (derived from ICE where the browser lacks `connectionState`).
    ///
    /// ```no_run
    /// use futures::StreamExt;
    /// # async fn run(pc: &rtcweb::PeerConnection) {
    /// let mut states = pc.connection_state_changes();
    /// while let Some(state) = states.next().await {
    ///     if state == rtcweb::peer::PeerConnectionState::Failed { break; }
    /// }
    /// # }
    /// ```
    pub fn connection_state_changes(&self) -> EventStream<PeerConnectionState> {
        let raw = self.raw.clone();
        let event = if sys::get(&self.raw, "connectionState").is_string() {
            "connectionstatechange"
        } else {
            "iceconnectionstatechange"
        };
        self.listen(event, move |_| Some(connection_state(&raw)))
    }

    /// Fires when a change (a new channel or track, an ICE restart) needs a new offer
    /// ([`negotiationneeded`](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/negotiationneeded_event)).
    ///
    /// ```no_run
    /// use futures::StreamExt;
    /// # async fn run(pc: &rtcweb::PeerConnection) -> Result<(), rtcweb::Error> {
    /// let mut needed = pc.negotiation_needed();
    /// while needed.next().await.is_some() {
    ///     let offer = pc.set_local_description_implicit().await?;
    ///     // send `offer`...
    /// }
    /// # Ok(()) }
    /// ```
    pub fn negotiation_needed(&self) -> EventStream<()> {
        self.listen("negotiationneeded", |_| Some(()))
    }

    /// Data channels the remote peer opens
    /// ([`datachannel`](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/datachannel_event)).
    ///
    /// There is one such stream per connection, holding every channel since the connection was
    /// made; a second call returns a stream that has already ended.
    ///
    /// ```no_run
    /// use futures::StreamExt;
    /// # async fn run(pc: &rtcweb::PeerConnection) {
    /// let mut channels = pc.data_channels();
    /// while let Some(channel) = channels.next().await {
    ///     println!("remote opened {}", channel.label());
    /// }
    /// # }
    /// ```
    pub fn data_channels(&self) -> EventStream<DataChannel> {
        EventStream::take_once(&self.incoming, Some(&self.closed))
    }

    /// A stream of `event` on the connection that ends when the connection closes.
    pub(crate) fn listen<T: 'static, I: IntoIterator<Item = T>>(
        &self,
        event: &'static str,
        map: impl FnMut(&web_sys::Event) -> I + 'static,
    ) -> EventStream<T> {
        EventStream::listen(&self.raw, event, Some(&self.closed), map)
    }

    // Media: sending tracks, transceivers and remote tracks.

    /// Sends a track to the remote peer, which sees it in `streams` (the streams' ids travel
    /// in the SDP) ([`addTrack`](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/addTrack)).
    /// A negotiation is needed afterwards.
    ///
    /// # Errors
    /// [`Error::InvalidAccess`] when the track is already sent on this connection;
    /// [`Error::InvalidState`] when the connection is closed; [`Error::Unsupported`] in old
    /// browsers that have only `addStream` (no senders): use [`add_stream`](Self::add_stream)
    /// there.
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection, media: &rtcweb::LocalMedia) -> Result<(), rtcweb::Error> {
    /// for track in media.tracks() {
    ///     pc.add_track(&track, &[media.stream()])?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn add_track(
        &self,
        track: &MediaTrack,
        streams: &[&MediaStream],
    ) -> Result<RtpSender, Error> {
        let streams: Vec<&web_sys::MediaStream> = streams.iter().map(|s| s.as_raw()).collect();
        sys::rtp::add_track(self.as_raw(), track.as_raw(), &streams).map(RtpSender::from_raw)
    }

    /// Sends every track of a stream, in that stream: [`add_track`](Self::add_track) for each.
    /// In old browsers without `addTrack` it calls the legacy `addStream` instead and returns
    /// no senders (those browsers have none).
    ///
    /// # Errors
    /// As for [`add_track`](Self::add_track); tracks added before the failure stay added.
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection, media: &rtcweb::LocalMedia) -> Result<(), rtcweb::Error> {
    /// let senders = pc.add_stream(media.stream())?;
    /// # Ok(()) }
    /// ```
    pub fn add_stream(&self, stream: &MediaStream) -> Result<Vec<RtpSender>, Error> {
        if !sys::rtp::has_add_track(self.as_raw()) {
            // Old browsers (Chrome before 64, Safari before 11): the legacy addStream, which
            // has no senders to return.
            sys::rtp::add_stream(self.as_raw(), stream.as_raw())?;
            return Ok(Vec::new());
        }
        stream
            .tracks()
            .iter()
            .map(|track| self.add_track(track, &[stream]))
            .collect()
    }

    /// Stops sending a sender's track; its transceiver stays, receiving only
    /// ([`removeTrack`](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/removeTrack)).
    /// A negotiation is needed afterwards.
    ///
    /// # Errors
    /// [`Error::InvalidState`] when the connection is closed; [`Error::InvalidAccess`] for a
    /// sender of another connection.
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection, sender: &rtcweb::media::RtpSender) -> Result<(), rtcweb::Error> {
    /// pc.remove_track(sender)?;
    /// # Ok(()) }
    /// ```
    pub fn remove_track(&self, sender: &RtpSender) -> Result<(), Error> {
        sys::rtp::remove_track(self.as_raw(), sender.as_raw())
    }

    /// Stops sending every track of `stream`: [`remove_track`](Self::remove_track) for each
    /// sender whose track is in it (the legacy `removeStream` in old browsers without
    /// `addTrack`).
    ///
    /// # Errors
    /// As for [`remove_track`](Self::remove_track).
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection, media: &rtcweb::LocalMedia) -> Result<(), rtcweb::Error> {
    /// pc.remove_stream(media.stream())?;
    /// # Ok(()) }
    /// ```
    pub fn remove_stream(&self, stream: &MediaStream) -> Result<(), Error> {
        if !sys::rtp::has_add_track(self.as_raw()) {
            // Old browsers without senders: the legacy removeStream.
            return sys::rtp::remove_stream(self.as_raw(), stream.as_raw());
        }
        let tracks = stream.tracks();
        for sender in self.senders() {
            if sender.track().is_some_and(|t| tracks.contains(&t)) {
                self.remove_track(&sender)?;
            }
        }
        Ok(())
    }

    /// Adds a transceiver for `kind` with no track yet, such as to receive without sending
    /// ([`addTransceiver`](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/addTransceiver)).
    ///
    /// # Errors
    /// [`Error::InvalidState`] when the connection is closed; [`Error::Unsupported`] in
    /// browsers without transceivers.
    ///
    /// ```no_run
    /// use rtcweb::media::{MediaKind, TransceiverDirection, TransceiverInit};
    /// # fn run(pc: &rtcweb::PeerConnection) -> Result<(), rtcweb::Error> {
    /// let init = TransceiverInit { direction: TransceiverDirection::RecvOnly, ..Default::default() };
    /// pc.add_transceiver(MediaKind::Audio, &init)?;
    /// # Ok(()) }
    /// ```
    pub fn add_transceiver(
        &self,
        kind: MediaKind,
        init: &TransceiverInit,
    ) -> Result<Transceiver, Error> {
        sys::rtp::add_transceiver(
            self.as_raw(),
            &JsValue::from_str(kind.as_str()),
            init.direction.as_str(),
            &init
                .streams
                .iter()
                .map(MediaStream::as_raw)
                .collect::<Vec<_>>(),
        )
        .map(Transceiver::from_raw)
    }

    /// Adds a transceiver that sends `track`.
    ///
    /// # Errors
    /// As for [`add_transceiver`](Self::add_transceiver).
    ///
    /// ```no_run
    /// use rtcweb::media::{TransceiverDirection, TransceiverInit};
    /// # fn run(pc: &rtcweb::PeerConnection, camera: &rtcweb::MediaTrack) -> Result<(), rtcweb::Error> {
    /// let init = TransceiverInit { direction: TransceiverDirection::SendOnly, ..Default::default() };
    /// let t = pc.add_transceiver_with_track(camera, &init)?;
    /// # Ok(()) }
    /// ```
    pub fn add_transceiver_with_track(
        &self,
        track: &MediaTrack,
        init: &TransceiverInit,
    ) -> Result<Transceiver, Error> {
        sys::rtp::add_transceiver(
            self.as_raw(),
            track.as_raw(),
            init.direction.as_str(),
            &init
                .streams
                .iter()
                .map(MediaStream::as_raw)
                .collect::<Vec<_>>(),
        )
        .map(Transceiver::from_raw)
    }

    /// The connection's transceivers ([`getTransceivers`](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/getTransceivers)).
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection) {
    /// for t in pc.transceivers() { println!("{:?} {}", t.mid(), t.direction()); }
    /// # }
    /// ```
    pub fn transceivers(&self) -> Vec<Transceiver> {
        sys::rtp::list(self.as_raw(), "getTransceivers")
            .into_iter()
            .map(Transceiver::from_raw)
            .collect()
    }

    /// The connection's senders ([`getSenders`](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/getSenders)).
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection) {
    /// let sending = pc.senders().iter().filter(|s| s.track().is_some()).count();
    /// # }
    /// ```
    pub fn senders(&self) -> Vec<RtpSender> {
        sys::rtp::list(self.as_raw(), "getSenders")
            .into_iter()
            .map(RtpSender::from_raw)
            .collect()
    }

    /// The connection's receivers ([`getReceivers`](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/getReceivers)).
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection) {
    /// let remote_tracks: Vec<_> = pc.receivers().iter().map(|r| r.track()).collect();
    /// # }
    /// ```
    pub fn receivers(&self) -> Vec<RtpReceiver> {
        sys::rtp::list(self.as_raw(), "getReceivers")
            .into_iter()
            .map(RtpReceiver::from_raw)
            .collect()
    }

    /// Tracks the remote peer sends, as they arrive with their streams
    /// ([`track`](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/track_event)
    /// events). They arrive while the remote description is applied: subscribe before calling
    /// [`set_remote_description`](Self::set_remote_description), or find them later through
    /// [`receivers`](Self::receivers). The stream ends when the connection is closed.
    ///
    /// Old browsers without the `track` event (Chrome before 56, Safari before 11) fire
    /// `addstream` once per remote stream instead: there each of the stream's tracks arrives
    /// as a [`RemoteTrack`] (video before audio), without receiver or transceiver.
    ///
    /// ```no_run
    /// use futures::StreamExt;
    /// # async fn run(pc: &rtcweb::PeerConnection) {
    /// let mut tracks = pc.tracks();
    /// while let Some(remote) = tracks.next().await {
    ///     println!("remote {} track", remote.track.kind());
    /// }
    /// # }
    /// ```
    pub fn tracks(&self) -> EventStream<RemoteTrack> {
        fn remote(event: sys::rtp::TrackEvent) -> RemoteTrack {
            RemoteTrack {
                track: MediaTrack::from_raw(event.track),
                streams: event
                    .streams
                    .into_iter()
                    .map(MediaStream::from_raw)
                    .collect(),
                receiver: event.receiver.map(RtpReceiver::from_raw),
                transceiver: event.transceiver.map(Transceiver::from_raw),
            }
        }
        if sys::rtp::has_track_event(self.as_raw()) {
            self.listen("track", |event| sys::rtp::track_event(event).map(remote))
        } else {
            self.listen("addstream", |event| {
                sys::rtp::add_stream_event(event)
                    .into_iter()
                    .map(remote)
                    .collect::<Vec<_>>()
            })
        }
    }

    // Statistics.

    /// The connection's statistics ([`getStats`](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/getStats)).
    ///
    /// # Errors
    /// The browser's, which in practice has none (a closed connection reports what it had).
    ///
    /// ```no_run
    /// # async fn run(pc: &rtcweb::PeerConnection) -> Result<(), rtcweb::Error> {
    /// let report = pc.stats().await?;
    /// let rtt = report.selected_candidate_pair().and_then(|p| p.current_round_trip_time);
    /// # Ok(()) }
    /// ```
    pub async fn stats(&self) -> Result<StatsReport, Error> {
        sys::stats::peer_stats(self.as_raw(), None)
            .await
            .map(StatsReport::new)
    }

    /// Statistics about one track sent or received on this connection
    /// ([`getStats(track)`](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/getStats#selector)).
    ///
    /// # Errors
    /// [`Error::InvalidAccess`] when no sender or receiver has this track.
    ///
    /// ```no_run
    /// # async fn run(pc: &rtcweb::PeerConnection, camera: &rtcweb::MediaTrack) -> Result<(), rtcweb::Error> {
    /// let report = pc.stats_for(camera).await?;
    /// # Ok(()) }
    /// ```
    pub async fn stats_for(&self, track: &MediaTrack) -> Result<StatsReport, Error> {
        sys::stats::peer_stats(self.as_raw(), Some(track.as_raw()))
            .await
            .map(StatsReport::new)
    }
}

fn connection_state(raw: &RtcPeerConnection) -> PeerConnectionState {
    sys::state(raw, "connectionState").unwrap_or_else(|| {
        PeerConnectionState::from_ice(
            sys::state(raw, "iceConnectionState").unwrap_or(IceConnectionState::Closed),
        )
    })
}

impl Drop for PeerConnection {
    fn drop(&mut self) {
        self.close();
    }
}

impl std::fmt::Debug for PeerConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PeerConnection")
            .field("signaling_state", &self.signaling_state())
            .field("connection_state", &self.connection_state())
            .finish_non_exhaustive()
    }
}
