//! Rooms: where two peers exchange their offer, answer and candidates.
//!
//! The schema under `/rooms/{roomId}` (documented in the README with example rules):
//!
//! ```text
//! rooms/{roomId}/
//!   updated: <server timestamp of the last write>   sweeps abandoned rooms by age
//!   offer, answer: {"type": ..., "sdp": ...}         the seed's send(key, value) / recv(key)
//!   candidates/{side}/{pushId}: {"candidate": ..., "sdpMid": ..., "sdpMLineIndex": ...}
//!                                                    trickled in order; "" ends them
//!   presence/{peerId}: {"joined": <ts>, "seen": <ts>, "session": <per join>}
//!                                                    "session" only for call peers
//!   mesh/{to}/{from}/{pushId}: {"from", "to", "kind", ...}
//!                                                    a call's per-recipient messages
//! ```

use futures::stream::{self, LocalBoxStream};
use futures::StreamExt;
use gloo_events::EventListener;
use litemap::LiteMap;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::database::{server_timestamp, Database, Reference};
use rtcweb_protocol::schema::{CANDIDATES, JOINED, MESH, PRESENCE, ROOMS, SEEN, SESSION, UPDATED};

use super::location::check_key;
use crate::error::{Error, SignalingError};
use crate::sys;
use crate::types::ice::IceCandidate;
use crate::types::json::from_value;

/// A room under `/rooms/{roomId}`: the seed's `send(key, value)` and `recv(key)`, plus trickled
/// candidates, presence, and cleanup.
///
/// ```no_run
/// use futures::StreamExt;
/// use rtcweb::signaling::{Database, Room};
/// use rtcweb::SessionDescription;
///
/// # async fn run(offer: SessionDescription) -> Result<(), rtcweb::Error> {
/// let room = Room::new(&Database::new("http://127.0.0.1:8080"), "abc")?;
/// room.join("alice").await?;
/// room.send("offer", &offer).await?;
/// let answer: SessionDescription = room.recv("answer").await?;
/// let mut candidates = room.candidates("bob")?;
/// while let Some(candidate) = candidates.next().await {
///     let candidate = candidate?;
///     // pc.add_ice_candidate(&candidate).await?;
///     if candidate.is_end_of_candidates() { break; }
/// }
/// room.leave("alice").await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Room {
    id: String,
    reference: Reference,
}

impl Room {
    /// The room `id` of `db`.
    ///
    /// # Errors
    /// [`SignalingError::InvalidPath`] when `id` is not a valid key.
    ///
    /// ```
    /// let db = rtcweb::signaling::Database::new("http://127.0.0.1:8080");
    /// let room = rtcweb::signaling::Room::new(&db, "abc")?;
    /// assert_eq!(room.reference().path(), "/rooms/abc");
    /// assert!(rtcweb::signaling::Room::new(&db, "a/b").is_err());
    /// # Ok::<(), rtcweb::Error>(())
    /// ```
    pub fn new(db: &Database, id: &str) -> Result<Room, Error> {
        check_key(id)?;
        Ok(Room {
            id: id.to_owned(),
            reference: db.reference(ROOMS)?.child(id)?,
        })
    }

    /// The room's id.
    ///
    /// ```
    /// # let db = rtcweb::signaling::Database::new("http://h");
    /// assert_eq!(rtcweb::signaling::Room::new(&db, "abc")?.id(), "abc");
    /// # Ok::<(), rtcweb::Error>(())
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The room's location, for reads and writes of one's own.
    ///
    /// ```
    /// # let db = rtcweb::signaling::Database::new("http://h");
    /// let room = rtcweb::signaling::Room::new(&db, "abc")?;
    /// let notes = room.reference().child("notes")?;
    /// # Ok::<(), rtcweb::Error>(())
    /// ```
    pub fn reference(&self) -> &Reference {
        &self.reference
    }

    /// Stores `value` under `key` (the seed's `send`), and marks the room as used now.
    ///
    /// # Errors
    /// [`SignalingError::InvalidPath`] for a bad key; the errors of [`Reference::update`].
    ///
    /// ```no_run
    /// # async fn run(room: rtcweb::signaling::Room, offer: rtcweb::SessionDescription) -> Result<(), rtcweb::Error> {
    /// room.send("offer", &offer).await?;
    /// # Ok(()) }
    /// ```
    pub async fn send<T: Serialize + ?Sized>(&self, key: &str, value: &T) -> Result<(), Error> {
        check_key(key)?;
        let value = serde_json::to_value(value)
            .map_err(|err| SignalingError::MalformedJson(err.to_string()))?;
        let mut update = Map::new();
        update.insert(key.to_owned(), value);
        update.insert(UPDATED.into(), server_timestamp());
        self.reference.update(&update).await
    }

    /// Waits until `key` holds a value, and returns it (the seed's `recv`). A value already
    /// there is returned at once.
    ///
    /// # Errors
    /// [`SignalingError::MalformedJson`] when the value is not a `T`; the stream's errors
    /// (permission denied, cancelled).
    ///
    /// # Cancellation
    /// Dropping the future closes its stream.
    ///
    /// ```no_run
    /// # async fn run(room: rtcweb::signaling::Room) -> Result<(), rtcweb::Error> {
    /// let answer: rtcweb::SessionDescription = room.recv("answer").await?;
    /// # Ok(()) }
    /// ```
    pub async fn recv<T: DeserializeOwned>(&self, key: &str) -> Result<T, Error> {
        check_key(key)?;
        let mut changes = self.reference.child(key)?.subscribe()?;
        while let Some(event) = changes.next().await {
            event?;
            let value = changes.snapshot();
            if !value.is_null() {
                return from_value(value)
                    .map_err(|err| SignalingError::MalformedJson(err.to_string()).into());
            }
        }
        Err(SignalingError::Cancelled("the stream ended".into()).into())
    }

    /// Trickles one candidate of `side` (a peer id, or `offerer`/`answerer`): pushed as a new
    /// child, so the other side receives every candidate, in order. Send
    /// [`IceCandidate::end_of_candidates`] when gathering completes.
    ///
    /// # Errors
    /// As [`Reference::push`].
    ///
    /// ```no_run
    /// # async fn run(room: rtcweb::signaling::Room, candidate: rtcweb::IceCandidate) -> Result<(), rtcweb::Error> {
    /// room.push_candidate("alice", &candidate).await?;
    /// # Ok(()) }
    /// ```
    pub async fn push_candidate(&self, side: &str, candidate: &IceCandidate) -> Result<(), Error> {
        self.reference
            .child(CANDIDATES)?
            .child(side)?
            .push(candidate)
            .await
            .map(drop)
    }

    /// Every candidate `side` trickles, in the order pushed, including those pushed before the
    /// call; an end-of-candidates marker arrives as [`IceCandidate::end_of_candidates`], and
    /// ends the stream, as does the deletion of the candidates (the room hung up), so the
    /// stream's connection to the database closes. After a reconnection, candidates already
    /// yielded are not repeated.
    ///
    /// # Errors
    /// [`SignalingError::InvalidPath`] for a bad side; the stream yields the subscription's
    /// errors and malformed candidates as [`SignalingError::MalformedJson`].
    ///
    /// ```no_run
    /// use futures::StreamExt;
    /// # async fn run(room: rtcweb::signaling::Room, pc: rtcweb::PeerConnection) -> Result<(), rtcweb::Error> {
    /// let mut remote = room.candidates("bob")?;
    /// while let Some(candidate) = remote.next().await {
    ///     pc.add_ice_candidate(&candidate?).await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn candidates(
        &self,
        side: &str,
    ) -> Result<LocalBoxStream<'static, Result<IceCandidate, Error>>, Error> {
        let subscription = self.reference.child(CANDIDATES)?.child(side)?.subscribe()?;
        // The keys read so far, as a set (a `LiteMap`, smaller in wasm than a B-tree).
        let seen = LiteMap::<String, ()>::new();
        // The stream ends after the end-of-candidates marker, or when the candidates are
        // deleted (the room hung up): it never holds a streaming connection longer than needed.
        Ok(
            stream::unfold(Some((subscription, seen)), |state| async move {
                let (mut subscription, mut seen) = state?;
                let event = subscription.next().await?;
                let mut done = false;
                let mut batch: Vec<Result<IceCandidate, Error>> = match event {
                    Err(err) => vec![Err(err)],
                    // Push ids sort chronologically, and a map keeps them sorted.
                    Ok(_) => match subscription.snapshot() {
                        Value::Object(children) => children
                            .into_iter()
                            .filter(|(key, _)| seen.insert(key.clone(), ()).is_none())
                            .map(|(_, value)| {
                                from_value(value).map_err(|err| {
                                    SignalingError::MalformedJson(format!("candidate: {err}"))
                                        .into()
                                })
                            })
                            .collect(),
                        // Deleted after candidates were seen: the room is gone.
                        _ => {
                            done = !seen.is_empty();
                            Vec::new()
                        }
                    },
                };
                if let Some(end) = batch
                    .iter()
                    .position(|c| matches!(c, Ok(candidate) if candidate.is_end_of_candidates()))
                {
                    batch.truncate(end + 1);
                    done = true;
                }
                let next = (!done).then_some((subscription, seen));
                Some((stream::iter(batch), next))
            })
            .flatten()
            .boxed_local(),
        )
    }

    /// Announces `peer` in the room's presence, with server timestamps.
    ///
    /// # Errors
    /// As [`Reference::update`].
    ///
    /// ```no_run
    /// # async fn run(room: rtcweb::signaling::Room) -> Result<(), rtcweb::Error> {
    /// room.join("alice").await?;
    /// # Ok(()) }
    /// ```
    pub async fn join(&self, peer: &str) -> Result<(), Error> {
        check_key(peer)?;
        self.reference
            .update(&json!({
                format!("{PRESENCE}/{peer}"): { JOINED: server_timestamp(), SEEN: server_timestamp() },
                UPDATED: server_timestamp(),
            }))
            .await
    }

    /// Announces `peer` as a call peer: presence with server timestamps and the `session` of
    /// this join (a reload joins with a new one).
    ///
    /// # Errors
    /// [`SignalingError::InvalidPath`] for a bad peer id; as [`Reference::update`].
    ///
    /// ```no_run
    /// # async fn run(room: rtcweb::signaling::Room) -> Result<(), rtcweb::Error> {
    /// room.announce("alice", "s1").await?;
    /// # Ok(()) }
    /// ```
    pub async fn announce(&self, peer: &str, session: &str) -> Result<(), Error> {
        check_key(peer)?;
        self.reference
            .update(&json!({
                format!("{PRESENCE}/{peer}"): {
                    JOINED: server_timestamp(), SEEN: server_timestamp(), SESSION: session,
                },
                UPDATED: server_timestamp(),
            }))
            .await
    }

    /// Refreshes `peer`'s presence (its `seen` time), putting it back if it was removed.
    ///
    /// # Errors
    /// [`SignalingError::InvalidPath`] for a bad peer id; as [`Reference::update`].
    ///
    /// ```no_run
    /// # async fn run(room: rtcweb::signaling::Room) -> Result<(), rtcweb::Error> {
    /// room.heartbeat("alice", "s1").await?;
    /// # Ok(()) }
    /// ```
    pub async fn heartbeat(&self, peer: &str, session: &str) -> Result<(), Error> {
        check_key(peer)?;
        self.reference
            .update(&json!({
                format!("{PRESENCE}/{peer}/{SEEN}"): server_timestamp(),
                format!("{PRESENCE}/{peer}/{SESSION}"): session,
                UPDATED: server_timestamp(),
            }))
            .await
    }

    /// Where `from` pushes its call messages for `to` (`mesh/{to}/{from}`).
    ///
    /// # Errors
    /// [`SignalingError::InvalidPath`] for a bad peer id.
    ///
    /// ```
    /// # let db = rtcweb::signaling::Database::new("http://h");
    /// let room = rtcweb::signaling::Room::new(&db, "abc")?;
    /// assert_eq!(room.mesh("bob", "alice")?.path(), "/rooms/abc/mesh/bob/alice");
    /// # Ok::<(), rtcweb::Error>(())
    /// ```
    pub fn mesh(&self, to: &str, from: &str) -> Result<Reference, Error> {
        check_key(to)?;
        check_key(from)?;
        self.reference.child(MESH)?.child(to)?.child(from)
    }

    /// Writes call messages from `from`, each `(to, push id, message)` at
    /// `mesh/{to}/{from}/{push id}`, in one update: one request however many there are. The
    /// caller makes the push ids (Firebase's format, as
    /// [`PushIds`](rtcweb_protocol::push_id::PushIds) makes them), so that a retried write
    /// lands on the same children instead of adding them twice.
    ///
    /// # Errors
    /// [`SignalingError::InvalidPath`] for a bad peer id or push id; as [`Reference::update`].
    ///
    /// ```no_run
    /// # async fn run(room: rtcweb::signaling::Room) -> Result<(), rtcweb::Error> {
    /// let hello = serde_json::json!({"kind": "bye"});
    /// room.send_mesh("alice", [("bob", "-Nq3x9Zz1AbCdEfGhIjK", &hello)]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn send_mesh<'a>(
        &self,
        from: &str,
        messages: impl IntoIterator<Item = (&'a str, &'a str, &'a Value)>,
    ) -> Result<(), Error> {
        check_key(from)?;
        let mut update = Map::new();
        for (to, id, message) in messages {
            check_key(to)?;
            check_key(id)?;
            update.insert(format!("{MESH}/{to}/{from}/{id}"), message.clone());
        }
        if update.is_empty() {
            return Ok(());
        }
        self.reference.update(&update).await
    }

    /// Removes what call peer `peer` wrote: its presence, its inbox, and its messages to each
    /// of `others`, in one update.
    ///
    /// # Errors
    /// [`SignalingError::InvalidPath`] for a bad peer id; as [`Reference::update`].
    ///
    /// ```no_run
    /// # async fn run(room: rtcweb::signaling::Room) -> Result<(), rtcweb::Error> {
    /// room.leave_mesh("alice", &["bob".to_string()]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn leave_mesh(&self, peer: &str, others: &[String]) -> Result<(), Error> {
        check_key(peer)?;
        let mut update = Map::new();
        for path in mesh_paths(peer, others) {
            update.insert(path, Value::Null);
        }
        update.insert(UPDATED.into(), server_timestamp());
        self.reference.update(&update).await
    }

    /// As [`leave_mesh`](Self::leave_mesh), now, with `keepalive` requests that outlive the
    /// page: for a `pagehide` handler. Fire and forget.
    ///
    /// ```no_run
    /// # fn run(room: &rtcweb::signaling::Room) {
    /// room.leave_mesh_on_exit("alice", &["bob".to_string()]);
    /// # }
    /// ```
    pub fn leave_mesh_on_exit(&self, peer: &str, others: &[String]) {
        if check_key(peer).is_err() {
            return;
        }
        for path in mesh_paths(peer, others) {
            if let Ok(reference) = self.reference.child(&path) {
                sys::net::fetch_keepalive("DELETE", &reference.url(Vec::new()));
            }
        }
    }

    /// The peers present now.
    ///
    /// # Errors
    /// As [`Reference::shallow`].
    ///
    /// ```no_run
    /// # async fn run(room: rtcweb::signaling::Room) -> Result<(), rtcweb::Error> {
    /// let peers = room.peers().await?;
    /// # Ok(()) }
    /// ```
    pub async fn peers(&self) -> Result<Vec<String>, Error> {
        match self.reference.child(PRESENCE)?.shallow().await? {
            Value::Object(peers) => Ok(peers.keys().cloned().collect()),
            _ => Ok(Vec::new()),
        }
    }

    /// Takes `peer` out of the presence; the last one out deletes the room.
    ///
    /// # Errors
    /// As [`Reference::remove`].
    ///
    /// ```no_run
    /// # async fn run(room: rtcweb::signaling::Room) -> Result<(), rtcweb::Error> {
    /// room.leave("alice").await?;
    /// # Ok(()) }
    /// ```
    pub async fn leave(&self, peer: &str) -> Result<(), Error> {
        self.reference
            .child(PRESENCE)?
            .child(peer)?
            .remove()
            .await?;
        if self.peers().await?.is_empty() {
            self.hang_up().await?;
        }
        Ok(())
    }

    /// Deletes the whole room: offer, answer, candidates and presence.
    ///
    /// # Errors
    /// As [`Reference::remove`].
    ///
    /// ```no_run
    /// # async fn run(room: rtcweb::signaling::Room) -> Result<(), rtcweb::Error> {
    /// room.hang_up().await?;
    /// # Ok(()) }
    /// ```
    pub async fn hang_up(&self) -> Result<(), Error> {
        self.reference.remove().await
    }

    /// Removes `peer`'s presence when the page goes away (`pagehide`), with a `keepalive`
    /// request that outlives the page. REST has no `onDisconnect`, so this, and sweeping by
    /// age ([`sweep_stale_rooms`]), is how stale entries go. Dropping the guard cancels it.
    ///
    /// # Errors
    /// [`SignalingError::InvalidPath`] for a bad peer id.
    ///
    /// ```no_run
    /// # fn run(room: &rtcweb::signaling::Room) -> Result<(), rtcweb::Error> {
    /// let _cleanup = room.cleanup_on_exit("alice")?;
    /// # Ok(()) }
    /// ```
    pub fn cleanup_on_exit(&self, peer: &str) -> Result<ExitCleanup, Error> {
        let url = self.reference.child(PRESENCE)?.child(peer)?.url(Vec::new());
        let listener = EventListener::new(&sys::net::global_target(), "pagehide", move |_| {
            sys::net::fetch_keepalive("DELETE", &url);
        });
        Ok(ExitCleanup {
            _listener: listener,
        })
    }
}

/// The paths (relative to the room) of what call peer `peer` wrote.
fn mesh_paths(peer: &str, others: &[String]) -> Vec<String> {
    let mut paths = vec![format!("{PRESENCE}/{peer}"), format!("{MESH}/{peer}")];
    paths.extend(
        others
            .iter()
            .filter(|other| check_key(other).is_ok())
            .map(|other| format!("{MESH}/{other}/{peer}")),
    );
    paths
}

/// Removes a peer's presence when the page goes away; see [`Room::cleanup_on_exit`].
///
/// ```no_run
/// # fn run(room: &rtcweb::signaling::Room) -> Result<(), rtcweb::Error> {
/// let cleanup = room.cleanup_on_exit("alice")?;
/// drop(cleanup); // no longer clean up on exit
/// # Ok(()) }
/// ```
#[must_use = "dropping the guard cancels the cleanup"]
#[derive(Debug)]
pub struct ExitCleanup {
    _listener: EventListener,
}

/// Deletes the rooms whose last write is older than `max_age_ms`, and returns how many: REST
/// has no `onDisconnect`, so abandoned rooms are swept by age. On Firebase, index the rooms
/// on `updated` (see the README's rules).
///
/// # Errors
/// As [`Reference::get`] and [`Reference::remove`].
///
/// ```no_run
/// # async fn run(db: rtcweb::signaling::Database) -> Result<(), rtcweb::Error> {
/// let swept = rtcweb::signaling::sweep_stale_rooms(&db, 24.0 * 3600.0 * 1000.0).await?;
/// # Ok(()) }
/// ```
pub async fn sweep_stale_rooms(db: &Database, max_age_ms: f64) -> Result<usize, Error> {
    let rooms = db.reference(ROOMS)?;
    let cutoff = js_sys::Date::now() - max_age_ms;
    let stale = rooms
        .query()
        .order_by_child(UPDATED)
        .end_at(cutoff)
        .get()
        .await?;
    let Value::Object(stale) = stale else {
        return Ok(0);
    };
    for id in stale.keys() {
        rooms.child(id)?.remove().await?;
    }
    Ok(stale.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_peer_removes_what_it_wrote() {
        assert_eq!(
            mesh_paths("me", &["a".into(), "b/c".into()]),
            ["presence/me", "mesh/me", "mesh/a/me"]
        );
    }
}
