//! `rtcweb-signal`: a local server for rtcweb's signaling.
//!
//! It speaks the Firebase Realtime Database REST protocol at the root of its address
//! (`/<path>.json`), so the same client works against it and against a real Firebase database,
//! and serves a folder of static files (the demo page and the built package) on other paths.
//!
//! This is the skeleton of the server: a JSON tree with `GET`, `PUT` and `DELETE`. The rest of
//! the protocol (push ids, queries, streaming, rules) is built on top of it.
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

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde_json::Value;
use tokio::sync::Mutex;
use tower::ServiceExt;
use tower_http::cors::CorsLayer;
use tower_http::services::ServeDir;

/// Where the server finds its files.
///
/// ```
/// let config = rtcweb_signal::Config { www: Some("www".into()), ..Default::default() };
/// assert!(config.rules.is_none());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Folder served on every path that is not a database path.
    pub www: Option<PathBuf>,
    /// Security rules file (`database.rules.json`); read and checked at start.
    pub rules: Option<PathBuf>,
    /// File holding the database between runs; loaded at start, rewritten after each write.
    pub data: Option<PathBuf>,
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

struct Db {
    root: Value,
    data_file: Option<PathBuf>,
}

/// The server: a database and a static file folder behind one HTTP router.
///
/// ```no_run
/// let server = rtcweb_signal::Server::new(Default::default())?;
/// let app: axum::Router = server.router();
/// # Ok::<(), rtcweb_signal::Error>(())
/// ```
pub struct Server {
    db: Arc<Mutex<Db>>,
    www: Option<PathBuf>,
}

impl Server {
    /// Reads the rules and data files of `config`.
    ///
    /// # Errors
    /// [`Error::Config`] when a named file cannot be read or is not JSON.
    ///
    /// ```no_run
    /// let server = rtcweb_signal::Server::new(rtcweb_signal::Config {
    ///     data: Some("db.json".into()),
    ///     ..Default::default()
    /// })?;
    /// # Ok::<(), rtcweb_signal::Error>(())
    /// ```
    pub fn new(config: Config) -> Result<Self, Error> {
        if let Some(rules) = &config.rules {
            read_json(rules)?;
        }
        let root = match &config.data {
            Some(path) if path.exists() => read_json(path)?,
            _ => Value::Null,
        };
        Ok(Server {
            db: Arc::new(Mutex::new(Db {
                root,
                data_file: config.data,
            })),
            www: config.www,
        })
    }

    /// The HTTP routes: `/<path>.json` for the database, static files elsewhere.
    ///
    /// ```no_run
    /// let app = rtcweb_signal::Server::new(Default::default())?.router();
    /// # let _: axum::Router = app;
    /// # Ok::<(), rtcweb_signal::Error>(())
    /// ```
    pub fn router(&self) -> Router {
        let state = AppState {
            db: self.db.clone(),
            www: self.www.as_ref().map(ServeDir::new),
        };
        Router::new()
            .fallback(dispatch)
            .with_state(state)
            .layer(CorsLayer::permissive())
    }

    /// Serves on `listener` until `shutdown` resolves, then lets open requests finish.
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
        axum::serve(listener, self.router())
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(Error::Io)
    }
}

#[derive(Clone)]
struct AppState {
    db: Arc<Mutex<Db>>,
    www: Option<ServeDir>,
}

/// A `.json` path is always data, as on Firebase; anything else is a static file.
async fn dispatch(State(state): State<AppState>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    if let Some(db_path) = path.strip_suffix(".json") {
        let method = request.method().clone();
        let body = match axum::body::to_bytes(request.into_body(), MAX_BODY).await {
            Ok(body) => body,
            Err(_) => return firebase_error(StatusCode::PAYLOAD_TOO_LARGE, "Data to write exceeds the maximum size that can be modified with a single request."),
        };
        return database(&state.db, method, db_path, &body).await;
    }
    match state.www {
        Some(www) => match www.oneshot(request).await {
            Ok(response) => response.into_response(),
            Err(err) => match err {},
        },
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Largest request body accepted, as Firebase's REST limit for one write.
const MAX_BODY: usize = 16 * 1024 * 1024;

async fn database(db: &Mutex<Db>, method: Method, path: &str, body: &[u8]) -> Response {
    let keys: Vec<&str> = path.split('/').filter(|key| !key.is_empty()).collect();
    let mut db = db.lock().await;
    match method {
        Method::GET => {
            Json(value_at(&db.root, &keys).cloned().unwrap_or(Value::Null)).into_response()
        }
        Method::PUT | Method::DELETE => {
            let value = if method == Method::PUT {
                match serde_json::from_slice::<Value>(body) {
                    Ok(value) => value,
                    Err(_) => {
                        return firebase_error(
                            StatusCode::BAD_REQUEST,
                            "Invalid data; couldn't parse JSON object, array, or value.",
                        )
                    }
                }
            } else {
                Value::Null
            };
            set_at(&mut db.root, &keys, value.clone());
            if let Err(err) = db.persist() {
                return firebase_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &format!("could not save the database: {err}"),
                );
            }
            Json(value).into_response()
        }
        _ => firebase_error(StatusCode::METHOD_NOT_ALLOWED, "Invalid HTTP method"),
    }
}

fn firebase_error(status: StatusCode, message: &str) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

fn value_at<'a>(root: &'a Value, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().try_fold(root, |node, key| node.get(*key))
}

/// Writes `value` at `keys`, creating parents; a null deletes, and parents left empty vanish,
/// as in Firebase's tree.
fn set_at(node: &mut Value, keys: &[&str], value: Value) {
    let Some((first, rest)) = keys.split_first() else {
        *node = value;
        return;
    };
    if !node.is_object() {
        if value.is_null() {
            return;
        }
        *node = Value::Object(Default::default());
    }
    if let Value::Object(children) = node {
        let child = children.entry((*first).to_owned()).or_insert(Value::Null);
        set_at(child, rest, value);
        if child.is_null() || child.as_object().is_some_and(|o| o.is_empty()) {
            children.remove(*first);
        }
        if children.is_empty() {
            *node = Value::Null;
        }
    }
}

impl Db {
    fn persist(&self) -> std::io::Result<()> {
        let Some(path) = &self.data_file else {
            return Ok(());
        };
        // Write then rename, so a crash mid-write never leaves a truncated file.
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, serde_json::to_vec(&self.root)?)?;
        std::fs::rename(tmp, path)
    }
}

fn read_json(path: &std::path::Path) -> Result<Value, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| Error::Config(format!("{}: {err}", path.display())))?;
    serde_json::from_str(&text).map_err(|err| Error::Config(format!("{}: {err}", path.display())))
}
