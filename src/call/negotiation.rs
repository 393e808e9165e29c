//! Perfect negotiation's decisions and the gating of ICE candidates, as pure state.
//!
//! [`Negotiation`] follows the current webrtc-pc example ("Perfect Negotiation Example":
//! `makingOffer`, `ignoreOffer`, `isSettingRemoteAnswerPending`, implicit rollback on the polite
//! side). [`CandidateGate`] holds remote candidates until the remote description of their ICE
//! generation (`usernameFragment`) is set, drops those of an ignored offer, and lets one
//! end-of-candidates through per generation. [`LocalCandidates`] sends one end-of-candidates per
//! local generation (Firefox fires two). `peer.rs` applies these decisions to a
//! `PeerConnection`; native tests cover them here.

use litemap::LiteMap;

use crate::peer::SignalingState;
use crate::types::ice::IceCandidate;
use crate::types::sdp::SdpType;

/// Remote candidates kept while waiting for their description; more are dropped (a peer that
/// floods candidates for a generation it never describes cannot grow memory without bound).
const MAX_PENDING: usize = 512;

/// Whether the local peer is the polite one towards `remote`: the larger id yields on glare.
/// Both sides compute the same answer from the same two ids, so exactly one is polite.
///
/// ```
/// use rtcweb::call::is_polite;
/// assert!(is_polite("bob", "alice"));
/// assert!(!is_polite("alice", "bob"));
/// ```
pub fn is_polite(local: &str, remote: &str) -> bool {
    local > remote
}

/// The `a=ice-ufrag` of a description: its ICE generation (the first one; bundled media share
/// it).
pub(crate) fn ice_ufrag(sdp: &str) -> Option<String> {
    sdp.lines()
        .find_map(|line| line.trim_end().strip_prefix("a=ice-ufrag:"))
        .map(str::to_owned)
}

/// The `o=` line of a description: it names the session and its version, which changes with
/// every new offer of that connection.
pub(crate) fn origin(sdp: &str) -> Option<String> {
    sdp.lines()
        .find(|line| line.starts_with("o="))
        .map(|line| line.trim_end().to_owned())
}

/// What to do with a remote description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DescriptionAction {
    /// An offer that collides with ours on the impolite side: ignore it (and its candidates).
    Ignore,
    /// Apply it (`setRemoteDescription`, which rolls back our own offer implicitly on the
    /// polite side), then answer if it is an offer.
    Apply {
        /// Whether an answer is due afterwards.
        answer: bool,
    },
}

/// The negotiation flags of one peer connection.
#[derive(Debug, Clone)]
pub(crate) struct Negotiation {
    polite: bool,
    making_offer: bool,
    ignore_offer: bool,
    setting_remote_answer_pending: bool,
    /// `restartIce()` was called and no offer made since: the restart's offer is coming.
    restart_pending: bool,
}

impl Negotiation {
    pub(crate) fn new(polite: bool) -> Self {
        Negotiation {
            polite,
            making_offer: false,
            ignore_offer: false,
            setting_remote_answer_pending: false,
            restart_pending: false,
        }
    }

    /// We called `restartIce()`: until our next offer, a remote offer collides with it as with
    /// an offer in the making. Answered instead, it would get the restart's new ICE
    /// credentials in an answer to an offer that restarted nothing, which Firefox refuses.
    pub(crate) fn begin_restart(&mut self) {
        self.restart_pending = true;
    }

    /// The restart's offer never came (`negotiationneeded` did not fire): stop waiting for it.
    pub(crate) fn restart_expired(&mut self) {
        self.restart_pending = false;
    }

    /// `negotiationneeded`: we are about to `setLocalDescription()` an offer.
    pub(crate) fn begin_offer(&mut self) {
        self.making_offer = true;
        self.restart_pending = false;
    }

    /// The offer was set (or failed): `finally { makingOffer = false }`.
    pub(crate) fn end_offer(&mut self) {
        self.making_offer = false;
    }

    /// A remote description arrived while the connection is in `signaling`.
    pub(crate) fn on_remote_description(
        &mut self,
        kind: SdpType,
        signaling: SignalingState,
    ) -> DescriptionAction {
        let ready_for_offer = !self.making_offer
            && !self.restart_pending
            && (signaling == SignalingState::Stable || self.setting_remote_answer_pending);
        let collision = kind == SdpType::Offer && !ready_for_offer;
        self.ignore_offer = !self.polite && collision;
        if self.ignore_offer {
            return DescriptionAction::Ignore;
        }
        self.setting_remote_answer_pending = kind == SdpType::Answer;
        DescriptionAction::Apply {
            answer: kind == SdpType::Offer,
        }
    }

    /// `setRemoteDescription` settled (either way).
    pub(crate) fn remote_description_settled(&mut self) {
        self.setting_remote_answer_pending = false;
    }

    /// Whether the last remote offer was ignored: errors adding its candidates are expected.
    pub(crate) fn ignoring_offer(&self) -> bool {
        self.ignore_offer
    }
}

/// What to do with a remote candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CandidateAction {
    /// Add it now.
    Add(IceCandidate),
    /// Keep it until the description of its generation is set.
    Buffer,
    /// Drop it silently (an ignored offer's, an old generation's, a second end-of-candidates).
    Drop,
}

/// A few ICE generations (one per restart), as a set: a `LiteMap` to `()`, since each element
/// type of a `BTreeSet` costs the wasm module a B-tree of its own.
type Generations<T> = LiteMap<T, ()>;

/// Remote candidates, per ICE generation.
#[derive(Debug, Default, Clone)]
pub(crate) struct CandidateGate {
    /// The generation of the remote description set now, once there is one.
    remote: Option<Option<String>>,
    /// Generations of remote descriptions set before the current one.
    past: Generations<String>,
    /// Generations of offers that were ignored.
    ignored: Generations<String>,
    /// Generations whose end-of-candidates was let through.
    ended: Generations<Option<String>>,
    pending: Vec<IceCandidate>,
}

impl CandidateGate {
    /// An offer with this SDP was ignored: its candidates are held back, and dropped once a
    /// description of another generation is set (a polite peer that rolls its offer back may
    /// answer with the same ICE credentials, and then they are the answer's candidates).
    pub(crate) fn offer_ignored(&mut self, sdp: &str) {
        if let Some(ufrag) = ice_ufrag(sdp) {
            if self.remote.as_ref() != Some(&Some(ufrag.clone())) {
                self.ignored.insert(ufrag, ());
            }
        }
    }

    /// A remote description with this SDP was set: returns the buffered candidates that can be
    /// added now, in the order they came.
    pub(crate) fn remote_description_set(&mut self, sdp: &str) -> Vec<IceCandidate> {
        let ufrag = ice_ufrag(sdp);
        if let Some(Some(previous)) = self.remote.take() {
            if Some(&previous) != ufrag.as_ref() {
                self.past.insert(previous, ());
            }
        }
        if let Some(ufrag) = &ufrag {
            self.ignored.remove(ufrag);
        }
        // The ignored offers' generations are over: their candidates go.
        let ignored = std::mem::take(&mut self.ignored);
        self.pending.retain(|c| {
            c.username_fragment
                .as_ref()
                .is_none_or(|u| !ignored.contains_key(u))
        });
        for (generation, ()) in ignored {
            self.past.insert(generation, ());
        }
        self.remote = Some(ufrag);
        let pending = std::mem::take(&mut self.pending);
        let mut ready = Vec::new();
        for candidate in pending {
            match self.on_remote_candidate(candidate) {
                CandidateAction::Add(candidate) => ready.push(candidate),
                CandidateAction::Buffer | CandidateAction::Drop => {}
            }
        }
        ready
    }

    /// A remote candidate arrived.
    pub(crate) fn on_remote_candidate(&mut self, candidate: IceCandidate) -> CandidateAction {
        let ufrag = candidate.username_fragment.clone();
        if let Some(u) = &ufrag {
            if self.past.contains_key(u) {
                return CandidateAction::Drop;
            }
        }
        let Some(current) = &self.remote else {
            return self.buffer(candidate);
        };
        // A candidate without a generation belongs to the current one.
        let generation = ufrag.clone().or_else(|| current.clone());
        if ufrag.is_some() && ufrag != *current {
            return self.buffer(candidate);
        }
        if candidate.is_end_of_candidates() && self.ended.insert(generation, ()).is_some() {
            return CandidateAction::Drop;
        }
        CandidateAction::Add(candidate)
    }

    fn buffer(&mut self, candidate: IceCandidate) -> CandidateAction {
        if self.pending.len() >= MAX_PENDING {
            return CandidateAction::Drop;
        }
        self.pending.push(candidate);
        CandidateAction::Buffer
    }
}

/// Local candidates on their way out: one end-of-candidates per generation.
#[derive(Debug, Default, Clone)]
pub(crate) struct LocalCandidates {
    ended: Generations<Option<String>>,
}

impl LocalCandidates {
    /// The candidate to send for `candidate`, gathered while the local description has
    /// generation `local_ufrag`; `None` for a second end-of-candidates of that generation.
    pub(crate) fn outgoing(
        &mut self,
        mut candidate: IceCandidate,
        local_ufrag: Option<String>,
    ) -> Option<IceCandidate> {
        if candidate.username_fragment.is_none() {
            candidate.username_fragment = local_ufrag;
        }
        if candidate.is_end_of_candidates()
            && self
                .ended
                .insert(candidate.username_fragment.clone(), ())
                .is_some()
        {
            return None;
        }
        Some(candidate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(line: &str, ufrag: Option<&str>) -> IceCandidate {
        IceCandidate {
            username_fragment: ufrag.map(str::to_owned),
            ..IceCandidate::new(line, Some("0"), Some(0))
        }
    }
    fn eoc(ufrag: Option<&str>) -> IceCandidate {
        IceCandidate {
            username_fragment: ufrag.map(str::to_owned),
            ..IceCandidate::end_of_candidates()
        }
    }
    const C1: &str = "candidate:1 1 udp 1 10.0.0.1 9 typ host";
    const C2: &str = "candidate:2 1 udp 1 10.0.0.2 9 typ host";
    fn sdp(ufrag: &str) -> String {
        format!("v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=ice-ufrag:{ufrag}\r\na=ice-pwd:x\r\n")
    }

    #[test]
    fn exactly_one_side_is_polite() {
        for (a, b) in [
            ("alice", "bob"),
            ("b", "a"),
            ("peer-10", "peer-9"),
            ("x", "xy"),
        ] {
            assert_ne!(is_polite(a, b), is_polite(b, a), "{a} {b}");
        }
    }

    #[test]
    fn origin_is_read_from_sdp() {
        assert_eq!(
            origin("v=0\r\no=- 42 3 IN IP4 127.0.0.1\r\ns=-\r\n").as_deref(),
            Some("o=- 42 3 IN IP4 127.0.0.1")
        );
        assert_eq!(origin("v=0\r\n"), None);
    }

    #[test]
    fn ufrag_is_read_from_sdp() {
        assert_eq!(ice_ufrag(&sdp("Ab+1")).as_deref(), Some("Ab+1"));
        assert_eq!(ice_ufrag("v=0\r\n"), None);
    }

    #[test]
    fn glare_the_impolite_side_ignores_the_polite_side_yields() {
        // Both made an offer (have-local-offer) when the other's arrives.
        let mut impolite = Negotiation::new(false);
        let mut polite = Negotiation::new(true);
        assert_eq!(
            impolite.on_remote_description(SdpType::Offer, SignalingState::HaveLocalOffer),
            DescriptionAction::Ignore
        );
        assert!(impolite.ignoring_offer());
        assert_eq!(
            polite.on_remote_description(SdpType::Offer, SignalingState::HaveLocalOffer),
            DescriptionAction::Apply { answer: true }
        );
        assert!(!polite.ignoring_offer());
        // The impolite side then gets the polite side's answer to its own offer.
        assert_eq!(
            impolite.on_remote_description(SdpType::Answer, SignalingState::HaveLocalOffer),
            DescriptionAction::Apply { answer: false }
        );
        assert!(!impolite.ignoring_offer());
    }

    #[test]
    fn an_offer_while_a_restart_is_pending_collides() {
        // Impolite: the restart's offer wins; polite: it has no restarts of its own.
        let mut n = Negotiation::new(false);
        n.begin_restart();
        assert_eq!(
            n.on_remote_description(SdpType::Offer, SignalingState::Stable),
            DescriptionAction::Ignore
        );
        // Answers still go through.
        assert_eq!(
            n.on_remote_description(SdpType::Answer, SignalingState::HaveLocalOffer),
            DescriptionAction::Apply { answer: false }
        );
        n.remote_description_settled();
        n.begin_offer();
        n.end_offer();
        assert_eq!(
            n.on_remote_description(SdpType::Offer, SignalingState::Stable),
            DescriptionAction::Apply { answer: true }
        );
        // A restart whose offer never came stops holding offers back.
        n.begin_restart();
        n.restart_expired();
        assert_eq!(
            n.on_remote_description(SdpType::Offer, SignalingState::Stable),
            DescriptionAction::Apply { answer: true }
        );
    }

    #[test]
    fn an_offer_while_making_one_collides_even_when_stable() {
        // Stable, but setLocalDescription() of our own offer is in flight.
        let mut n = Negotiation::new(false);
        n.begin_offer();
        assert_eq!(
            n.on_remote_description(SdpType::Offer, SignalingState::Stable),
            DescriptionAction::Ignore
        );
        n.end_offer();
        assert_eq!(
            n.on_remote_description(SdpType::Offer, SignalingState::Stable),
            DescriptionAction::Apply { answer: true }
        );
    }

    #[test]
    fn an_offer_while_an_answer_is_being_set_is_no_collision() {
        // isSettingRemoteAnswerPending: the answer's SRD has not resolved yet, so the state still
        // reads have-local-offer, but we are about to be stable.
        let mut n = Negotiation::new(false);
        assert_eq!(
            n.on_remote_description(SdpType::Answer, SignalingState::HaveLocalOffer),
            DescriptionAction::Apply { answer: false }
        );
        assert_eq!(
            n.on_remote_description(SdpType::Offer, SignalingState::HaveLocalOffer),
            DescriptionAction::Apply { answer: true }
        );
        n.remote_description_settled();
        assert_eq!(
            n.on_remote_description(SdpType::Offer, SignalingState::HaveLocalOffer),
            DescriptionAction::Ignore
        );
    }

    #[test]
    fn candidates_wait_for_the_description_of_their_generation() {
        let mut gate = CandidateGate::default();
        assert_eq!(
            gate.on_remote_candidate(cand(C1, Some("u1"))),
            CandidateAction::Buffer
        );
        assert_eq!(
            gate.on_remote_candidate(cand(C2, Some("u1"))),
            CandidateAction::Buffer
        );
        assert_eq!(
            gate.remote_description_set(&sdp("u1")),
            vec![cand(C1, Some("u1")), cand(C2, Some("u1"))]
        );
        assert_eq!(
            gate.on_remote_candidate(cand(C1, None)),
            CandidateAction::Add(cand(C1, None))
        );
        // An ICE restart's candidates that outrun its offer wait for it.
        assert_eq!(
            gate.on_remote_candidate(cand(C1, Some("u2"))),
            CandidateAction::Buffer
        );
        assert_eq!(
            gate.remote_description_set(&sdp("u2")),
            vec![cand(C1, Some("u2"))]
        );
        // The old generation's stragglers are useless now.
        assert_eq!(
            gate.on_remote_candidate(cand(C2, Some("u1"))),
            CandidateAction::Drop
        );
    }

    #[test]
    fn an_ignored_offers_candidates_are_dropped() {
        let mut gate = CandidateGate::default();
        gate.remote_description_set(&sdp("u1"));
        assert_eq!(
            gate.on_remote_candidate(cand(C1, Some("u2"))),
            CandidateAction::Buffer
        );
        gate.offer_ignored(&sdp("u2"));
        assert_eq!(
            gate.on_remote_candidate(cand(C2, Some("u2"))),
            CandidateAction::Buffer
        );
        // The next description is of another generation: the ignored offer's candidates go,
        // silently, and its stragglers too.
        assert_eq!(gate.remote_description_set(&sdp("u3")), vec![]);
        assert_eq!(
            gate.on_remote_candidate(cand(C1, Some("u2"))),
            CandidateAction::Drop
        );
        // Ignoring a re-offer of the current generation drops nothing of it.
        gate.offer_ignored(&sdp("u3"));
        assert_eq!(
            gate.on_remote_candidate(cand(C1, Some("u3"))),
            CandidateAction::Add(cand(C1, Some("u3")))
        );
    }

    #[test]
    fn an_answer_with_the_ignored_offers_credentials_gets_its_candidates() {
        // The polite side rolled its offer back and answered with the same ICE credentials.
        let mut gate = CandidateGate::default();
        gate.offer_ignored(&sdp("p1"));
        assert_eq!(
            gate.on_remote_candidate(cand(C1, Some("p1"))),
            CandidateAction::Buffer
        );
        assert_eq!(
            gate.remote_description_set(&sdp("p1")),
            vec![cand(C1, Some("p1"))]
        );
    }

    #[test]
    fn one_end_of_candidates_per_generation() {
        let mut gate = CandidateGate::default();
        gate.remote_description_set(&sdp("u1"));
        assert_eq!(
            gate.on_remote_candidate(eoc(Some("u1"))),
            CandidateAction::Add(eoc(Some("u1")))
        );
        assert_eq!(
            gate.on_remote_candidate(eoc(Some("u1"))),
            CandidateAction::Drop
        );
        assert_eq!(gate.on_remote_candidate(eoc(None)), CandidateAction::Drop);
        gate.remote_description_set(&sdp("u2"));
        assert_eq!(
            gate.on_remote_candidate(eoc(None)),
            CandidateAction::Add(eoc(None))
        );

        let mut local = LocalCandidates::default();
        assert_eq!(
            local.outgoing(cand(C1, None), Some("l1".into())),
            Some(cand(C1, Some("l1")))
        );
        assert_eq!(
            local.outgoing(eoc(None), Some("l1".into())),
            Some(eoc(Some("l1")))
        );
        // Firefox's second end-of-candidates (null after "") is not sent.
        assert_eq!(local.outgoing(eoc(Some("l1")), Some("l1".into())), None);
        assert_eq!(
            local.outgoing(eoc(None), Some("l2".into())),
            Some(eoc(Some("l2")))
        );
    }

    #[test]
    fn pending_candidates_are_bounded() {
        let mut gate = CandidateGate::default();
        for _ in 0..MAX_PENDING {
            assert_eq!(
                gate.on_remote_candidate(cand(C1, Some("u"))),
                CandidateAction::Buffer
            );
        }
        assert_eq!(
            gate.on_remote_candidate(cand(C1, Some("u"))),
            CandidateAction::Drop
        );
    }
}
