//! The names of the rooms schema, shared by the client's `Room` and the server's room sweep.
//!
//! ```text
//! rooms/{roomId}/
//!   updated: <server timestamp of the last write>
//!   offer, answer: {"type": ..., "sdp": ...}
//!   candidates/{side}/{pushId}: {"candidate": ..., "sdpMid": ..., "sdpMLineIndex": ...}
//!   presence/{peerId}: {"joined": <ts>, "seen": <ts>, "session": <per join, for calls>}
//!   mesh/{to}/{from}/{pushId}: a call's messages from one peer to another
//! ```
//!
//! ```
//! use rtcweb_protocol::schema;
//! assert_eq!(format!("{}/abc/{}", schema::ROOMS, schema::OFFER), "rooms/abc/offer");
//! ```

/// The top-level key holding every room.
pub const ROOMS: &str = "rooms";
/// A room's server timestamp of its last write; rooms are swept by its age.
pub const UPDATED: &str = "updated";
/// A room's offer.
pub const OFFER: &str = "offer";
/// A room's answer.
pub const ANSWER: &str = "answer";
/// A room's ICE candidates, by side, as pushed children.
pub const CANDIDATES: &str = "candidates";
/// A room's peers present, by peer id.
pub const PRESENCE: &str = "presence";
/// A presence entry's server timestamp of joining.
pub const JOINED: &str = "joined";
/// A presence entry's server timestamp of the last heartbeat.
pub const SEEN: &str = "seen";
/// A call peer's presence: the id of this join (a reload joins with a new one).
pub const SESSION: &str = "session";
/// A room's call messages, by recipient and sender.
pub const MESH: &str = "mesh";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_valid_keys() {
        for name in [
            ROOMS, UPDATED, OFFER, ANSWER, CANDIDATES, PRESENCE, JOINED, SEEN, SESSION, MESH,
        ] {
            assert_eq!(crate::path::check_key(name), Ok(()), "{name}");
        }
    }
}
