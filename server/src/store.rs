//! The database: the tree, its rules, the write log that streams follow, and the data file.
//!
//! Every write runs under one lock: checked (keys, depth, size, rules, ETag), applied, announced
//! to the streams, then saved to the data file before it is acknowledged.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::http::StatusCode;
use base64::Engine;
use serde_json::{json, Map, Value};
use sha1::{Digest, Sha1};
use tokio::sync::broadcast;

use crate::auth::Auth;
use crate::path::{self, Path};
use crate::rules::{self, Rules};
use crate::stream::Announced;
use crate::tree;
use rtcweb_protocol::push_id::PushIds;
use rtcweb_protocol::schema;

/// How many changes a slow stream may fall behind before it is resent the whole value.
const CHANGE_BUFFER: usize = 1024;

/// A change to the tree, as the streams see it. Values are in stored form.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Change {
    /// `data` replaced the value at `path` (null: deleted).
    Put { path: Path, data: Value },
    /// Each `(relative path, value)` was written below `path`, as by a `PATCH`.
    Patch {
        path: Path,
        data: Vec<(Path, Value)>,
    },
    /// The rules changed: streams check that they may still read.
    Rules,
}

/// A request the database refuses.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Refusal {
    /// An error status with Firebase's message.
    Error(StatusCode, String),
    /// `if-match` did not match: the current value and its ETag.
    Stale { current: Value, etag: String },
}

impl Refusal {
    fn bad_request(message: impl Into<String>) -> Self {
        Refusal::Error(StatusCode::BAD_REQUEST, message.into())
    }

    pub(crate) fn permission_denied() -> Self {
        Refusal::Error(StatusCode::UNAUTHORIZED, "Permission denied".into())
    }
}

/// A write request.
#[derive(Debug, Clone)]
pub(crate) enum Write {
    /// `PUT` (and `DELETE`, as a null).
    Set(Value),
    /// `PATCH`: keys may be paths (`a/b`).
    Update(Map<String, Value>),
    /// `POST`: a new child with a push id.
    Push(Value),
}

/// Size limits of the database.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_depth: usize,
    pub(crate) max_data_bytes: usize,
    /// Most keys in one write's data (a PATCH's paths included).
    pub(crate) max_write_keys: usize,
}

/// A write whose keys, depth, size in keys and (for a PATCH) paths were checked before taking
/// the lock, so that a large write costs nobody else any time.
enum Checked {
    Set(Value),
    Push(Value),
    /// `(key as written, relative path, value)`, with no path an ancestor of another.
    Update(Vec<(String, Path, Value)>),
}

/// Checks what can be checked of a write without the tree: O(n log n) in its size.
fn check_write(
    at: &[String],
    write: Write,
    limits: Limits,
    body: &str,
) -> Result<Checked, Refusal> {
    let bad = |err: tree::TreeError| Refusal::bad_request(err.message(body));
    let keys = match &write {
        Write::Set(value) | Write::Push(value) => tree::count_keys(value),
        Write::Update(map) => map.len() + map.values().map(tree::count_keys).sum::<usize>(),
    };
    if keys > limits.max_write_keys {
        return Err(Refusal::bad_request(format!(
            "Invalid data; a single write may hold at most {} keys.",
            limits.max_write_keys
        )));
    }
    match write {
        Write::Set(raw) => {
            tree::check(&raw, at.len(), limits.max_depth).map_err(bad)?;
            Ok(Checked::Set(raw))
        }
        Write::Push(raw) => {
            tree::check(&raw, at.len() + 1, limits.max_depth).map_err(bad)?;
            Ok(Checked::Push(raw))
        }
        Write::Update(map) => {
            let mut entries = Vec::with_capacity(map.len());
            for (key, raw) in map {
                let rel = path::parse(&key)
                    .ok()
                    .filter(|rel| !rel.is_empty())
                    .ok_or_else(|| bad(tree::TreeError::BadKey(key.clone())))?;
                tree::check(&raw, at.len() + rel.len(), limits.max_depth).map_err(bad)?;
                entries.push((key, rel, raw));
            }
            // Sorted, a path's descendants follow it directly: comparing neighbours finds
            // every overlap.
            let mut paths: Vec<&Path> = entries.iter().map(|(_, rel, _)| rel).collect();
            paths.sort_unstable();
            let overlapping = paths
                .windows(2)
                .any(|pair| matches!(pair, [a, b] if path::is_prefix(a, b)));
            if overlapping {
                return Err(Refusal::bad_request(
                    "Invalid data; update paths overlap (one is an ancestor of another).",
                ));
            }
            Ok(Checked::Update(entries))
        }
    }
}

/// The database shared by all requests.
pub(crate) struct Store {
    state: Mutex<State>,
    changes: broadcast::Sender<Arc<Announced>>,
    data_file: Option<PathBuf>,
    /// Version of the tree last written to the data file; also orders file writes.
    saved: tokio::sync::Mutex<u64>,
    limits: Limits,
}

struct State {
    root: Value,
    rules: Rules,
    /// Counts writes, so the data file can skip snapshots that a newer one covers.
    version: u64,
    /// Size of the tree as JSON, kept up to date by each write.
    size: usize,
    push_ids: PushIds,
    /// Time (ms) of the newest write into each room under `/rooms`.
    room_writes: HashMap<String, u64>,
}

/// The ETag Firebase gives a value: base64 of the SHA-1 of its JSON; `null_etag` for null.
pub(crate) fn etag(value: &Value) -> String {
    if value.is_null() {
        return "null_etag".to_owned();
    }
    let json = serde_json::to_vec(&tree::render(value)).unwrap_or_default();
    base64::engine::general_purpose::STANDARD.encode(Sha1::digest(&json))
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl Store {
    /// A database holding `root` (any JSON; it is normalised) under `rules` (None: open).
    pub(crate) fn new(
        root: Value,
        rules: Option<Rules>,
        data_file: Option<PathBuf>,
        limits: Limits,
    ) -> Result<Self, String> {
        let rules = match rules {
            Some(rules) => rules,
            None => Rules::parse(rules::OPEN)?,
        };
        let root = tree::normalize(root);
        Ok(Store {
            changes: broadcast::channel(CHANGE_BUFFER).0,
            state: Mutex::new(State {
                size: tree::size(&root),
                root,
                rules,
                version: 0,
                push_ids: PushIds::default(),
                room_writes: HashMap::new(),
            }),
            data_file,
            saved: tokio::sync::Mutex::new(0),
            limits,
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the tree half-written (writes are
        // applied in one step), so a poisoned lock is still usable.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The value at `at` (stored form), if `auth` may read it.
    pub(crate) fn read(&self, at: &[String], auth: &Auth) -> Result<Value, Refusal> {
        let state = self.lock();
        if !state.may_read(at, auth) {
            return Err(Refusal::permission_denied());
        }
        Ok(tree::get(&state.root, at).cloned().unwrap_or(Value::Null))
    }

    /// Whether `auth` may read at `at` now.
    pub(crate) fn may_read(&self, at: &[String], auth: &Auth) -> bool {
        self.lock().may_read(at, auth)
    }

    /// The value at `at` and a receiver of every later change, taken together so none is
    /// missed; refused if `auth` may not read there.
    pub(crate) fn subscribe(
        &self,
        at: &[String],
        auth: &Auth,
    ) -> Result<(Value, broadcast::Receiver<Arc<Announced>>), Refusal> {
        let state = self.lock();
        if !state.may_read(at, auth) {
            return Err(Refusal::permission_denied());
        }
        let receiver = self.changes.subscribe();
        Ok((
            tree::get(&state.root, at).cloned().unwrap_or(Value::Null),
            receiver,
        ))
    }

    /// Applies a write at `at` and saves it; returns the response body (rendered).
    /// `body` is the request text, for error positions; `if_match` is the ETag condition.
    pub(crate) async fn write(
        &self,
        at: &[String],
        auth: &Auth,
        write: Write,
        if_match: Option<&str>,
        body: &str,
    ) -> Result<Value, Refusal> {
        let checked = check_write(at, write, self.limits, body)?;
        let (response, snapshot) = {
            let mut state = self.lock();
            let now = now_ms();
            let (response, change) =
                state.plan(at, auth, checked, if_match, body, now, self.limits)?;
            state.apply(&change, now);
            let _ = self.changes.send(Arc::new(Announced::new(change)));
            (response, self.snapshot(&state))
        };
        self.save(snapshot).await?;
        Ok(response)
    }

    /// Whether the rules index `child` at `at` (see `Rules::is_indexed`).
    pub(crate) fn is_indexed(&self, at: &[String], child: &[String]) -> bool {
        self.lock().rules.is_indexed(at, child)
    }

    /// The rules text in force.
    pub(crate) fn rules_text(&self) -> String {
        self.lock().rules.text().to_owned()
    }

    /// Replaces the rules; streams recheck their access.
    pub(crate) fn set_rules(&self, text: &str) -> Result<(), Refusal> {
        let rules = Rules::parse(text).map_err(Refusal::bad_request)?;
        self.lock().rules = rules;
        let _ = self.changes.send(Arc::new(Announced::new(Change::Rules)));
        Ok(())
    }

    /// Deletes the rooms under `/rooms` whose newest write is older than `ttl_ms`, telling the
    /// streams. Rooms never written since start count from their first sweep.
    pub(crate) async fn sweep_rooms(&self, ttl_ms: u64) -> Result<usize, Refusal> {
        let (expired, snapshot) = {
            let mut state = self.lock();
            let now = now_ms();
            let rooms: Vec<String> = state
                .root
                .get(schema::ROOMS)
                .and_then(Value::as_object)
                .map(|rooms| rooms.keys().cloned().collect())
                .unwrap_or_default();
            state.room_writes.retain(|id, _| rooms.contains(id));
            let mut expired = 0;
            for id in rooms {
                let last = *state.room_writes.entry(id.clone()).or_insert(now);
                if now.saturating_sub(last) >= ttl_ms {
                    let change = Change::Put {
                        path: vec![schema::ROOMS.to_owned(), id.clone()],
                        data: Value::Null,
                    };
                    state.apply(&change, now);
                    state.room_writes.remove(&id);
                    let _ = self.changes.send(Arc::new(Announced::new(change)));
                    expired += 1;
                }
            }
            let snapshot = if expired > 0 {
                self.snapshot(&state)
            } else {
                None
            };
            (expired, snapshot)
        };
        self.save(snapshot).await?;
        Ok(expired)
    }

    fn snapshot(&self, state: &State) -> Option<(u64, Vec<u8>)> {
        self.data_file.as_ref()?;
        Some((
            state.version,
            serde_json::to_vec(&state.root).unwrap_or_default(),
        ))
    }

    /// Writes the data file (to a temporary file, synced, then renamed over it, so a crash
    /// never leaves a torn file). A snapshot older than the one already saved is skipped: the
    /// newer one holds its write too, so concurrent writes share one file write.
    async fn save(&self, snapshot: Option<(u64, Vec<u8>)>) -> Result<(), Refusal> {
        let (Some(file), Some((version, bytes))) = (self.data_file.clone(), snapshot) else {
            return Ok(());
        };
        let mut saved = self.saved.lock().await;
        if *saved >= version {
            return Ok(());
        }
        let written = tokio::task::spawn_blocking(move || write_file(&file, &bytes)).await;
        match written {
            Ok(Ok(())) => {
                *saved = version;
                Ok(())
            }
            Ok(Err(err)) => Err(Refusal::Error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("could not save the database: {err}"),
            )),
            Err(err) => Err(Refusal::Error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("could not save the database: {err}"),
            )),
        }
    }
}

/// The temporary file a save writes before renaming it over `file`: `file` with a suffix added
/// (never replaced), so it can never be `file` itself, whatever `file` is called.
fn temporary_name(file: &std::path::Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".rtcweb-tmp");
    PathBuf::from(name)
}

fn write_file(file: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let tmp = temporary_name(file);
    let mut out = std::fs::File::create(&tmp)?;
    out.write_all(bytes)?;
    out.sync_all()?;
    std::fs::rename(&tmp, file)?;
    // Sync the folder too, so the rename itself survives a power cut (best effort).
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(dir) = std::fs::File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}

impl State {
    fn may_read(&self, at: &[String], auth: &Auth) -> bool {
        match auth {
            Auth::Admin => true,
            Auth::User(_) if self.rules.is_open() => true,
            Auth::User(user) => self.rules.can_read(at, user, &self.root, now_ms()),
        }
    }

    /// Checks a write and turns it into the change to apply, with the response body.
    #[allow(clippy::too_many_arguments)]
    fn plan(
        &mut self,
        at: &[String],
        auth: &Auth,
        write: Checked,
        if_match: Option<&str>,
        body: &str,
        now: u64,
        limits: Limits,
    ) -> Result<(Value, Change), Refusal> {
        let bad = |err: tree::TreeError| Refusal::bad_request(err.message(body));
        let (response, change) = match write {
            Checked::Set(raw) => {
                let current = tree::get(&self.root, at);
                if let Some(tag) = if_match {
                    let current = current.cloned().unwrap_or(Value::Null);
                    let current_tag = etag(&current);
                    if current_tag != tag {
                        return Err(Refusal::Stale {
                            current: tree::render(&current),
                            etag: current_tag,
                        });
                    }
                }
                let value =
                    tree::normalize(tree::resolve_server_values(raw, current, now).map_err(bad)?);
                (
                    tree::render(&value),
                    Change::Put {
                        path: at.to_vec(),
                        data: value,
                    },
                )
            }
            Checked::Push(raw) => {
                let name = self.push_ids.next(now, || fastrand::u8(..));
                let target: Path = at.iter().cloned().chain([name.clone()]).collect();
                let value =
                    tree::normalize(tree::resolve_server_values(raw, None, now).map_err(bad)?);
                (
                    json!({ "name": name }),
                    Change::Put {
                        path: target,
                        data: value,
                    },
                )
            }
            Checked::Update(checked) => {
                let mut entries: Vec<(Path, Value)> = Vec::with_capacity(checked.len());
                let mut response = Map::new();
                for (key, rel, raw) in checked {
                    let full: Path = at.iter().chain(&rel).cloned().collect();
                    let current = tree::get(&self.root, &full);
                    let value = tree::normalize(
                        tree::resolve_server_values(raw, current, now).map_err(bad)?,
                    );
                    response.insert(key, tree::render(&value));
                    entries.push((rel, value));
                }
                (
                    Value::Object(response),
                    Change::Patch {
                        path: at.to_vec(),
                        data: entries,
                    },
                )
            }
        };
        let puts = puts_of(&change);
        let added: usize = puts.iter().map(|(_, v)| tree::size(v)).sum();
        let removed: usize = puts
            .iter()
            .map(|(p, _)| tree::get(&self.root, p).map_or(0, tree::size))
            .sum();
        if (self.size + added).saturating_sub(removed) > limits.max_data_bytes && added > removed {
            return Err(Refusal::Error(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "Database is full: this write would take it over its limit of {} bytes.",
                    limits.max_data_bytes
                ),
            ));
        }
        if let Auth::User(user) = auth {
            if !self.rules.is_open() {
                // Rules may look at `newData` anywhere, so they see the whole tree after the write.
                let mut next = self.root.clone();
                for (p, v) in &puts {
                    tree::set(&mut next, p, v.clone());
                }
                let allowed = puts.iter().all(|(p, _)| {
                    self.rules.can_write(p, user, &self.root, &next, now)
                        && self.rules.validates(p, user, &self.root, &next, now)
                });
                if !allowed {
                    return Err(Refusal::permission_denied());
                }
            }
        }
        Ok((response, change))
    }

    /// Applies a planned change: the tree, its size, room times and the version.
    fn apply(&mut self, change: &Change, now: u64) {
        for (p, value) in puts_of(change) {
            let removed = tree::get(&self.root, &p).map_or(0, tree::size);
            self.size = (self.size + tree::size(&value)).saturating_sub(removed);
            self.touch_rooms(&p, &value, now);
            tree::set(&mut self.root, &p, value);
        }
        self.version += 1;
    }

    /// Records a write time for each room under `/rooms` that a write at `p` reaches.
    fn touch_rooms(&mut self, p: &[String], value: &Value, now: u64) {
        let rooms = [schema::ROOMS.to_owned()];
        match p {
            [first, id, ..] if first == schema::ROOMS => {
                self.room_writes.insert(id.clone(), now);
            }
            _ if path::is_prefix(p, &rooms) => {
                let below = rooms.get(p.len()..).unwrap_or_default();
                if let Some(map) = tree::get(value, below).and_then(Value::as_object) {
                    for id in map.keys() {
                        self.room_writes.insert(id.clone(), now);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The absolute `(path, value)` writes a change is made of.
pub(crate) fn puts_of(change: &Change) -> Vec<(Path, Value)> {
    match change {
        Change::Put { path, data } => vec![(path.clone(), data.clone())],
        Change::Patch { path, data } => data
            .iter()
            .map(|(rel, value)| (path.iter().chain(rel).cloned().collect(), value.clone()))
            .collect(),
        Change::Rules => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_are_sha1_of_the_json() {
        assert_eq!(etag(&Value::Null), "null_etag");
        // echo -n '{"a":1}' | sha1sum | xxd -r -p | base64
        assert_eq!(etag(&json!({"a": 1})).len(), 28);
        assert_eq!(etag(&json!({"a": 1})), etag(&json!({"a": 1})));
        assert_ne!(etag(&json!({"a": 1})), etag(&json!({"a": 2})));
        assert_eq!(etag(&json!({"0": "x"})), etag(&json!(["x"])));
    }

    #[test]
    fn the_temporary_file_is_never_the_data_file() {
        for name in ["db.json", "db.tmp", "db", "dir/x.tmp"] {
            let file = std::path::Path::new(name);
            assert_ne!(temporary_name(file), file, "{name}");
        }
        assert_eq!(
            temporary_name(std::path::Path::new("db.tmp")),
            PathBuf::from("db.tmp.rtcweb-tmp")
        );
    }

    #[test]
    fn patch_changes_are_absolute_puts() {
        let change = Change::Patch {
            path: vec!["a".into()],
            data: vec![(vec!["b".into(), "c".into()], json!(1))],
        };
        assert_eq!(
            puts_of(&change),
            vec![(vec!["a".into(), "b".into(), "c".into()], json!(1))]
        );
    }
}
