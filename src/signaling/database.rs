//! The REST client: reads, writes, queries and conditional writes.

use std::rc::Rc;

use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::location::{parse_path, rest_url};
use super::subscription::Subscription;
use crate::error::{Error, SignalingError};

/// A database: its base URL and, optionally, an auth token sent as `auth=`.
///
/// Cheap to clone; clones share their settings.
///
/// ```
/// use rtcweb::signaling::Database;
///
/// let local = Database::new("http://127.0.0.1:8080");
/// let firebase = Database::new("https://my-app-default-rtdb.firebaseio.com").with_auth("id-token");
/// assert_eq!(local.base_url(), "http://127.0.0.1:8080");
/// # let _ = firebase;
/// ```
#[derive(Debug, Clone)]
pub struct Database {
    config: Rc<Config>,
}

#[derive(Debug)]
struct Config {
    base_url: String,
    auth: Option<String>,
}

impl Database {
    /// A database at `base_url`, such as `https://<app>.firebaseio.com` or
    /// `http://127.0.0.1:8080` for `rtcweb-signal`.
    ///
    /// ```
    /// let db = rtcweb::signaling::Database::new("http://127.0.0.1:8080/");
    /// assert_eq!(db.base_url(), "http://127.0.0.1:8080");
    /// ```
    pub fn new(base_url: impl Into<String>) -> Self {
        let base_url = base_url.into().trim_end_matches('/').to_owned();
        Database {
            config: Rc::new(Config {
                base_url,
                auth: None,
            }),
        }
    }

    /// The same database, with requests authenticated by `token` (a Firebase ID token, a
    /// database secret, or `owner` for an emulator's admin).
    ///
    /// ```
    /// let db = rtcweb::signaling::Database::new("http://127.0.0.1:8080").with_auth("owner");
    /// ```
    pub fn with_auth(self, token: impl Into<String>) -> Self {
        Database {
            config: Rc::new(Config {
                base_url: self.config.base_url.clone(),
                auth: Some(token.into()),
            }),
        }
    }

    /// The base URL, without a trailing slash.
    ///
    /// ```
    /// assert_eq!(rtcweb::signaling::Database::new("http://h:1").base_url(), "http://h:1");
    /// ```
    pub fn base_url(&self) -> &str {
        &self.config.base_url
    }

    /// A reference to the location at `path` (`"rooms/abc"`; `""` is the root).
    ///
    /// # Errors
    /// [`SignalingError::InvalidPath`] for keys Firebase forbids (`.`, `$`, `#`, `[`, `]`,
    /// control characters, over 768 bytes).
    ///
    /// ```
    /// let db = rtcweb::signaling::Database::new("http://127.0.0.1:8080");
    /// let room = db.reference("rooms/abc")?;
    /// assert_eq!(room.key(), Some("abc"));
    /// assert!(db.reference("rooms/a.b").is_err());
    /// # Ok::<(), rtcweb::Error>(())
    /// ```
    pub fn reference(&self, path: &str) -> Result<Reference, Error> {
        Ok(Reference {
            db: self.clone(),
            keys: parse_path(path)?,
        })
    }

    pub(crate) fn url(&self, keys: &[String], mut params: Vec<(&'static str, String)>) -> String {
        if let Some(auth) = &self.config.auth {
            params.push(("auth", auth.clone()));
        }
        rest_url(&self.config.base_url, keys, &params)
    }
}

/// The value for a write that the server replaces with its current time in milliseconds.
///
/// ```
/// assert_eq!(rtcweb::signaling::server_timestamp(), serde_json::json!({".sv": "timestamp"}));
/// ```
pub fn server_timestamp() -> Value {
    serde_json::json!({ ".sv": "timestamp" })
}

/// The value for a write that the server adds `by` to the current number.
///
/// ```
/// assert_eq!(rtcweb::signaling::increment(1), serde_json::json!({".sv": {"increment": 1}}));
/// ```
pub fn increment(by: i64) -> Value {
    serde_json::json!({ ".sv": { "increment": by } })
}

/// The outcome of [`Reference::set_if_match`].
///
/// ```
/// use rtcweb::signaling::ConditionalWrite;
/// let outcome = ConditionalWrite::Conflict { value: serde_json::json!(1), etag: "abc".into() };
/// assert!(!outcome.is_written());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum ConditionalWrite {
    /// The value was unchanged, and is now written.
    Written,
    /// Someone changed it first: this is the current value and its ETag, to retry with.
    Conflict {
        /// The current value.
        value: Value,
        /// The current ETag.
        etag: String,
    },
}

impl ConditionalWrite {
    /// Whether the write happened.
    ///
    /// ```
    /// assert!(rtcweb::signaling::ConditionalWrite::Written.is_written());
    /// ```
    pub fn is_written(&self) -> bool {
        matches!(self, ConditionalWrite::Written)
    }
}

/// A location in the database, as Firebase's `DatabaseReference`.
///
/// ```no_run
/// use rtcweb::signaling::{Database, server_timestamp};
///
/// # async fn run() -> Result<(), rtcweb::Error> {
/// let room = Database::new("http://127.0.0.1:8080").reference("rooms/abc")?;
/// room.child("created")?.set(&server_timestamp()).await?;
/// let id = room.child("messages")?.push(&"hi").await?;
/// room.remove().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Reference {
    db: Database,
    keys: Vec<String>,
}

impl Reference {
    /// The location's last key; `None` at the root.
    ///
    /// ```
    /// let db = rtcweb::signaling::Database::new("http://h");
    /// assert_eq!(db.reference("")?.key(), None);
    /// # Ok::<(), rtcweb::Error>(())
    /// ```
    pub fn key(&self) -> Option<&str> {
        self.keys.last().map(String::as_str)
    }

    /// The location's path, such as `/rooms/abc`.
    ///
    /// ```
    /// let db = rtcweb::signaling::Database::new("http://h");
    /// assert_eq!(db.reference("rooms/abc/")?.path(), "/rooms/abc");
    /// # Ok::<(), rtcweb::Error>(())
    /// ```
    pub fn path(&self) -> String {
        format!("/{}", self.keys.join("/"))
    }

    /// The database this location belongs to.
    ///
    /// ```
    /// let db = rtcweb::signaling::Database::new("http://h");
    /// assert_eq!(db.reference("a")?.database().base_url(), "http://h");
    /// # Ok::<(), rtcweb::Error>(())
    /// ```
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// The location at `path` below this one.
    ///
    /// # Errors
    /// As [`Database::reference`].
    ///
    /// ```
    /// let db = rtcweb::signaling::Database::new("http://h");
    /// assert_eq!(db.reference("rooms")?.child("abc/offer")?.path(), "/rooms/abc/offer");
    /// # Ok::<(), rtcweb::Error>(())
    /// ```
    pub fn child(&self, path: &str) -> Result<Reference, Error> {
        let mut keys = self.keys.clone();
        keys.extend(parse_path(path)?);
        Ok(Reference {
            db: self.db.clone(),
            keys,
        })
    }

    /// The REST URL of this location with extra query parameters.
    pub(crate) fn url(&self, params: Vec<(&'static str, String)>) -> String {
        self.db.url(&self.keys, params)
    }

    /// Reads the value (`null` when there is none).
    ///
    /// # Errors
    /// [`SignalingError`]s: unreachable server, permission denied, an HTTP error, malformed JSON.
    ///
    /// ```no_run
    /// # async fn run(r: rtcweb::signaling::Reference) -> Result<(), rtcweb::Error> {
    /// let value: serde_json::Value = r.get().await?;
    /// # Ok(()) }
    /// ```
    pub async fn get(&self) -> Result<Value, Error> {
        let response = send(Request::get(&self.url(Vec::new())).build()).await?;
        json_body(response).await
    }

    /// Reads the value as `T`; use `Option<T>` to accept an empty location.
    ///
    /// # Errors
    /// As [`get`](Self::get); [`SignalingError::MalformedJson`] when the value is not a `T`.
    ///
    /// ```no_run
    /// # async fn run(r: rtcweb::signaling::Reference) -> Result<(), rtcweb::Error> {
    /// let offer: Option<rtcweb::SessionDescription> = r.get_as().await?;
    /// # Ok(()) }
    /// ```
    pub async fn get_as<T: DeserializeOwned>(&self) -> Result<T, Error> {
        from_value(self.get().await?)
    }

    /// Reads only the keys of the children (`shallow=true`): each maps to `true`, or to the
    /// value itself where it is not an object.
    ///
    /// # Errors
    /// As [`get`](Self::get).
    ///
    /// ```no_run
    /// # async fn run(rooms: rtcweb::signaling::Reference) -> Result<(), rtcweb::Error> {
    /// let names = rooms.shallow().await?;
    /// # Ok(()) }
    /// ```
    pub async fn shallow(&self) -> Result<Value, Error> {
        let response =
            send(Request::get(&self.url(vec![("shallow", "true".into())])).build()).await?;
        json_body(response).await
    }

    /// Reads the value with its ETag, for [`set_if_match`](Self::set_if_match).
    ///
    /// # Errors
    /// As [`get`](Self::get); [`SignalingError::MalformedJson`] when the server sends no ETag.
    ///
    /// ```no_run
    /// # async fn run(r: rtcweb::signaling::Reference) -> Result<(), rtcweb::Error> {
    /// let (value, etag) = r.get_with_etag().await?;
    /// # Ok(()) }
    /// ```
    pub async fn get_with_etag(&self) -> Result<(Value, String), Error> {
        let request = Request::get(&self.url(Vec::new())).header("X-Firebase-ETag", "true");
        let response = send(request.build()).await?;
        let etag = etag_of(&response)?;
        Ok((json_body(response).await?, etag))
    }

    /// Replaces the value (PUT, `print=silent`). `null` deletes.
    ///
    /// # Errors
    /// As [`get`](Self::get); [`SignalingError::MalformedJson`] when `value` does not
    /// serialize.
    ///
    /// ```no_run
    /// # async fn run(r: rtcweb::signaling::Reference) -> Result<(), rtcweb::Error> {
    /// r.set(&serde_json::json!({"type": "offer", "sdp": "v=0"})).await?;
    /// # Ok(()) }
    /// ```
    pub async fn set<T: Serialize + ?Sized>(&self, value: &T) -> Result<(), Error> {
        let body = to_json(value)?;
        send(Request::put(&self.url(silent())).body(body)).await?;
        Ok(())
    }

    /// Replaces the value only if it still has `etag` (`if-match`).
    ///
    /// # Errors
    /// As [`set`](Self::set). A changed value is not an error: it is
    /// [`ConditionalWrite::Conflict`].
    ///
    /// ```no_run
    /// # async fn run(counter: rtcweb::signaling::Reference) -> Result<(), rtcweb::Error> {
    /// use rtcweb::signaling::ConditionalWrite;
    /// let (mut value, mut etag) = counter.get_with_etag().await?;
    /// loop {
    ///     let next = value.as_i64().unwrap_or(0) + 1;
    ///     match counter.set_if_match(&next, &etag).await? {
    ///         ConditionalWrite::Written => break,
    ///         ConditionalWrite::Conflict { value: v, etag: e } => (value, etag) = (v, e),
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn set_if_match<T: Serialize + ?Sized>(
        &self,
        value: &T,
        etag: &str,
    ) -> Result<ConditionalWrite, Error> {
        let request = Request::put(&self.url(Vec::new()))
            .header("X-Firebase-ETag", "true")
            .header("if-match", etag)
            .body(to_json(value)?)
            .map_err(unreachable)?;
        let response = request.send().await.map_err(unreachable)?;
        if response.status() == 412 {
            let etag = etag_of(&response)?;
            let value = json_body(response).await?;
            return Ok(ConditionalWrite::Conflict { value, etag });
        }
        check_status(response).await?;
        Ok(ConditionalWrite::Written)
    }

    /// Writes the children of `values` (PATCH), leaving other children alone. Keys may be
    /// paths (`"a/b"`), for a multi-location update.
    ///
    /// # Errors
    /// As [`set`](Self::set).
    ///
    /// ```no_run
    /// # async fn run(room: rtcweb::signaling::Reference) -> Result<(), rtcweb::Error> {
    /// room.update(&serde_json::json!({"answer/type": "answer", "updated": rtcweb::signaling::server_timestamp()})).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update<T: Serialize + ?Sized>(&self, values: &T) -> Result<(), Error> {
        let body = to_json(values)?;
        send(Request::patch(&self.url(silent())).body(body)).await?;
        Ok(())
    }

    /// Adds a child under a new chronological push id (POST) and returns the id.
    ///
    /// # Errors
    /// As [`set`](Self::set); [`SignalingError::MalformedJson`] when the answer has no name.
    ///
    /// ```no_run
    /// # async fn run(candidates: rtcweb::signaling::Reference) -> Result<(), rtcweb::Error> {
    /// let id = candidates.push(&"candidate:1 1 udp 1 10.0.0.1 9 typ host").await?;
    /// assert_eq!(id.len(), 20);
    /// # Ok(()) }
    /// ```
    pub async fn push<T: Serialize + ?Sized>(&self, value: &T) -> Result<String, Error> {
        let body = to_json(value)?;
        let response = send(Request::post(&self.url(Vec::new())).body(body)).await?;
        match json_body(response).await? {
            Value::Object(mut map) => match map.remove("name") {
                Some(Value::String(name)) => Ok(name),
                _ => Err(malformed("a push answered without a name")),
            },
            _ => Err(malformed("a push answered without a name")),
        }
    }

    /// Deletes the value and everything below it.
    ///
    /// # Errors
    /// As [`get`](Self::get).
    ///
    /// ```no_run
    /// # async fn run(room: rtcweb::signaling::Reference) -> Result<(), rtcweb::Error> {
    /// room.remove().await?;
    /// # Ok(()) }
    /// ```
    pub async fn remove(&self) -> Result<(), Error> {
        send(Request::delete(&self.url(silent())).build()).await?;
        Ok(())
    }

    /// A query on the children of this location.
    ///
    /// ```no_run
    /// # async fn run(rooms: rtcweb::signaling::Reference) -> Result<(), rtcweb::Error> {
    /// let newest = rooms.query().order_by_child("updated").limit_to_last(10).get().await?;
    /// # Ok(()) }
    /// ```
    pub fn query(&self) -> Query {
        Query {
            reference: self.clone(),
            params: Vec::new(),
        }
    }

    /// Streams the changes of this location, keeping a local copy; see [`Subscription`].
    ///
    /// # Errors
    /// [`crate::Error::Unsupported`] where the browser has no `EventSource`.
    ///
    /// ```no_run
    /// use futures::StreamExt;
    /// # async fn run(room: rtcweb::signaling::Reference) -> Result<(), rtcweb::Error> {
    /// let mut changes = room.subscribe()?;
    /// while let Some(event) = changes.next().await {
    ///     println!("{:?}, now {}", event?, changes.snapshot());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn subscribe(&self) -> Result<Subscription, Error> {
        Subscription::open(
            self.url(Vec::new()),
            self.url(vec![("shallow", "true".into())]),
        )
    }
}

/// A query: an order, then limits and ranges (`orderBy`, `limitToFirst`, `startAt`, ...).
///
/// ```no_run
/// # async fn run(scores: rtcweb::signaling::Reference) -> Result<(), rtcweb::Error> {
/// let top = scores.query().order_by_value().limit_to_last(3).get().await?;
/// let a_to_m = scores.query().order_by_key().start_at("a").end_at("m").get().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Query {
    reference: Reference,
    params: Vec<(&'static str, String)>,
}

impl Query {
    fn with(mut self, name: &'static str, value: String) -> Self {
        self.params.push((name, value));
        self
    }

    fn with_json(self, name: &'static str, value: impl Serialize) -> Self {
        // Serializing plain values (strings, numbers, booleans, null) cannot fail.
        let json = serde_json::to_string(&value).unwrap_or_else(|_| "null".into());
        self.with(name, json)
    }

    /// Orders by key.
    ///
    /// ```
    /// # let r = rtcweb::signaling::Database::new("http://h").reference("x").unwrap();
    /// let q = r.query().order_by_key();
    /// ```
    pub fn order_by_key(self) -> Self {
        self.with_json("orderBy", "$key")
    }

    /// Orders by value.
    ///
    /// ```
    /// # let r = rtcweb::signaling::Database::new("http://h").reference("x").unwrap();
    /// let q = r.query().order_by_value();
    /// ```
    pub fn order_by_value(self) -> Self {
        self.with_json("orderBy", "$value")
    }

    /// Orders by the value of a child path of each child.
    ///
    /// ```
    /// # let r = rtcweb::signaling::Database::new("http://h").reference("x").unwrap();
    /// let q = r.query().order_by_child("presence/seen");
    /// ```
    pub fn order_by_child(self, path: &str) -> Self {
        self.with_json("orderBy", path)
    }

    /// Keeps the first `n` children in the order.
    ///
    /// ```
    /// # let r = rtcweb::signaling::Database::new("http://h").reference("x").unwrap();
    /// let q = r.query().order_by_key().limit_to_first(5);
    /// ```
    pub fn limit_to_first(self, n: u32) -> Self {
        self.with("limitToFirst", n.to_string())
    }

    /// Keeps the last `n` children in the order.
    ///
    /// ```
    /// # let r = rtcweb::signaling::Database::new("http://h").reference("x").unwrap();
    /// let q = r.query().order_by_key().limit_to_last(5);
    /// ```
    pub fn limit_to_last(self, n: u32) -> Self {
        self.with("limitToLast", n.to_string())
    }

    /// Keeps children from `value` on (inclusive).
    ///
    /// ```
    /// # let r = rtcweb::signaling::Database::new("http://h").reference("x").unwrap();
    /// let q = r.query().order_by_child("age").start_at(18);
    /// ```
    pub fn start_at(self, value: impl Serialize) -> Self {
        self.with_json("startAt", value)
    }

    /// Keeps children up to `value` (inclusive).
    ///
    /// ```
    /// # let r = rtcweb::signaling::Database::new("http://h").reference("x").unwrap();
    /// let q = r.query().order_by_child("updated").end_at(1_700_000_000_000u64);
    /// ```
    pub fn end_at(self, value: impl Serialize) -> Self {
        self.with_json("endAt", value)
    }

    /// Keeps children equal to `value`.
    ///
    /// ```
    /// # let r = rtcweb::signaling::Database::new("http://h").reference("x").unwrap();
    /// let q = r.query().order_by_child("side").equal_to("offerer");
    /// ```
    pub fn equal_to(self, value: impl Serialize) -> Self {
        self.with_json("equalTo", value)
    }

    /// Runs the query; the result is an object of the matching children.
    ///
    /// # Errors
    /// As [`Reference::get`]; [`SignalingError::Http`] (400) for an invalid query.
    ///
    /// ```no_run
    /// # async fn run(r: rtcweb::signaling::Reference) -> Result<(), rtcweb::Error> {
    /// let firsts = r.query().order_by_key().limit_to_first(2).get().await?;
    /// # Ok(()) }
    /// ```
    pub async fn get(&self) -> Result<Value, Error> {
        let response = send(Request::get(&self.reference.url(self.params.clone())).build()).await?;
        json_body(response).await
    }
}

fn silent() -> Vec<(&'static str, String)> {
    vec![("print", "silent".into())]
}

fn malformed(why: impl Into<String>) -> Error {
    SignalingError::MalformedJson(why.into()).into()
}

fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    serde_json::to_string(value).map_err(|err| malformed(err.to_string()))
}

fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, Error> {
    crate::types::json::from_value(value).map_err(|err| malformed(err.to_string()))
}

fn unreachable(err: gloo_net::Error) -> Error {
    SignalingError::Unreachable(err.to_string()).into()
}

/// Sends a request and turns an error status into a [`SignalingError`]. A request that
/// cannot even be built (an invalid base URL) counts as unreachable.
async fn send(request: Result<Request, gloo_net::Error>) -> Result<Response, Error> {
    let response = request
        .map_err(unreachable)?
        .send()
        .await
        .map_err(unreachable)?;
    check_status(response).await
}

async fn check_status(response: Response) -> Result<Response, Error> {
    let status = response.status();
    if (200..300).contains(&status) {
        return Ok(response);
    }
    let text = response.text().await.unwrap_or_default();
    Err(SignalingError::from_status(status, &text).into())
}

async fn json_body(response: Response) -> Result<Value, Error> {
    let text = response.text().await.map_err(unreachable)?;
    serde_json::from_str(&text).map_err(|err| malformed(format!("{err} in {text:.80?}")))
}

fn etag_of(response: &Response) -> Result<String, Error> {
    response
        .headers()
        .get("ETag")
        .ok_or_else(|| malformed("the server sent no ETag"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_carry_auth_and_parameters() {
        let db = Database::new("http://h:1/").with_auth("tok");
        let r = db.reference("rooms/a").unwrap();
        assert_eq!(
            r.url(silent()),
            "http://h:1/rooms/a.json?print=silent&auth=tok"
        );
        let q = r
            .query()
            .order_by_child("updated")
            .end_at(5)
            .limit_to_first(2);
        assert_eq!(
            db.url(&r.keys, q.params),
            "http://h:1/rooms/a.json?orderBy=%22updated%22&endAt=5&limitToFirst=2&auth=tok"
        );
    }
}
