//! Signaling over the Firebase Realtime Database REST protocol.
//!
//! Two browsers meet in a room on a database that speaks Firebase's REST and streaming protocol:
//! a real Firebase Realtime Database (to scale past one machine) or `rtcweb-signal`, the local
//! server this project ships. [`Database`] and [`Reference`] are a typed REST client;
//! [`Reference::subscribe`] streams changes over Server-Sent Events; [`Room`] is the seed's
//! `send(key, value)` / `recv(key)` plus trickled candidates, presence and cleanup.
//!
//! ```no_run
//! use rtcweb::signaling::Database;
//!
//! # async fn run() -> Result<(), rtcweb::Error> {
//! let db = Database::new("http://127.0.0.1:8080");
//! let greeting = db.reference("greetings/first")?;
//! greeting.set(&"hello").await?;
//! assert_eq!(greeting.get_as::<String>().await?, "hello");
//! # Ok(()) }
//! ```

mod database;
mod location;
mod room;
mod subscription;
mod tree;

pub use crate::error::SignalingError;
pub use database::{increment, server_timestamp, ConditionalWrite, Database, Query, Reference};
pub use room::{sweep_stale_rooms, ExitCleanup, Room};
pub use subscription::Subscription;
pub use tree::DatabaseEvent;
