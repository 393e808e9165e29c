//! How a peer connection is configured and what states it reports: [`Configuration`],
//! [`OfferOptions`] and the state enums of [`RTCPeerConnection`].
//!
//! [`RTCPeerConnection`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection

use crate::error::Error;
use crate::types::ice::{IceConnectionState, IceServer, IceTransportPolicy};

string_enum! {
    /// How media tracks are bundled onto transports ([`bundlePolicy`]).
    ///
    /// ```
    /// assert_eq!(rtcweb::peer::BundlePolicy::MaxBundle.as_str(), "max-bundle");
    /// ```
    ///
    /// [`bundlePolicy`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/RTCPeerConnection#bundlepolicy
    #[derive(Default)]
    pub enum BundlePolicy("bundle policy" in "peer") {
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
    /// assert_eq!("have-local-offer".parse::<rtcweb::peer::SignalingState>()?, rtcweb::peer::SignalingState::HaveLocalOffer);
    /// # Ok::<(), rtcweb::Error>(())
    /// ```
    ///
    /// [`signalingState`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/signalingState
    pub enum SignalingState("signaling state" in "peer") {
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
    /// assert_eq!(rtcweb::peer::PeerConnectionState::Connected.to_string(), "connected");
    /// ```
    ///
    /// [`connectionState`]: https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/connectionState
    pub enum PeerConnectionState("connection state" in "peer") {
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
    /// use rtcweb::{ice::IceConnectionState, peer::PeerConnectionState};
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
/// use rtcweb::{Configuration, IceServer, ice::IceTransportPolicy};
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

/// Options of [`PeerConnection::create_offer`](crate::peer::PeerConnection::create_offer) ([`RTCOfferOptions`]).
///
/// ```
/// let restart = rtcweb::peer::OfferOptions { ice_restart: true, ..Default::default() };
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
    /// let options = rtcweb::peer::OfferOptions::from_constraints(&legacy);
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
