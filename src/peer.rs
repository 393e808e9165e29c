//! Peer connections ([`RTCPeerConnection`]): negotiation, ICE, state, and data channels.
//!
//! [`RTCPeerConnection`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection

use std::cell::RefCell;

use futures::channel::mpsc;
use gloo_events::EventListener;
use wasm_bindgen::JsCast;
use web_sys::{RtcDataChannel, RtcPeerConnection};

use crate::event::{CloseSignal, EventStream};
use crate::{
    sys, DataChannel, DataChannelOptions, Error, IceCandidate, IceConnectionState,
    IceGatheringState, IceServer, IceTransportPolicy, SessionDescription,
};

string_enum! {
    /// How media tracks are bundled onto transports ([`bundlePolicy`]).
    ///
    /// ```
    /// assert_eq!(rtcweb::BundlePolicy::MaxBundle.as_str(), "max-bundle");
    /// ```
    ///
    /// [`bundlePolicy`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/RTCPeerConnection#bundlepolicy
    #[derive(Default)]
    pub enum BundlePolicy("bundle policy") {
        /// One transport per media kind unless the remote bundles.
        #[default]
        Balanced = "balanced",
        /// One transport per track unless the remote bundles.
        MaxCompat = "max-compat",
        /// Everything on one transport.
        MaxBundle = "max-bundle",
    }
}

string_enum! {
    /// Where the offer/answer exchange stands ([`signalingState`]).
    ///
    /// ```
    /// assert_eq!("have-local-offer".parse::<rtcweb::SignalingState>()?, rtcweb::SignalingState::HaveLocalOffer);
    /// # Ok::<(), rtcweb::Error>(())
    /// ```
    ///
    /// [`signalingState`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/signalingState
    pub enum SignalingState("signaling state") {
        /// No exchange in progress.
        Stable = "stable",
        /// A local offer was set; waiting for the answer.
        HaveLocalOffer = "have-local-offer",
        /// A remote offer was set; an answer is due.
        HaveRemoteOffer = "have-remote-offer",
        /// A local provisional answer was set.
        HaveLocalPranswer = "have-local-pranswer",
        /// A remote provisional answer was set.
        HaveRemotePranswer = "have-remote-pranswer",
        /// The connection is closed.
        Closed = "closed",
    }
}

string_enum! {
    /// The overall state of the connection ([`connectionState`]).
    ///
    /// ```
    /// assert_eq!(rtcweb::PeerConnectionState::Connected.to_string(), "connected");
    /// ```
    ///
    /// [`connectionState`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/connectionState
    pub enum PeerConnectionState("connection state") {
        /// Nothing started.
        New = "new",
        /// ICE or DTLS is being established.
        Connecting = "connecting",
        /// Connected.
        Connected = "connected",
        /// Connectivity was lost, perhaps for a moment.
        Disconnected = "disconnected",
        /// Failed; an ICE restart may recover.
        Failed = "failed",
        /// Closed.
        Closed = "closed",
    }
}

impl PeerConnectionState {
    /// The connection state implied by the ICE state, for browsers without `connectionState`
    /// (Firefox before 113, Safari before 11).
    ///
    /// ```
    /// use rtcweb::{IceConnectionState, PeerConnectionState};
    /// assert_eq!(PeerConnectionState::from_ice(IceConnectionState::Completed), PeerConnectionState::Connected);
    /// ```
    pub fn from_ice(ice: IceConnectionState) -> Self {
        match ice {
            IceConnectionState::New => PeerConnectionState::New,
            IceConnectionState::Checking => PeerConnectionState::Connecting,
            IceConnectionState::Connected | IceConnectionState::Completed => {
                PeerConnectionState::Connected
            }
            IceConnectionState::Disconnected => PeerConnectionState::Disconnected,
            IceConnectionState::Failed => PeerConnectionState::Failed,
            IceConnectionState::Closed => PeerConnectionState::Closed,
        }
    }
}

/// How to create a peer connection ([`RTCConfiguration`]).
///
/// ```
/// use rtcweb::{Configuration, IceServer, IceTransportPolicy};
///
/// let config = Configuration {
///     ice_servers: vec![
///         IceServer::new("stun:stun.l.google.com:19302"),
///         IceServer::new("turn:turn.example.org:3478").with_credentials("user", "secret"),
///     ],
///     ice_transport_policy: IceTransportPolicy::All,
///     ..Default::default()
/// };
/// assert_eq!(config.ice_servers.len(), 2);
/// ```
///
/// [`RTCConfiguration`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/RTCPeerConnection#configuration
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Configuration {
    /// STUN and TURN servers.
    pub ice_servers: Vec<IceServer>,
    /// Which candidates ICE may use.
    pub ice_transport_policy: IceTransportPolicy,
    /// How media is bundled onto transports.
    pub bundle_policy: BundlePolicy,
    /// Candidates to gather before an offer exists, to connect faster.
    pub ice_candidate_pool_size: Option<u8>,
}

impl Configuration {
    /// Checks the ICE servers as the specification asks, so every browser refuses the same
    /// mistakes (Firefox accepts URLs of other schemes that Chromium refuses).
    ///
    /// # Errors
    /// [`Error::Syntax`] for a URL without a `stun:`, `stuns:`, `turn:` or `turns:` scheme or
    /// without a host; [`Error::InvalidAccess`] for a TURN server without username and
    /// credential.
    ///
    /// ```
    /// use rtcweb::{Configuration, Error, IceServer};
    ///
    /// let bad = Configuration { ice_servers: vec![IceServer::new("http://example.org")], ..Default::default() };
    /// assert!(matches!(bad.validate(), Err(Error::Syntax(_))));
    /// let turn = Configuration { ice_servers: vec![IceServer::new("turn:example.org")], ..Default::default() };
    /// assert!(matches!(turn.validate(), Err(Error::InvalidAccess(_))));
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        for server in &self.ice_servers {
            if server.urls.is_empty() {
                return Err(Error::Syntax("an ICE server needs at least one URL".into()));
            }
            for url in &server.urls {
                let (scheme, rest) = url.split_once(':').unwrap_or(("", ""));
                let host = rest.split(['?', ':']).next().unwrap_or("");
                match scheme {
                    "stun" | "stuns" | "turn" | "turns"
                        if !host.is_empty() && !rest.starts_with('/') => {}
                    _ => {
                        return Err(Error::Syntax(format!(
                            "{url:?} is not a stun:, stuns:, turn: or turns: URL with a host"
                        )))
                    }
                }
                if scheme.starts_with("turn")
                    && (server.username.is_none() || server.credential.is_none())
                {
                    return Err(Error::InvalidAccess(format!(
                        "the TURN server {url:?} needs a username and a credential"
                    )));
                }
            }
        }
        Ok(())
    }
}

/// Options of [`PeerConnection::create_offer`] ([`RTCOfferOptions`]).
///
/// ```
/// let restart = rtcweb::OfferOptions { ice_restart: true, ..Default::default() };
/// assert!(restart.offer_to_receive_video.is_none());
/// ```
///
/// [`RTCOfferOptions`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/createOffer#options
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OfferOptions {
    /// Gathers new ICE credentials and candidates, restarting ICE.
    pub ice_restart: bool,
    /// The legacy way to receive audio without sending any (a recvonly transceiver today).
    pub offer_to_receive_audio: Option<bool>,
    /// The legacy way to receive video without sending any.
    pub offer_to_receive_video: Option<bool>,
}

impl OfferOptions {
    /// Reads offer constraints in any of the forms browsers have taken: the modern
    /// `{offerToReceiveAudio, iceRestart}`, the old `{mandatory: {OfferToReceiveAudio,
    /// IceRestart}}`, and the old `{optional: [{OfferToReceiveVideo: true}]}`. Unknown keys
    /// (such as `VoiceActivityDetection`) are ignored, as browsers ignored them.
    ///
    /// ```
    /// let legacy = serde_json::json!({"mandatory": {"OfferToReceiveAudio": true, "OfferToReceiveVideo": false}});
    /// let options = rtcweb::OfferOptions::from_constraints(&legacy);
    /// assert_eq!(options.offer_to_receive_audio, Some(true));
    /// assert_eq!(options.offer_to_receive_video, Some(false));
    /// ```
    pub fn from_constraints(constraints: &serde_json::Value) -> Self {
        let mut options = OfferOptions::default();
        let mut read = |dict: &serde_json::Value| {
            let Some(dict) = dict.as_object() else { return };
            for (key, value) in dict {
                let Some(flag) = value.as_bool() else {
                    continue;
                };
                // Old names are capitalised; modern ones camelCase.
                match key.to_ascii_lowercase().as_str() {
                    "offertoreceiveaudio" => options.offer_to_receive_audio = Some(flag),
                    "offertoreceivevideo" => options.offer_to_receive_video = Some(flag),
                    "icerestart" => options.ice_restart = flag,
                    _ => {}
                }
            }
        };
        read(constraints);
        read(&constraints["mandatory"]);
        for optional in constraints["optional"].as_array().into_iter().flatten() {
            read(optional);
        }
        options
    }
}

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
        sys::new_peer_connection(config).map(PeerConnection::from_raw)
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
    /// let offer = pc.create_offer(&rtcweb::OfferOptions::default()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_offer(&self, options: &OfferOptions) -> Result<SessionDescription, Error> {
        sys::create_offer(&self.raw, options).await
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
        sys::create_answer(&self.raw).await
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
        sys::set_local_description(&self.raw, Some(description)).await
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
        sys::set_local_description(&self.raw, None).await?;
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
        sys::set_remote_description(&self.raw, description).await
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
        sys::add_ice_candidate(&self.raw, candidate).await
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
        sys::restart_ice(&self.raw)
    }

    /// Closes the connection and its channels, and ends every stream of it
    /// ([`close`](https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/close)).
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection) {
    /// pc.close();
    /// assert_eq!(pc.signaling_state(), rtcweb::SignalingState::Closed);
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
    /// let stable = pc.signaling_state() == rtcweb::SignalingState::Stable;
    /// # }
    /// ```
    pub fn signaling_state(&self) -> SignalingState {
        sys::state(&self.raw, "signalingState").unwrap_or(SignalingState::Closed)
    }

    /// The ICE gathering state.
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection) {
    /// let done = pc.ice_gathering_state() == rtcweb::IceGatheringState::Complete;
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
    /// let connected = pc.connection_state() == rtcweb::PeerConnectionState::Connected;
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
        sys::description(&self.raw, "localDescription")
    }

    /// The remote description, pending or current.
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection) {
    /// let has_remote = pc.remote_description().is_some();
    /// # }
    /// ```
    pub fn remote_description(&self) -> Option<SessionDescription> {
        sys::description(&self.raw, "remoteDescription")
    }

    /// The local description of the last completed negotiation.
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection) {
    /// let current = pc.current_local_description();
    /// # }
    /// ```
    pub fn current_local_description(&self) -> Option<SessionDescription> {
        sys::description(&self.raw, "currentLocalDescription")
    }

    /// The remote description of the last completed negotiation.
    ///
    /// ```no_run
    /// # fn run(pc: &rtcweb::PeerConnection) {
    /// let current = pc.current_remote_description();
    /// # }
    /// ```
    pub fn current_remote_description(&self) -> Option<SessionDescription> {
        sys::description(&self.raw, "currentRemoteDescription")
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
            Some(sys::candidate_from_js(&sys::get(event, "candidate")))
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
    ///     if state == rtcweb::PeerConnectionState::Failed { break; }
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn offer_constraints_read_in_every_form() {
        let modern = OfferOptions::from_constraints(
            &json!({"offerToReceiveVideo": true, "iceRestart": true}),
        );
        assert_eq!(
            modern,
            OfferOptions {
                ice_restart: true,
                offer_to_receive_audio: None,
                offer_to_receive_video: Some(true)
            }
        );
        let mandatory = OfferOptions::from_constraints(
            &json!({"mandatory": {"OfferToReceiveAudio": true, "IceRestart": true, "VoiceActivityDetection": false}}),
        );
        assert_eq!(mandatory.offer_to_receive_audio, Some(true));
        assert!(mandatory.ice_restart);
        let optional = OfferOptions::from_constraints(
            &json!({"optional": [{"OfferToReceiveVideo": false}, {"DtlsSrtpKeyAgreement": true}]}),
        );
        assert_eq!(optional.offer_to_receive_video, Some(false));
        assert_eq!(
            OfferOptions::from_constraints(&json!(null)),
            OfferOptions::default()
        );
        assert_eq!(
            OfferOptions::from_constraints(&json!({"mandatory": "nonsense"})),
            OfferOptions::default()
        );
    }

    #[test]
    fn configuration_validation_follows_the_spec() {
        let with = |urls: &str| Configuration {
            ice_servers: vec![IceServer::new(urls)],
            ..Default::default()
        };
        assert_eq!(with("stun:stun.example.org:3478").validate(), Ok(()));
        assert_eq!(with("stuns:example.org").validate(), Ok(()));
        assert!(matches!(with("stun:").validate(), Err(Error::Syntax(_))));
        assert!(matches!(
            with("example.org").validate(),
            Err(Error::Syntax(_))
        ));
        assert!(matches!(
            with("turn://example.org").validate(),
            Err(Error::Syntax(_))
        ));
        assert!(matches!(
            with("turns:example.org").validate(),
            Err(Error::InvalidAccess(_))
        ));
        let turn = Configuration {
            ice_servers: vec![
                IceServer::new("turn:example.org?transport=tcp").with_credentials("u", "p")
            ],
            ..Default::default()
        };
        assert_eq!(turn.validate(), Ok(()));
    }
}
