//! `rtcweb-signal`: a local server for rtcweb's signaling.
//!
//! It speaks the Firebase Realtime Database REST protocol at the root of its address
//! (`/<path>.json`), so the same client works against it and against a real Firebase database,
//! and serves a folder of static files (the demo page and the built package) on other paths.
//!
//! What it implements, as the Firebase emulator does: `GET`, `PUT`, `POST` (push ids), `PATCH`
//! (multi-path updates) and `DELETE`; `print=pretty|silent`, `shallow=true`, method override;
//! server values (`timestamp`, `increment`); queries (`orderBy` with limits and ranges); ETags
//! (`X-Firebase-ETag`, `if-match`); streaming with `Accept: text/event-stream`; security rules
//! (`--rules`, `/.settings/rules.json`); verified ID tokens and a configured admin credential,
//! or in emulator mode (`Config::emulator`) `Authorization: Bearer owner` as the admin and
//! unsigned JWTs as users; size limits; rooms under `/rooms` that expire when idle.
//!
//! ```no_run
//! # async fn run() -> Result<(), rtcweb_signal::Error> {
//! let server = rtcweb_signal::Server::new(rtcweb_signal::Config::default())?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await.map_err(|source| {
//!     rtcweb_signal::Error::Bind { addr: "127.0.0.1:8080".parse().unwrap(), source }
//! })?;
//! server.serve(listener, std::future::pending()).await
//! # }
//! ```

#![deny(missing_docs)]

mod auth;
mod http;
mod hub;
mod journal;
mod path;
mod query;
mod rules;
mod serve;
mod store;
mod stream;
mod tree;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use serde_json::Value;
use tokio::sync::watch;
use tower_http::cors::CorsLayer;
use tower_http::services::ServeDir;

/// Where the server finds its files, and its limits.
///
/// ```
/// use std::time::Duration;
/// let config = rtcweb_signal::Config {
///     www: Some("www".into()),
///     room_ttl: Duration::from_secs(3600),
///     ..Default::default()
/// };
/// assert!(config.rules.is_none());
/// assert_eq!(config.max_depth, 32);
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    /// Folder served on every path that is not a database path.
    pub www: Option<PathBuf>,
    /// Security rules file (`database.rules.json`, `//` comments allowed); read and checked at
    /// start. Without one, everything is readable and writable, as in the emulator.
    pub rules: Option<PathBuf>,
    /// File holding the database between runs: a snapshot of the tree (JSON), with the writes
    /// since in `FILE.journal`. Both are loaded and checked at start; each write is appended to
    /// the journal and synced before it is acknowledged (concurrent writes share one sync), and
    /// the journal is folded into a new snapshot (written to `FILE.rtcweb-tmp`, synced, renamed)
    /// once it outgrows it. Names ending in `.journal` or `.rtcweb-tmp` are refused.
    pub data: Option<PathBuf>,
    /// Largest request body, in bytes (default 16 MiB); larger ones get 413.
    pub max_body_bytes: usize,
    /// Deepest nesting of the tree, in levels (default 32, Firebase's limit).
    pub max_depth: usize,
    /// Largest size of the whole tree as JSON, in bytes (default 256 MiB); writes that would
    /// grow it past this get 413.
    pub max_data_bytes: usize,
    /// Most keys in one write's data, counted at every level (default 100,000); more get 400.
    pub max_write_keys: usize,
    /// Most bytes of events queued for one stream whose reader is slow (default 8 MiB; an
    /// empty queue always takes one event); past it the stream ends with an `overflow` event and
    /// the client reconnects.
    pub stream_budget: usize,
    /// Most bytes held by answers in flight over all streams and reads (default 256 MiB);
    /// past it the stream that would grow it ends with `overflow`, and a read gets 503.
    pub max_buffered_bytes: usize,
    /// Most streams open at once (default 10,000); more get 503.
    pub max_streams: usize,
    /// Time between `keep-alive` events on an idle stream (default 30 s, as Firebase).
    pub keep_alive: Duration,
    /// A room under `/rooms/{id}` with no write for this long is deleted (default 24 h;
    /// zero keeps rooms forever).
    pub room_ttl: Duration,
    /// Most connections open at once (default 1,000; keep it below the process's descriptor
    /// limit); more are answered 503 and closed.
    pub max_connections: usize,
    /// Time a client has to send a request's headers (default 10 s); then the connection is
    /// closed.
    pub header_timeout: Duration,
    /// Time a client has to send a request's body (default 30 s); then it gets 408.
    pub body_timeout: Duration,
    /// A connection that moves no byte either way for this long is closed (default 120 s; it
    /// must exceed `keep_alive`, which streams send to stay open).
    pub idle_timeout: Duration,
    /// On shutdown, time left to requests in flight before their connections are dropped
    /// (default 5 s).
    pub shutdown_grace: Duration,
    /// Emulator mode (default off): `owner` is the admin, ID tokens are taken unsigned, and
    /// `auth_variable_override` is honoured from anyone, as the Firebase emulator does. Never
    /// for a server that others can reach.
    pub emulator: bool,
    /// File holding the admin credential (at least 16 bytes, no spaces): a request bearing it
    /// (`Authorization: Bearer TOKEN` or `?auth=TOKEN`) bypasses the rules.
    pub admin_token_file: Option<PathBuf>,
    /// File holding the key that signs ID tokens: a JWK set (`{"keys": [...]}`, such as
    /// Firebase Authentication's published one), a PEM public key (RSA, EC, Ed25519) or an
    /// HMAC secret. Without one (outside emulator mode) every token but the admin's is refused.
    pub jwt_key: Option<PathBuf>,
    /// The `aud` ID tokens must carry (a Firebase project id), if set.
    pub jwt_audience: Option<String>,
    /// The `iss` ID tokens must carry (`https://securetoken.google.com/PROJECT`), if set.
    pub jwt_issuer: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            www: None,
            rules: None,
            data: None,
            max_body_bytes: 16 * 1024 * 1024,
            max_depth: tree::MAX_DEPTH,
            max_data_bytes: 256 * 1024 * 1024,
            max_write_keys: 100_000,
            stream_budget: 8 * 1024 * 1024,
            max_buffered_bytes: 256 * 1024 * 1024,
            max_streams: 10_000,
            keep_alive: Duration::from_secs(30),
            room_ttl: Duration::from_secs(24 * 60 * 60),
            max_connections: 1_000,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(120),
            shutdown_grace: Duration::from_secs(5),
            emulator: false,
            admin_token_file: None,
            jwt_key: None,
            jwt_audience: None,
            jwt_issuer: None,
        }
    }
}

/// Why the server could not start or stopped.
///
/// ```
/// let err = rtcweb_signal::Error::Config("bad".into());
/// assert_eq!(err.to_string(), "configuration: bad");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The listening address could not be bound.
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A file named on the command line is unreadable or not valid JSON.
    Config(String),
    /// The server failed while running.
    Io(std::io::Error),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Bind { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
            Error::Config(msg) => write!(f, "configuration: {msg}"),
            Error::Io(err) => write!(f, "{err}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Bind { source, .. } | Error::Io(source) => Some(source),
            Error::Config(_) => None,
        }
    }
}

/// The server: a database and a static file folder behind one HTTP router.
///
/// ```no_run
/// let server = rtcweb_signal::Server::new(Default::default())?;
/// let app: axum::Router = server.router();
/// # Ok::<(), rtcweb_signal::Error>(())
/// ```
pub struct Server {
    app: Arc<http::App>,
    closing: watch::Sender<bool>,
    room_ttl: Duration,
    connections: serve::Limits,
}

impl Server {
    /// Reads the rules and data files of `config`.
    ///
    /// # Errors
    /// [`Error::Config`] when a named file cannot be read, is not JSON, or the rules do not
    /// parse.
    ///
    /// ```no_run
    /// let server = rtcweb_signal::Server::new(rtcweb_signal::Config {
    ///     data: Some("db.json".into()),
    ///     ..Default::default()
    /// })?;
    /// # Ok::<(), rtcweb_signal::Error>(())
    /// ```
    pub fn new(config: Config) -> Result<Self, Error> {
        let rules = match &config.rules {
            Some(file) => {
                let text = read_text(file)?;
                Some(
                    rules::Rules::parse(&text)
                        .map_err(|err| Error::Config(format!("{}: {err}", file.display())))?,
                )
            }
            None => None,
        };
        let (root, journal) = match &config.data {
            Some(file) => {
                let (root, journal) =
                    journal::open(file, config.max_depth).map_err(Error::Config)?;
                (root, Some(journal))
            }
            None => (Value::Null, None),
        };
        let limits = store::Limits {
            max_depth: config.max_depth,
            max_data_bytes: config.max_data_bytes,
            max_write_keys: config.max_write_keys,
        };
        let store = store::Store::new(root, rules, journal, limits).map_err(Error::Config)?;
        if config.idle_timeout <= config.keep_alive {
            return Err(Error::Config(format!(
                "the idle timeout ({:?}) must be longer than the keep-alive period ({:?})",
                config.idle_timeout, config.keep_alive
            )));
        }
        if config.max_connections == 0 {
            return Err(Error::Config("max_connections must be at least 1".into()));
        }
        let www_root = match &config.www {
            Some(dir) => Some(
                std::fs::canonicalize(dir)
                    .map_err(|err| Error::Config(format!("{}: {err}", dir.display())))?,
            ),
            None => None,
        };
        let identity = auth::Identity::new(auth::Settings {
            emulator: config.emulator,
            admin_token_file: config.admin_token_file.as_deref(),
            jwt_key: config.jwt_key.as_deref(),
            jwt_audience: config.jwt_audience.clone(),
            jwt_issuer: config.jwt_issuer.clone(),
        })
        .map_err(Error::Config)?;
        let (closing, closing_rx) = watch::channel(false);
        Ok(Server {
            app: Arc::new(http::App {
                store: Arc::new(store),
                identity,
                emulator: config.emulator,
                www: config.www.as_ref().map(ServeDir::new),
                www_root,
                max_body_bytes: config.max_body_bytes,
                body_timeout: config.body_timeout,
                max_streams: config.max_streams,
                keep_alive: config.keep_alive,
                tickets: Default::default(),
                budget: stream::Budget::new(config.max_buffered_bytes),
                stream_budget: config.stream_budget,
                closing: closing_rx,
            }),
            closing,
            room_ttl: config.room_ttl,
            connections: serve::Limits {
                max_connections: config.max_connections,
                header_timeout: config.header_timeout,
                idle_timeout: config.idle_timeout,
                shutdown_grace: config.shutdown_grace,
            },
        })
    }

    /// The HTTP routes: `/<path>.json` for the database, static files elsewhere, with CORS
    /// open to every origin (as Firebase's REST API is).
    ///
    /// ```no_run
    /// let app = rtcweb_signal::Server::new(Default::default())?.router();
    /// # let _: axum::Router = app;
    /// # Ok::<(), rtcweb_signal::Error>(())
    /// ```
    pub fn router(&self) -> Router {
        Router::new()
            .fallback(http::dispatch)
            .with_state(self.app.clone())
            .layer(CorsLayer::permissive())
    }

    /// Serves on `listener` until `shutdown` resolves, then stops accepting, ends the open
    /// streams, lets requests in flight finish for at most `shutdown_grace` and drops the
    /// connections left. Also runs the sweep that deletes idle rooms.
    ///
    /// # Errors
    /// [`Error::Io`] when the listener fails.
    ///
    /// ```no_run
    /// # async fn run(listener: tokio::net::TcpListener) -> Result<(), rtcweb_signal::Error> {
    /// rtcweb_signal::Server::new(Default::default())?.serve(listener, std::future::pending()).await
    /// # }
    /// ```
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), Error> {
        let sweeper = (!self.room_ttl.is_zero())
            .then(|| tokio::spawn(sweep_rooms(self.app.store.clone(), self.room_ttl)));
        let served = serve::serve(
            listener,
            self.router(),
            self.connections,
            self.closing.clone(),
            shutdown,
        )
        .await
        .map_err(Error::Io);
        if let Some(sweeper) = sweeper {
            sweeper.abort();
        }
        served
    }
}

/// Deletes idle rooms, checking a few times per `ttl` (at most once a minute).
async fn sweep_rooms(store: Arc<store::Store>, ttl: Duration) {
    let period = (ttl / 4).clamp(Duration::from_millis(10), Duration::from_secs(60));
    let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
    let mut ticks = tokio::time::interval(period);
    loop {
        ticks.tick().await;
        if let Err(err) = store.sweep_rooms(ttl_ms).await {
            eprintln!("rtcweb-signal: room sweep: {err:?}");
        }
    }
}

fn read_text(path: &std::path::Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|err| Error::Config(format!("{}: {err}", path.display())))
}
