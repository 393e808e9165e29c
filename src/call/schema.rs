//! The call's room schema: presence and per-recipient messages, read from the room's value
//! (pure, native tests).
//!
//! ```text
//! rooms/{roomId}/
//!   updated: <server timestamp>
//!   presence/{peerId}: {"joined": ts, "seen": ts, "session": "<random, per join>"}
//!   mesh/{to}/{from}/{pushId}: {"from": "<from's session>", "to": "<to's session>",
//!                               "kind": "description" | "candidate" | "bye", ...}
//! ```
//! A `description` message carries `"description": {"type", "sdp"}` (and, for an answer,
//! `"answers"`: the `o=` line of the offer it answers), a `candidate` message
//! `"candidate": {"candidate", "sdpMid", "sdpMLineIndex", "usernameFragment"}` (an empty
//! `candidate` ends its generation).

use litemap::LiteMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::lifecycle::LeaveReason;
use crate::error::Error;
use crate::signaling::SignalingError;
use crate::types::ice::IceCandidate;
use crate::types::json::from_value;
use crate::types::sdp::SessionDescription;

pub(crate) use rtcweb_protocol::schema::{MESH, PRESENCE};
use rtcweb_protocol::schema::{SEEN, SESSION};

/// What one peer tells another through the room.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Signal {
    /// An offer or answer.
    Description {
        /// The description.
        description: SessionDescription,
        /// For an answer: the `o=` line of the offer it answers, so that an answer to an
        /// offer since replaced is dropped rather than applied to the wrong one.
        answers: Option<String>,
    },
    /// A trickled candidate, or the end of a generation's.
    Candidate {
        /// The candidate.
        candidate: IceCandidate,
    },
    /// Leaving (said through the room when the data channel is not up).
    Bye,
    /// From the polite side: please restart ICE. Only the impolite side restarts, so that one
    /// loss seen from both sides makes one restart: Firefox fails the connection when a second
    /// restart replaces a generation still gathering.
    RestartIce,
}

/// A message as stored: the sessions of both ends, then the signal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Stored", into = "Stored")]
pub(crate) struct Envelope {
    /// The sender's session.
    pub(crate) from: String,
    /// The recipient's session.
    pub(crate) to: String,
    /// The signal.
    pub(crate) signal: Signal,
}

/// An [`Envelope`]'s JSON: one flat object whose `kind` names the signal. Read through this
/// plain struct rather than serde's internally tagged enum and `flatten`, which buffer the
/// value in serde's `Content` first (about 10 KB of the wasm module).
#[derive(Serialize, Deserialize)]
struct Stored {
    from: String,
    to: String,
    kind: Kind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<SessionDescription>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    answers: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    candidate: Option<IceCandidate>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
enum Kind {
    Description,
    Candidate,
    Bye,
    RestartIce,
}

impl TryFrom<Stored> for Envelope {
    type Error = &'static str;

    fn try_from(stored: Stored) -> Result<Envelope, &'static str> {
        let signal = match stored.kind {
            Kind::Description => Signal::Description {
                description: stored.description.ok_or("missing field `description`")?,
                answers: stored.answers,
            },
            Kind::Candidate => Signal::Candidate {
                candidate: stored.candidate.ok_or("missing field `candidate`")?,
            },
            Kind::Bye => Signal::Bye,
            Kind::RestartIce => Signal::RestartIce,
        };
        Ok(Envelope {
            from: stored.from,
            to: stored.to,
            signal,
        })
    }
}

impl From<Envelope> for Stored {
    fn from(Envelope { from, to, signal }: Envelope) -> Stored {
        let (kind, description, answers, candidate) = match signal {
            Signal::Description {
                description,
                answers,
            } => (Kind::Description, Some(description), answers, None),
            Signal::Candidate { candidate } => (Kind::Candidate, None, None, Some(candidate)),
            Signal::Bye => (Kind::Bye, None, None, None),
            Signal::RestartIce => (Kind::RestartIce, None, None, None),
        };
        Stored {
            from,
            to,
            kind,
            description,
            answers,
            candidate,
        }
    }
}

impl Envelope {
    /// Reads a stored message; a malformed one is a typed error naming what is wrong.
    pub(crate) fn parse(value: Value) -> Result<Envelope, Error> {
        from_value(value).map_err(|err| {
            Error::Signaling(SignalingError::MalformedJson(format!(
                "call message: {err}"
            )))
        })
    }

    /// The JSON to store.
    pub(crate) fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// One peer's presence entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Presence {
    pub(crate) session: String,
    pub(crate) seen: Option<f64>,
}

/// The call peers of a room's `presence` (entries without a session are not call peers).
pub(crate) fn parse_presence(room: &Value) -> LiteMap<String, Presence> {
    let Some(Value::Object(entries)) = room.get(PRESENCE) else {
        return LiteMap::new();
    };
    // Inserted one by one: a `collect` would sort, and each sort costs the module kilobytes.
    let mut presence = LiteMap::new();
    for (id, entry) in entries {
        if let Some(session) = entry.get(SESSION).and_then(Value::as_str) {
            let seen = entry.get(SEEN).and_then(Value::as_f64);
            presence.insert(
                id.clone(),
                Presence {
                    session: session.to_owned(),
                    seen,
                },
            );
        }
    }
    presence
}

/// A change of the room's peers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RosterChange {
    /// A peer (this session of it) arrived.
    Joined { id: String, session: String },
    /// A peer's session left.
    Left {
        id: String,
        session: String,
        reason: LeaveReason,
    },
}

#[derive(Debug, Clone)]
struct Known {
    session: String,
    seen: Option<f64>,
    /// Local time at which the peer last showed life (its heartbeat changed).
    heard_at: f64,
}

/// The remote peers of a call, from the room's presence.
#[derive(Debug, Clone)]
pub(crate) struct Roster {
    me: String,
    stale_after_ms: f64,
    peers: LiteMap<String, Known>,
    /// Per peer id, the session whose presence was removed last (it left). A write of its
    /// still in flight when it left (a heartbeat) may land after the removal and put its
    /// presence back: that session is not taken for a new join.
    departed: LiteMap<String, String>,
}

impl Roster {
    pub(crate) fn new(me: &str, stale_after_ms: u32) -> Self {
        Roster {
            me: me.to_owned(),
            stale_after_ms: f64::from(stale_after_ms),
            peers: LiteMap::new(),
            departed: LiteMap::new(),
        }
    }

    /// The ids present now.
    pub(crate) fn ids(&self) -> Vec<String> {
        self.peers.keys().cloned().collect()
    }

    /// Reads the room's presence at local time `now`. Entries whose heartbeat is already
    /// older than the staleness bound (by the server's clock: the newest heartbeat in the room)
    /// are left out until they beat again.
    pub(crate) fn update(
        &mut self,
        presence: &LiteMap<String, Presence>,
        now: f64,
    ) -> Vec<RosterChange> {
        let server_now = presence
            .values()
            .filter_map(|p| p.seen)
            .fold(None, |a: Option<f64>, s| Some(a.map_or(s, |a| a.max(s))));
        let mut changes = Vec::new();
        let gone: Vec<String> = self
            .peers
            .keys()
            .filter(|id| !presence.contains_key(*id))
            .cloned()
            .collect();
        for id in gone {
            if let Some(known) = self.peers.remove(&id) {
                self.departed.insert(id.clone(), known.session.clone());
                changes.push(RosterChange::Left {
                    id,
                    session: known.session,
                    reason: LeaveReason::HungUp,
                });
            }
        }
        for (id, entry) in presence {
            if *id == self.me {
                continue;
            }
            match self.peers.get_mut(id) {
                Some(known) if known.session == entry.session => {
                    if known.seen != entry.seen {
                        known.seen = entry.seen;
                        known.heard_at = now;
                    }
                }
                existing => {
                    let stale = matches!((entry.seen, server_now), (Some(seen), Some(server)) if server - seen > self.stale_after_ms);
                    if let Some(old) = existing {
                        // A new session under the same id: the peer reloaded.
                        let old_session = old.session.clone();
                        self.peers.remove(id);
                        changes.push(RosterChange::Left {
                            id: id.clone(),
                            session: old_session,
                            reason: LeaveReason::Rejoined,
                        });
                    }
                    if stale || self.has_departed(id, &entry.session) {
                        continue;
                    }
                    self.peers.insert(
                        id.clone(),
                        Known {
                            session: entry.session.clone(),
                            seen: entry.seen,
                            heard_at: now,
                        },
                    );
                    changes.push(RosterChange::Joined {
                        id: id.clone(),
                        session: entry.session.clone(),
                    });
                }
            }
        }
        changes
    }

    /// Whether session `session` of `id` left the room (its presence was removed).
    pub(crate) fn has_departed(&self, id: &str, session: &str) -> bool {
        self.departed.get(id).is_some_and(|s| s == session)
    }

    /// The peer showed life another way (a message from it).
    pub(crate) fn heard(&mut self, id: &str, now: f64) {
        if let Some(known) = self.peers.get_mut(id) {
            known.heard_at = now;
        }
    }

    /// Counts every peer as heard now: after our own stream was down, we could not hear them.
    pub(crate) fn heard_all(&mut self, now: f64) {
        for (_, known) in self.peers.iter_mut() {
            known.heard_at = now;
        }
    }

    /// Takes out the peers not heard of for longer than the bound whose connection is not up
    /// (`is_up`), and returns them. A peer connected to us stays, whatever its heartbeat (its
    /// signaling may be down while it is still with us).
    pub(crate) fn take_stale(
        &mut self,
        now: f64,
        is_up: impl Fn(&str) -> bool,
    ) -> Vec<RosterChange> {
        let stale: Vec<String> = self
            .peers
            .iter()
            .filter(|(id, k)| now - k.heard_at > self.stale_after_ms && !is_up(id))
            .map(|(id, _)| id.clone())
            .collect();
        stale
            .into_iter()
            .filter_map(|id| {
                let known = self.peers.remove(&id)?;
                Some(RosterChange::Left {
                    id,
                    session: known.session,
                    reason: LeaveReason::TimedOut,
                })
            })
            .collect()
    }
}

/// Where each sender's messages to us were read up to: push ids sort in the order written,
/// so a message is new when its key is past the sender's last one.
#[derive(Debug, Default, Clone)]
pub(crate) struct Inbox {
    last: LiteMap<String, String>,
}

impl Inbox {
    /// The messages of `inbox` (our `mesh/{me}` value) not yet read, per sender in order, of
    /// the senders we `know`; the others' wait until we know them (their presence may come
    /// later than their messages, or be stale for a moment).
    pub(crate) fn take_new(
        &mut self,
        inbox: Option<&Value>,
        know: impl Fn(&str) -> bool,
    ) -> Vec<(String, Value)> {
        let Some(Value::Object(senders)) = inbox else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (from, messages) in senders {
            let Value::Object(messages) = messages else {
                continue;
            };
            if !know(from) {
                continue;
            }
            let last = self.last.get(from);
            // A map keeps its keys sorted.
            let fresh: Vec<(&String, &Value)> = messages
                .iter()
                .filter(|(key, _)| last.is_none_or(|last| *key > last))
                .collect();
            if let Some((key, _)) = fresh.last() {
                self.last.insert(from.clone(), (*key).clone());
            }
            out.extend(fresh.into_iter().map(|(_, v)| (from.clone(), v.clone())));
        }
        out
    }

    /// `from` left: its next join's messages are read from the start. Their push ids come
    /// from its own clock, which may be behind the one its last join's came from; what is
    /// still there of the last join is dropped by its session.
    pub(crate) fn forget(&mut self, from: &str) {
        self.last.remove(from);
    }
}

/// The room's value at `mesh/{me}`.
pub(crate) fn inbox_of<'a>(room: &'a Value, me: &str) -> Option<&'a Value> {
    room.get(MESH)?.get(me)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::sdp::SdpType;
    use serde_json::json;

    fn presence(room: Value) -> LiteMap<String, Presence> {
        parse_presence(&room)
    }

    #[test]
    fn messages_round_trip_and_malformed_ones_are_typed_errors() {
        let e = Envelope {
            from: "s1".into(),
            to: "s2".into(),
            signal: Signal::Description {
                description: SessionDescription::new(SdpType::Offer, "v=0\r\n"),
                answers: None,
            },
        };
        let v = e.to_value();
        assert_eq!(
            v,
            json!({"from": "s1", "to": "s2", "kind": "description", "description": {"type": "offer", "sdp": "v=0\r\n"}})
        );
        assert_eq!(Envelope::parse(v).unwrap(), e);
        let bye = Envelope {
            from: "a".into(),
            to: "b".into(),
            signal: Signal::Bye,
        };
        assert_eq!(
            bye.to_value(),
            json!({"from": "a", "to": "b", "kind": "bye"})
        );
        let answer = Envelope {
            from: "b".into(),
            to: "a".into(),
            signal: Signal::Description {
                description: SessionDescription::new(SdpType::Answer, "v=0\r\n"),
                answers: Some("o=- 1 2 IN IP4 127.0.0.1".into()),
            },
        };
        assert_eq!(answer.to_value()["answers"], "o=- 1 2 IN IP4 127.0.0.1");
        assert_eq!(Envelope::parse(answer.to_value()).unwrap(), answer);
        let candidate = json!({"from": "a", "to": "b", "kind": "candidate",
            "candidate": {"candidate": "", "sdpMid": "0", "sdpMLineIndex": 0, "usernameFragment": null}});
        let parsed = Envelope::parse(candidate.clone()).unwrap();
        assert!(matches!(parsed.signal, Signal::Candidate { .. }));
        assert_eq!(parsed.to_value(), candidate);
        let restart = json!({"from": "a", "to": "b", "kind": "restartIce"});
        assert_eq!(Envelope::parse(restart).unwrap().signal, Signal::RestartIce);
        for bad in [
            json!("hello"),
            json!({"from": "a", "to": "b", "kind": "nope"}),
            json!({"from": "a", "to": "b", "kind": "description", "description": {"type": "bogus"}}),
            json!({"to": "b", "kind": "bye"}),
            json!({"from": "a", "to": "b", "kind": "description"}),
            json!({"from": "a", "to": "b", "kind": "candidate"}),
        ] {
            assert!(
                matches!(
                    Envelope::parse(bad.clone()),
                    Err(Error::Signaling(SignalingError::MalformedJson(_)))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_roster_reports_joins_leaves_and_rejoins() {
        let mut r = Roster::new("me", 15_000);
        let room = json!({"presence": {
            "me": {"session": "m", "seen": 100_000},
            "a": {"session": "a1", "seen": 99_000},
            "old": {"session": "o1", "seen": 10_000},
            "seed": {"joined": 1, "seen": 100_000}
        }});
        // "old" is stale by the server's clock; "seed" is no call peer.
        assert_eq!(
            r.update(&presence(room), 0.0),
            vec![RosterChange::Joined {
                id: "a".into(),
                session: "a1".into()
            }]
        );
        let room = json!({"presence": {
            "me": {"session": "m", "seen": 105_000},
            "a": {"session": "a2", "seen": 105_000},
            "b": {"session": "b1", "seen": 105_000}
        }});
        assert_eq!(
            r.update(&presence(room), 1.0),
            vec![
                RosterChange::Left {
                    id: "a".into(),
                    session: "a1".into(),
                    reason: LeaveReason::Rejoined
                },
                RosterChange::Joined {
                    id: "a".into(),
                    session: "a2".into()
                },
                RosterChange::Joined {
                    id: "b".into(),
                    session: "b1".into()
                },
            ]
        );
        let room = json!({"presence": {"me": {"session": "m", "seen": 105_000}, "b": {"session": "b1", "seen": 105_000}}});
        assert_eq!(
            r.update(&presence(room), 2.0),
            vec![RosterChange::Left {
                id: "a".into(),
                session: "a2".into(),
                reason: LeaveReason::HungUp
            }]
        );
        assert_eq!(r.ids(), vec!["b".to_string()]);
        // a's last heartbeat, in flight when it left, lands after the removal: its presence is
        // back, with the session that left, and it is no new join. A new session is.
        let room = json!({"presence": {"me": {"session": "m", "seen": 110_000}, "b": {"session": "b1", "seen": 110_000}, "a": {"session": "a2", "seen": 110_000}}});
        assert_eq!(r.update(&presence(room), 3.0), vec![]);
        let room = json!({"presence": {"me": {"session": "m", "seen": 115_000}, "b": {"session": "b1", "seen": 115_000}, "a": {"session": "a3", "seen": 115_000}}});
        assert_eq!(
            r.update(&presence(room), 4.0),
            vec![RosterChange::Joined {
                id: "a".into(),
                session: "a3".into()
            }]
        );
    }

    #[test]
    fn stale_peers_time_out_unless_connected() {
        let mut r = Roster::new("me", 15_000);
        let beat = |seen: u64| {
            presence(
                json!({"presence": {"x": {"session": "x", "seen": seen}, "y": {"session": "y", "seen": seen}}}),
            )
        };
        r.update(&beat(1), 0.0);
        r.update(&beat(2), 5_000.0);
        assert_eq!(r.take_stale(20_000.0, |_| false), vec![]);
        // x is connected to us: it stays; y is not.
        assert_eq!(
            r.take_stale(20_001.0, |id| id == "x"),
            vec![RosterChange::Left {
                id: "y".into(),
                session: "y".into(),
                reason: LeaveReason::TimedOut
            }]
        );
        r.heard_all(30_000.0);
        assert_eq!(r.take_stale(45_000.0, |_| false), vec![]);
        assert_eq!(r.take_stale(45_001.0, |_| false).len(), 1);
    }

    #[test]
    fn the_inbox_yields_each_message_once_in_order() {
        let mut inbox = Inbox::default();
        let room = json!({"mesh": {"me": {"a": {"-k1": 1, "-k2": 2}, "b": {"-k0": 0}}}});
        assert_eq!(
            inbox.take_new(inbox_of(&room, "me"), |from| from == "a"),
            vec![("a".into(), json!(1)), ("a".into(), json!(2))]
        );
        // b's messages wait until b is known.
        assert_eq!(
            inbox.take_new(inbox_of(&room, "me"), |_| true),
            vec![("b".into(), json!(0))]
        );
        // A reconnection sends the whole value again: nothing is repeated.
        let room = json!({"mesh": {"me": {"a": {"-k1": 1, "-k2": 2, "-k3": 3}, "b": {"-k0": 0}}}});
        assert_eq!(
            inbox.take_new(inbox_of(&room, "me"), |_| true),
            vec![("a".into(), json!(3))]
        );
        assert_eq!(inbox.take_new(None, |_| true), vec![]);
    }

    #[test]
    fn a_sender_that_left_is_read_from_the_start_again() {
        let mut inbox = Inbox::default();
        let room = json!({"mesh": {"me": {"a": {"-k5": 5}}}});
        assert_eq!(inbox.take_new(inbox_of(&room, "me"), |_| true).len(), 1);
        // Its next join's clock is behind: without forgetting, "-k1" would never be read.
        let room = json!({"mesh": {"me": {"a": {"-k1": 1, "-k5": 5}}}});
        assert_eq!(inbox.take_new(inbox_of(&room, "me"), |_| true), vec![]);
        inbox.forget("a");
        assert_eq!(
            inbox.take_new(inbox_of(&room, "me"), |_| true),
            vec![("a".into(), json!(1)), ("a".into(), json!(5))]
        );
    }
}
