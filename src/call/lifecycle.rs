//! A peer's lifecycle and its reconnect policy, as pure state (native tests).
//!
//! [`Lifecycle`] turns the connection's states and the passing of time into the
//! [`PeerState`]s a call reports and the ICE restarts it makes, on the schedule of a
//! [`ReconnectPolicy`].

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
    /// It vanished without a word: its presence went stale while the connection was not up.
    TimedOut,
    /// The connection could not be (re)established within the reconnect policy.
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
/// The default is LiveKit's schedule (`DefaultReconnectPolicy`, without its jitter): restarts
/// 0, 300, 1200, 2700 and 4800 ms after the loss, then every 7 s, 10 attempts in all (about 44
/// s); each attempt may take 15 s to connect; a connection `disconnected` for 5 s counts as
/// lost (Chrome can stay `disconnected` forever), a `failed` one at once.
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
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        ReconnectPolicy {
            delays_ms: vec![0, 300, 1200, 2700, 4800, 7000, 7000, 7000, 7000, 7000],
            attempt_timeout_ms: 15_000,
            disconnected_grace_ms: 5_000,
            connect_timeout_ms: 15_000,
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
}

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
#[derive(Debug, Clone)]
pub(crate) struct Lifecycle {
    policy: ReconnectPolicy,
    phase: Phase,
}

impl Lifecycle {
    /// A peer that starts connecting at `now` (reported as [`PeerState::Connecting`]).
    pub(crate) fn new(policy: ReconnectPolicy, now: f64) -> Self {
        let deadline = now + f64::from(policy.connect_timeout_ms);
        Lifecycle {
            policy,
            phase: Phase::Connecting { deadline },
        }
    }

    /// Whether the connection is up now.
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
                Vec::new()
            }
            (_, S::Connected) => {
                self.phase = Phase::Connected;
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

    /// The next time [`on_tick`](Self::on_tick) has something to do, if any.
    #[cfg(test)]
    fn next_deadline(&self) -> Option<f64> {
        match self.phase {
            Phase::Connecting { deadline } | Phase::Restarting { deadline, .. } => Some(deadline),
            Phase::Disconnected { lost_at } => {
                Some(lost_at + f64::from(self.policy.disconnected_grace_ms))
            }
            Phase::Waiting { restart_at, .. } => Some(restart_at),
            Phase::Connected | Phase::Left => None,
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
        let Some(delay) = self.policy.delay_before(attempt) else {
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

    fn connected(now: f64) -> Lifecycle {
        let mut l = Lifecycle::new(ReconnectPolicy::default(), 0.0);
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
        let mut l = Lifecycle::new(ReconnectPolicy::default(), 0.0);
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
        let mut l = Lifecycle::new(policy, 0.0);
        l.on_state(S::Connected, 0.0);
        assert_eq!(
            l.on_state(S::Failed, 1.0),
            vec![report(PeerState::Left(LeaveReason::Failed))]
        );
    }
}
