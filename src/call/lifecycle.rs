//! A peer's lifecycle and its reconnect policy, as pure state (native tests).
//!
//! [`Lifecycle`] turns the connection's states and the passing of time into the
//! [`PeerState`]s a call reports and the ICE restarts it makes, on the schedule of a
//! [`ReconnectPolicy`]. Its random source (for the jitter) is injected, so the schedule is
//! testable.

use std::rc::Rc;

use crate::peer::PeerConnectionState;

/// Why a peer left the call.
///
/// ```
/// use rtcweb::call::LeaveReason;
/// assert_ne!(LeaveReason::HungUp, LeaveReason::TimedOut);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LeaveReason {
    /// It said goodbye: a bye on the data channel, its presence removed, or its connection
    /// closed by its side.
    HungUp,
    /// It vanished without a word: its presence went stale while the connection was not up
    /// (or carried nothing).
    TimedOut,
    /// The connection could not be (re)established within the reconnect policy, or its data
    /// channels closed while it was down (the browser gave up on it).
    Failed,
    /// The same peer id joined again (a reload): this is its old self.
    Rejoined,
}

/// Where a remote peer of a call stands.
///
/// ```
/// use rtcweb::call::{LeaveReason, PeerState};
/// let state = PeerState::Reconnecting { attempt: 1 };
/// assert!(!state.is_left());
/// assert!(PeerState::Left(LeaveReason::HungUp).is_left());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PeerState {
    /// Negotiating and connecting for the first time.
    Connecting,
    /// Connected, with the data channels open.
    Connected,
    /// Connectivity was lost; ICE restart `attempt` (from 1) is under way.
    Reconnecting {
        /// The attempt, from 1.
        attempt: u32,
    },
    /// Gone, for good: the call has closed its connection.
    Left(LeaveReason),
}

impl PeerState {
    /// Whether the peer has left.
    ///
    /// ```
    /// assert!(!rtcweb::call::PeerState::Connected.is_left());
    /// ```
    pub fn is_left(&self) -> bool {
        matches!(self, PeerState::Left(_))
    }
}

/// When to restart ICE after connectivity is lost, and when to give up. A value: replace it
/// in [`CallOptions`](super::CallOptions), or change its fields.
///
/// The default is LiveKit's schedule (`DefaultReconnectPolicy`): restarts 0, 300, 1200, 2700
/// and 4800 ms after the loss, then every 7 s, 10 attempts in all (about 44 s), each delay
/// spread by ±15 % at random ([`jitter_percent`](Self::jitter_percent)) so that the peers of a
/// room do not retry in lockstep; each attempt may take 15 s to connect; a connection
/// `disconnected` for 5 s counts as lost (Chrome can stay `disconnected` forever), a `failed`
/// one at once, and so does one that carried nothing in-band (the call's pings, every
/// [`heartbeat_ms`](super::CallOptions::heartbeat_ms)) for a heartbeat plus those 5 s, whatever
/// the browser says (Firefox can keep a connection whose relay is gone `connected` until its
/// data channels die). When the browser fires `online` (the network is back), a peer that is
/// reconnecting restarts at once instead of waiting for its next attempt.
///
/// A peer that vanishes is not left to this schedule: once its presence is stale and its
/// connection is not up (or silent in-band), it is reported [`LeaveReason::TimedOut`],
/// whatever attempt it is at (see
/// [`CallOptions::stale_after_ms`](super::CallOptions::stale_after_ms)).
///
/// ```
/// use rtcweb::call::ReconnectPolicy;
///
/// let policy = ReconnectPolicy::default();
/// assert_eq!(policy.delay_before(1), Some(0));
/// assert_eq!(policy.delay_before(6), Some(7000));
/// assert_eq!(policy.delay_before(11), None);
/// let never = ReconnectPolicy { delays_ms: vec![], ..ReconnectPolicy::default() };
/// assert_eq!(never.delay_before(1), None);
/// let lockstep = ReconnectPolicy { jitter_percent: 0, ..ReconnectPolicy::default() };
/// assert_eq!(lockstep.jittered_delay_before(6, 0.9), Some(7000));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconnectPolicy {
    /// Before attempt `n` (from 1), wait `delays_ms[n - 1]`; there are as many attempts as
    /// delays.
    pub delays_ms: Vec<u32>,
    /// How long one attempt may take to reach `connected` before the next one starts.
    pub attempt_timeout_ms: u32,
    /// How long a connection may stay `disconnected` before it counts as lost.
    pub disconnected_grace_ms: u32,
    /// How long the first connection may take before it counts as lost.
    pub connect_timeout_ms: u32,
    /// The random spread of each delay, in percent either way (15: a delay of 7 s is
    /// anything from 5.95 to 8.05 s). A delay of 0 stays 0.
    pub jitter_percent: u32,
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        ReconnectPolicy {
            delays_ms: vec![0, 300, 1200, 2700, 4800, 7000, 7000, 7000, 7000, 7000],
            attempt_timeout_ms: 15_000,
            disconnected_grace_ms: 5_000,
            connect_timeout_ms: 15_000,
            jitter_percent: 15,
        }
    }
}

impl ReconnectPolicy {
    /// The wait before attempt `attempt` (from 1), or `None` once the attempts are used up.
    ///
    /// ```
    /// assert_eq!(rtcweb::call::ReconnectPolicy::default().delay_before(2), Some(300));
    /// ```
    pub fn delay_before(&self, attempt: u32) -> Option<u32> {
        let index = usize::try_from(attempt.checked_sub(1)?).ok()?;
        self.delays_ms.get(index).copied()
    }

    /// The wait before attempt `attempt`, spread by [`jitter_percent`](Self::jitter_percent)
    /// with `random` (from 0 to 1: 0 is the shortest wait, 0.5 the nominal one, 1 the longest),
    /// or `None` once the attempts are used up.
    ///
    /// ```
    /// let policy = rtcweb::call::ReconnectPolicy::default();
    /// assert_eq!(policy.jittered_delay_before(6, 0.0), Some(5950));
    /// assert_eq!(policy.jittered_delay_before(6, 0.5), Some(7000));
    /// assert_eq!(policy.jittered_delay_before(6, 1.0), Some(8050));
    /// assert_eq!(policy.jittered_delay_before(1, 1.0), Some(0));
    /// ```
    pub fn jittered_delay_before(&self, attempt: u32, random: f64) -> Option<u32> {
        let delay = f64::from(self.delay_before(attempt)?);
        let spread = delay * f64::from(self.jitter_percent.min(100)) / 100.0;
        let random = if random.is_finite() {
            random.clamp(0.0, 1.0)
        } else {
            0.5
        };
        // At most delay * 2 (jitter capped at 100 %), which fits: delay is a u32.
        Some((delay - spread + 2.0 * spread * random).round() as u32)
    }
}

/// Where the jitter's randomness comes from: a number from 0 to 1 per call.
pub(crate) type Random = Rc<dyn Fn() -> f64>;

/// What the peer's owner must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Report this state.
    Report(PeerState),
    /// Restart ICE now (`restartIce()`; negotiation does the rest).
    RestartIce,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    Connecting { deadline: f64 },
    Connected,
    Disconnected { lost_at: f64 },
    Waiting { attempt: u32, restart_at: f64 },
    Restarting { attempt: u32, deadline: f64 },
    Left,
}

/// One remote peer's lifecycle. Times are milliseconds on any monotonic clock.
pub(crate) struct Lifecycle {
    policy: ReconnectPolicy,
    phase: Phase,
    random: Random,
    /// When the peer last showed life in-band (anything on its channels), or the connection
    /// came up.
    heard_at: f64,
    /// How long a connection that is up may carry nothing before it counts as lost.
    silence_limit: f64,
}

impl std::fmt::Debug for Lifecycle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lifecycle")
            .field("policy", &self.policy)
            .field("phase", &self.phase)
            .finish_non_exhaustive()
    }
}

impl Lifecycle {
    /// A peer that starts connecting at `now` (reported as [`PeerState::Connecting`]); the
    /// schedule's jitter draws from `random`. It pings every `heartbeat_ms`: a connection up
    /// but silent for a heartbeat and the policy's `disconnected_grace_ms` counts as lost.
    pub(crate) fn new(
        policy: ReconnectPolicy,
        now: f64,
        random: Random,
        heartbeat_ms: u32,
    ) -> Self {
        let deadline = now + f64::from(policy.connect_timeout_ms);
        let silence_limit = f64::from(heartbeat_ms) + f64::from(policy.disconnected_grace_ms);
        Lifecycle {
            policy,
            phase: Phase::Connecting { deadline },
            random,
            heard_at: now,
            silence_limit,
        }
    }

    /// The peer showed life in-band at `now` (its pings or any message). If the connection is
    /// not up but `browser_connected` says the browser calls it connected (asked only then: it
    /// runs for every message), it is up again, as if the browser had said so: after an ICE
    /// restart the browser may have stayed `connected` all along, and fire no state change. A
    /// first connection is left to its channels' opening.
    pub(crate) fn heard(&mut self, now: f64, browser_connected: impl Fn() -> bool) -> Vec<Action> {
        self.heard_at = self.heard_at.max(now);
        match self.phase {
            Phase::Disconnected { .. } | Phase::Waiting { .. } | Phase::Restarting { .. }
                if browser_connected() =>
            {
                self.on_state(PeerConnectionState::Connected, now)
            }
            _ => Vec::new(),
        }
    }

    /// Whether the peer may be judged gone by its presence at `now`: its connection is not up
    /// (connecting, `disconnected` within the grace period, or reconnecting at any attempt),
    /// or it is but nothing came in-band for `silence_ms` (consent as the call sees it: a
    /// browser may keep a dead connection `connected` for long, Firefox after an ICE restart).
    /// A connected peer that is heard stays, whatever its heartbeat: its signaling may be down
    /// while the connection still carries the call.
    pub(crate) fn may_time_out(&self, now: f64, silence_ms: f64) -> bool {
        match self.phase {
            Phase::Left => false,
            Phase::Connected => now - self.heard_at > silence_ms,
            _ => true,
        }
    }

    /// Whether the connection is up now (reported connected, not lost since).
    pub(crate) fn is_up(&self) -> bool {
        self.phase == Phase::Connected
    }

    /// Whether the connection is up now.
    #[cfg(test)]
    pub(crate) fn is_connected(&self) -> bool {
        self.phase == Phase::Connected
    }

    /// Whether the peer has left.
    pub(crate) fn is_left(&self) -> bool {
        self.phase == Phase::Left
    }

    /// The connection is now `state` (`connected` meaning: with the data channels open).
    pub(crate) fn on_state(&mut self, state: PeerConnectionState, now: f64) -> Vec<Action> {
        use PeerConnectionState as S;
        match (self.phase, state) {
            (Phase::Left, _) => Vec::new(),
            (Phase::Connected, S::Connected) => Vec::new(),
            (Phase::Disconnected { .. }, S::Connected) => {
                // Back within the grace period: it was never reported as lost.
                self.phase = Phase::Connected;
                self.heard_at = now;
                Vec::new()
            }
            (_, S::Connected) => {
                self.phase = Phase::Connected;
                self.heard_at = now;
                vec![Action::Report(PeerState::Connected)]
            }
            (Phase::Connected, S::Disconnected) => {
                self.phase = Phase::Disconnected { lost_at: now };
                Vec::new()
            }
            (Phase::Restarting { attempt, .. }, S::Failed) => self.attempt(attempt + 1, now),
            (
                Phase::Connecting { .. } | Phase::Connected | Phase::Disconnected { .. },
                S::Failed,
            ) => self.attempt(1, now),
            _ => Vec::new(),
        }
    }

    /// Time passed: act on the deadlines due by `now`.
    pub(crate) fn on_tick(&mut self, now: f64) -> Vec<Action> {
        match self.phase {
            Phase::Connecting { deadline } if now >= deadline => self.attempt(1, now),
            // Up as the browser says, but nothing came: Firefox can keep a connection whose
            // relay is gone `connected` until its data channels die (its SCTP gives up), too
            // late for a restart to save them.
            Phase::Connected if now - self.heard_at >= self.silence_limit => self.attempt(1, now),
            Phase::Disconnected { lost_at }
                if now >= lost_at + f64::from(self.policy.disconnected_grace_ms) =>
            {
                self.attempt(1, now)
            }
            Phase::Waiting {
                attempt,
                restart_at,
            } if now >= restart_at => self.restart(attempt, now),
            Phase::Restarting { attempt, deadline } if now >= deadline => {
                self.attempt(attempt + 1, now)
            }
            _ => Vec::new(),
        }
    }

    /// The browser fired `online` (the network is back): a peer that lost its connection
    /// restarts ICE now rather than at its next scheduled attempt. Waiting for an attempt: that
    /// attempt starts now. Restarting: the attempt starts again (its candidates were gathered
    /// offline), with a fresh deadline. Within the `disconnected` grace: attempt 1 now.
    pub(crate) fn on_online(&mut self, now: f64) -> Vec<Action> {
        match self.phase {
            Phase::Waiting { attempt, .. } | Phase::Restarting { attempt, .. } => {
                self.restart(attempt, now)
            }
            Phase::Disconnected { .. } => {
                if self.policy.delay_before(1).is_none() {
                    return self.leave(LeaveReason::Failed);
                }
                let mut actions = vec![Action::Report(PeerState::Reconnecting { attempt: 1 })];
                actions.extend(self.restart(1, now));
                actions
            }
            Phase::Connecting { .. } | Phase::Connected | Phase::Left => Vec::new(),
        }
    }

    /// The next time [`on_tick`](Self::on_tick) has something to do, if any.
    #[cfg(test)]
    fn next_deadline(&self) -> Option<f64> {
        match self.phase {
            Phase::Connecting { deadline } | Phase::Restarting { deadline, .. } => Some(deadline),
            Phase::Disconnected { lost_at } => {
                Some(lost_at + f64::from(self.policy.disconnected_grace_ms))
            }
            Phase::Waiting { restart_at, .. } => Some(restart_at),
            Phase::Connected => Some(self.heard_at + self.silence_limit),
            Phase::Left => None,
        }
    }

    /// The peer left for `reason`: reported once.
    pub(crate) fn leave(&mut self, reason: LeaveReason) -> Vec<Action> {
        if self.phase == Phase::Left {
            return Vec::new();
        }
        self.phase = Phase::Left;
        vec![Action::Report(PeerState::Left(reason))]
    }

    fn attempt(&mut self, attempt: u32, now: f64) -> Vec<Action> {
        let Some(delay) = self.policy.jittered_delay_before(attempt, (self.random)()) else {
            return self.leave(LeaveReason::Failed);
        };
        let mut actions = vec![Action::Report(PeerState::Reconnecting { attempt })];
        if delay == 0 {
            actions.extend(self.restart(attempt, now));
        } else {
            self.phase = Phase::Waiting {
                attempt,
                restart_at: now + f64::from(delay),
            };
        }
        actions
    }

    fn restart(&mut self, attempt: u32, now: f64) -> Vec<Action> {
        self.phase = Phase::Restarting {
            attempt,
            deadline: now + f64::from(self.policy.attempt_timeout_ms),
        };
        vec![Action::RestartIce]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PeerConnectionState as S;

    fn report(state: PeerState) -> Action {
        Action::Report(state)
    }

    /// The pings' interval in these tests: a silent connection is lost after 5 + 5 s.
    const HEARTBEAT: u32 = 5_000;

    /// A lifecycle whose jitter always picks the nominal delay.
    fn nominal(policy: ReconnectPolicy) -> Lifecycle {
        Lifecycle::new(policy, 0.0, Rc::new(|| 0.5), HEARTBEAT)
    }

    fn connected(now: f64) -> Lifecycle {
        let mut l = nominal(ReconnectPolicy::default());
        assert_eq!(l.on_state(S::Connecting, now), vec![]);
        assert_eq!(
            l.on_state(S::Connected, now),
            vec![report(PeerState::Connected)]
        );
        l
    }

    #[test]
    fn failed_restarts_at_once_then_follows_the_schedule_then_gives_up() {
        let mut l = connected(0.0);
        let mut now = 1000.0;
        assert_eq!(
            l.on_state(S::Failed, now),
            vec![
                report(PeerState::Reconnecting { attempt: 1 }),
                Action::RestartIce
            ]
        );
        let policy = ReconnectPolicy::default();
        let mut restarts = vec![now];
        for attempt in 2..=10u32 {
            // Each attempt is bounded: 15 s without connecting starts the next one.
            now = l.next_deadline().unwrap();
            assert_eq!(
                l.on_tick(now),
                vec![report(PeerState::Reconnecting { attempt })]
            );
            assert_eq!(l.on_tick(now), vec![], "no restart before its delay");
            now = l.next_deadline().unwrap();
            assert_eq!(l.on_tick(now), vec![Action::RestartIce]);
            restarts.push(now);
        }
        let gaps: Vec<f64> = restarts
            .windows(2)
            .map(|w| w[1] - w[0] - 15_000.0)
            .collect();
        let expected: Vec<f64> = policy.delays_ms[1..]
            .iter()
            .map(|&d| f64::from(d))
            .collect();
        assert_eq!(gaps, expected);
        now = l.next_deadline().unwrap();
        assert_eq!(
            l.on_tick(now),
            vec![report(PeerState::Left(LeaveReason::Failed))]
        );
        assert!(l.is_left());
        assert_eq!(l.on_state(S::Connected, now), vec![]);
        assert_eq!(l.next_deadline(), None);
    }

    #[test]
    fn disconnected_waits_for_the_grace_period() {
        let mut l = connected(0.0);
        assert_eq!(l.on_state(S::Disconnected, 100.0), vec![]);
        assert_eq!(l.on_tick(5099.0), vec![]);
        // Back in time: nothing was reported.
        assert_eq!(l.on_state(S::Connected, 5000.0), vec![]);
        assert!(l.is_connected());
        assert_eq!(l.on_state(S::Disconnected, 6000.0), vec![]);
        assert_eq!(
            l.on_tick(11_000.0),
            vec![
                report(PeerState::Reconnecting { attempt: 1 }),
                Action::RestartIce
            ]
        );
        // The restart works.
        assert_eq!(
            l.on_state(S::Connected, 11_500.0),
            vec![report(PeerState::Connected)]
        );
        // A failure mid-restart moves to the next attempt.
        l.on_state(S::Failed, 20_000.0);
        assert_eq!(
            l.on_state(S::Failed, 20_010.0),
            vec![report(PeerState::Reconnecting { attempt: 2 })]
        );
    }

    #[test]
    fn a_first_connection_that_never_comes_is_retried() {
        let mut l = nominal(ReconnectPolicy::default());
        assert_eq!(l.on_tick(14_999.0), vec![]);
        assert_eq!(
            l.on_tick(15_000.0),
            vec![
                report(PeerState::Reconnecting { attempt: 1 }),
                Action::RestartIce
            ]
        );
    }

    #[test]
    fn leaving_is_reported_once() {
        let mut l = connected(0.0);
        assert_eq!(
            l.leave(LeaveReason::HungUp),
            vec![report(PeerState::Left(LeaveReason::HungUp))]
        );
        assert_eq!(l.leave(LeaveReason::TimedOut), vec![]);
        assert_eq!(l.on_state(S::Failed, 1.0), vec![]);
    }

    #[test]
    fn a_policy_without_attempts_fails_at_once() {
        let policy = ReconnectPolicy {
            delays_ms: vec![],
            ..Default::default()
        };
        let mut l = nominal(policy);
        l.on_state(S::Connected, 0.0);
        assert_eq!(
            l.on_state(S::Failed, 1.0),
            vec![report(PeerState::Left(LeaveReason::Failed))]
        );
    }

    #[test]
    fn the_schedule_is_jittered_with_the_injected_randomness() {
        // Two peers of a room draw differently: their restarts are spread, not in lockstep.
        let waits = |random: f64| {
            let mut l = Lifecycle::new(
                ReconnectPolicy::default(),
                0.0,
                Rc::new(move || random),
                HEARTBEAT,
            );
            l.on_state(S::Connected, 0.0);
            l.on_state(S::Failed, 1000.0);
            let mut waits = Vec::new();
            for _ in 2..=10 {
                let timeout = l.next_deadline().unwrap();
                l.on_tick(timeout);
                waits.push(l.next_deadline().unwrap() - timeout);
                l.on_tick(l.next_deadline().unwrap());
            }
            waits
        };
        let (short, long) = (waits(0.0), waits(1.0));
        let nominal: Vec<f64> = ReconnectPolicy::default().delays_ms[1..]
            .iter()
            .map(|&d| f64::from(d))
            .collect();
        assert_eq!(waits(0.5), nominal);
        for ((s, l), n) in short.iter().zip(&long).zip(&nominal) {
            assert_eq!(*s, (n * 0.85).round());
            assert_eq!(*l, (n * 1.15).round());
        }
        // Out-of-range randomness is clamped, not trusted.
        let policy = ReconnectPolicy::default();
        assert_eq!(policy.jittered_delay_before(6, 7.0), Some(8050));
        assert_eq!(policy.jittered_delay_before(6, f64::NAN), Some(7000));
        let wild = ReconnectPolicy {
            jitter_percent: 500,
            ..ReconnectPolicy::default()
        };
        assert_eq!(wild.jittered_delay_before(6, 0.0), Some(0));
        assert_eq!(wild.jittered_delay_before(6, 1.0), Some(14_000));
    }

    #[test]
    fn online_restarts_a_reconnecting_peer_at_once() {
        let mut l = connected(0.0);
        // Nothing to do while connected or connecting.
        assert_eq!(l.on_online(10.0), vec![]);
        assert_eq!(nominal(ReconnectPolicy::default()).on_online(10.0), vec![]);
        // Waiting for attempt 2 (300 ms away): it starts now.
        l.on_state(S::Failed, 1000.0);
        l.on_tick(16_000.0);
        assert_eq!(l.next_deadline(), Some(16_300.0));
        assert_eq!(l.on_online(16_100.0), vec![Action::RestartIce]);
        // Restarting: again now, with a fresh deadline, still attempt 2.
        assert_eq!(l.next_deadline(), Some(31_100.0));
        assert_eq!(l.on_online(20_000.0), vec![Action::RestartIce]);
        assert_eq!(l.next_deadline(), Some(35_000.0));
        // Within the disconnected grace: attempt 1 now.
        let mut l = connected(0.0);
        l.on_state(S::Disconnected, 100.0);
        assert_eq!(
            l.on_online(200.0),
            vec![
                report(PeerState::Reconnecting { attempt: 1 }),
                Action::RestartIce
            ]
        );
        let mut l = connected(0.0);
        l.leave(LeaveReason::HungUp);
        assert_eq!(l.on_online(200.0), vec![]);
    }

    #[test]
    fn a_connected_peer_that_goes_silent_times_out_while_reconnecting() {
        use crate::call::schema::{Presence, Roster, RosterChange};
        use litemap::LiteMap;
        // Its heartbeats stop at 5 s (the last one seen), and its connection drops at 9 s
        // (consent checks fail): it is reported once its presence is stale, at 5 + 15 s,
        // not after the ten attempts of the schedule (about a minute).
        let mut roster = Roster::new("me", 15_000);
        let mut l = connected(0.0);
        let beat = |seen: f64| {
            LiteMap::from_iter([(
                "x".to_string(),
                Presence {
                    session: "x1".into(),
                    seen: Some(seen),
                },
            )])
        };
        roster.update(&beat(0.0), 0.0);
        roster.update(&beat(5_000.0), 5_000.0);
        // Connected and heard in-band (its pings): stale presence alone is not enough.
        assert_eq!(l.heard(29_000.0, || true), vec![]);
        assert!(!l.may_time_out(30_000.0, 15_000.0));
        assert_eq!(
            roster.take_stale(30_000.0, |_| !l.may_time_out(30_000.0, 15_000.0)),
            vec![]
        );
        let mut l = connected(0.0);
        assert_eq!(l.heard(5_000.0, || true), vec![]);
        let mut roster = Roster::new("me", 15_000);
        roster.update(&beat(0.0), 0.0);
        roster.update(&beat(5_000.0), 5_000.0);
        l.on_state(S::Disconnected, 9_000.0);
        let mut now = 9_000.0;
        let mut left = None;
        while left.is_none() && now < 120_000.0 {
            now += 250.0;
            let _ = l.on_tick(now);
            left = roster
                .take_stale(now, |_| !l.may_time_out(now, 15_000.0))
                .into_iter()
                .next();
        }
        assert_eq!(
            left,
            Some(RosterChange::Left {
                id: "x".into(),
                session: "x1".into(),
                reason: LeaveReason::TimedOut
            })
        );
        assert_eq!(now, 20_250.0, "the first tick past 5 s + 15 s");
        assert!(matches!(l.phase, Phase::Restarting { attempt: 1, .. }));
    }

    #[test]
    fn a_connection_that_stays_connected_but_silent_counts_as_not_up() {
        // Firefox may keep a dead connection `connected`: in-band silence decides.
        let mut l = connected(1_000.0);
        assert!(
            !l.may_time_out(15_000.0, 15_000.0),
            "heard when it connected"
        );
        assert_eq!(l.heard(10_000.0, || true), vec![]);
        assert!(!l.may_time_out(25_000.0, 15_000.0));
        assert!(l.may_time_out(25_001.0, 15_000.0));
        // Heard again: up again.
        assert_eq!(l.heard(25_500.0, || true), vec![]);
        assert!(!l.may_time_out(26_000.0, 15_000.0));
        l.leave(LeaveReason::HungUp);
        assert!(!l.may_time_out(99_000.0, 15_000.0), "left is left");
    }

    #[test]
    fn a_connection_silent_for_a_heartbeat_and_the_grace_is_restarted() {
        // Firefox kept the connection `connected` while its relay was gone.
        let mut l = connected(0.0);
        assert_eq!(l.heard(3_000.0, || true), vec![]);
        assert_eq!(l.next_deadline(), Some(13_000.0));
        assert_eq!(l.on_tick(12_999.0), vec![]);
        assert_eq!(
            l.on_tick(13_000.0),
            vec![
                report(PeerState::Reconnecting { attempt: 1 }),
                Action::RestartIce
            ]
        );
        // Heard while the browser says the connection is down: still reconnecting.
        assert_eq!(l.heard(13_500.0, || false), vec![]);
        assert!(!l.is_up());
        // Heard through a connection the browser calls connected (it may never have said
        // otherwise, and fires no change after the restart): up again, reported.
        assert_eq!(
            l.heard(14_000.0, || true),
            vec![report(PeerState::Connected)]
        );
        assert!(l.is_up());
        assert_eq!(l.next_deadline(), Some(24_000.0));
        // Within the `disconnected` grace: back up, never reported lost.
        assert_eq!(l.on_state(S::Disconnected, 15_000.0), vec![]);
        assert_eq!(l.heard(15_100.0, || true), vec![]);
        assert!(l.is_up());
        // A first connection is left to its channels' opening.
        let mut first = nominal(ReconnectPolicy::default());
        assert_eq!(first.heard(100.0, || true), vec![]);
        assert!(!first.is_up());
    }
}
