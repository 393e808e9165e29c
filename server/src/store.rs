//! The database: the tree, its rules, the changes that streams follow, and the journal.
//!
//! A write is checked (keys, depth, size, rules, ETag) and planned under the lock, against the
//! tree as it will be once the writes planned before it are saved. With a data file its record
//! then joins the journal's buffer, and the lock is released while the journal is synced: every
//! write buffered meanwhile shares the next sync (group commit). Once synced, writes are applied
//! to the tree and announced to the streams in the order they were planned, then acknowledged.
//! Reads and streams only ever see the saved tree; a write that cannot be saved is never
//! applied, and neither is any write planned after it.

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::http::StatusCode;
use base64::Engine;
use serde_json::{json, Map, Value};
use sha1::{Digest, Sha1};
use tokio::sync::oneshot;

use crate::auth::Auth;
use crate::hub::{Hub, Subscription};
use crate::journal::{self, Journal};
use crate::path::{self, Path};
use crate::rules::{self, Rules};
use crate::tree;
use rtcweb_protocol::push_id::PushIds;
use rtcweb_protocol::schema;

/// How many changes a slow stream may fall behind before it is resent the whole value.
const CHANGE_BUFFER: usize = 1024;
/// Most bytes of changes one stream's pump has not taken yet (as `--stream-budget`'s default).
const CHANGE_BYTES_PER_STREAM: usize = 8 * 1024 * 1024;
/// Most bytes of changes all streams' pumps have not taken yet (as `--max-buffered-bytes`'s
/// default).
const CHANGE_BYTES: usize = 256 * 1024 * 1024;

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
    /// `(key as written, relative path, value)`; whether a path is another's ancestor is
    /// checked once the write is authorized (see [`overlapping`]).
    Update(Vec<(String, Path, Value)>),
}

/// Checks what can be checked of a write without the tree: O(n) in its size.
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
            Ok(Checked::Update(entries))
        }
    }
}

/// Whether a PATCH's paths overlap (one is another's ancestor, or twice the same): O(n log n),
/// run only for a write its caller may make, so that no one else can make the server do it.
fn overlapping(paths: &[(Path, Value)]) -> bool {
    let mut paths: Vec<&Path> = paths.iter().map(|(rel, _)| rel).collect();
    paths.sort_unstable();
    // Sorted, a path's descendants follow it directly: comparing neighbours finds every overlap.
    paths
        .windows(2)
        .any(|pair| matches!(pair, [a, b] if path::is_prefix(a, b)))
}

/// The database shared by all requests.
pub(crate) struct Store {
    state: Mutex<State>,
    /// The streams, by location: each change goes to those it reaches.
    hub: Arc<Hub>,
    /// The data file's journal (None: the database lives in memory only). Its lock is held
    /// while one group of records is written and synced; it is None once the journal failed
    /// in a way that leaves its state on disk unknown.
    journal: Option<tokio::sync::Mutex<Option<Journal>>>,
    limits: Limits,
}

/// Whether a planned write was saved (and applied).
type Saved = Result<(), Refusal>;

/// A write planned, whose record is in the journal's buffer or being synced.
struct Pending {
    change: Change,
    /// Told once the write is applied, or refused.
    done: Option<oneshot::Sender<Saved>>,
}

struct State {
    /// The saved tree: what reads and streams see.
    root: Value,
    rules: Rules,
    /// Planned writes not yet saved, oldest first: the tree that writes are planned against is
    /// `root` with these applied.
    pending: VecDeque<Pending>,
    /// Records of the pending writes that no sync has taken yet.
    unwritten: Vec<u8>,
    /// How many of `pending` have their record in `unwritten` (the newest ones).
    unwritten_count: usize,
    /// Why writes are refused since the journal failed, if it did.
    broken: Option<String>,
    /// Size of the tree as JSON once the pending writes are applied, kept up to date by each
    /// write.
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
    /// A database holding `root` (any JSON; it is normalised) under `rules` (None: open),
    /// saving its writes to `journal` if given.
    pub(crate) fn new(
        root: Value,
        rules: Option<Rules>,
        journal: Option<Journal>,
        limits: Limits,
    ) -> Result<Self, String> {
        let rules = match rules {
            Some(rules) => rules,
            None => Rules::parse(rules::OPEN)?,
        };
        let root = tree::normalize(root);
        Ok(Store {
            hub: Hub::new(CHANGE_BUFFER, CHANGE_BYTES_PER_STREAM, CHANGE_BYTES),
            state: Mutex::new(State {
                size: tree::size(&root),
                root,
                rules,
                pending: VecDeque::new(),
                unwritten: Vec::new(),
                unwritten_count: 0,
                broken: None,
                push_ids: PushIds::default(),
                room_writes: HashMap::new(),
            }),
            journal: journal.map(|journal| tokio::sync::Mutex::new(Some(journal))),
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
    ) -> Result<(Value, Subscription), Refusal> {
        let state = self.lock();
        if !state.may_read(at, auth) {
            return Err(Refusal::permission_denied());
        }
        let receiver = self.hub.subscribe(at);
        Ok((
            tree::get(&state.root, at).cloned().unwrap_or(Value::Null),
            receiver,
        ))
    }

    /// Plans a write at `at`, saves it and applies it; returns the response body (rendered).
    /// `body` is the request text, for error positions; `if_match` is the ETag condition.
    pub(crate) async fn write(
        self: &Arc<Self>,
        at: &[String],
        auth: &Auth,
        write: Write,
        if_match: Option<&str>,
        body: &str,
    ) -> Result<Value, Refusal> {
        let checked = check_write(at, write, self.limits, body)?;
        let (response, saved) = {
            let mut state = self.lock();
            if let Some(why) = &state.broken {
                return Err(unavailable(why));
            }
            let now = now_ms();
            let (response, change, size) =
                state.plan(at, auth, checked, if_match, body, now, self.limits)?;
            state.size = size;
            (response, self.submit(&mut state, change, now))
        };
        self.saved(saved).await?;
        Ok(response)
    }

    /// Without a journal, applies `change` and announces it at once. With one, appends its
    /// record to the journal's buffer and returns what tells when it is saved.
    fn submit(
        &self,
        state: &mut State,
        change: Change,
        now: u64,
    ) -> Option<oneshot::Receiver<Saved>> {
        for (p, value) in puts_ref(&change) {
            state.touch_rooms(&p, value, now);
        }
        if self.journal.is_none() {
            state.apply(&change);
            self.hub.announce(change);
            return None;
        }
        let record = journal::record(
            puts_ref(&change)
                .iter()
                .map(|(p, value)| (p.as_slice(), *value)),
        );
        state.unwritten.extend_from_slice(&record);
        state.unwritten_count += 1;
        let (done, saved) = oneshot::channel();
        state.pending.push_back(Pending {
            change,
            done: Some(done),
        });
        Some(saved)
    }

    /// Waits until a submitted write is saved and applied, starting the sync that saves it.
    async fn saved(self: &Arc<Self>, saved: Option<oneshot::Receiver<Saved>>) -> Saved {
        let Some(saved) = saved else {
            return Ok(());
        };
        // In a task of its own, so that a client going away cannot stop a sync half-way.
        tokio::spawn(self.clone().flush());
        match saved.await {
            Ok(saved) => saved,
            Err(_) => Err(unavailable("the write was dropped before it was saved")),
        }
    }

    /// Writes and syncs every buffered record in one go, then applies and announces those
    /// writes. Syncs run one at a time: records buffered during one all share the next.
    async fn flush(self: Arc<Self>) {
        let Some(journal) = &self.journal else {
            return;
        };
        let mut slot = journal.lock().await;
        let (records, count) = {
            let mut state = self.lock();
            if state.unwritten_count == 0 {
                // An earlier sync took this record too.
                return;
            }
            let count = std::mem::take(&mut state.unwritten_count);
            (std::mem::take(&mut state.unwritten), count)
        };
        let Some(mut file) = slot.take() else {
            self.refuse_pending("the journal is unusable since an earlier failure", true);
            return;
        };
        let appended = tokio::task::spawn_blocking(move || {
            let appended = file.append(&records);
            (file, appended)
        })
        .await;
        let mut file = match appended {
            Ok((file, Ok(()))) => file,
            Ok((file, Err(failure))) => {
                let why = format!("could not save the write: {}", failure.error);
                self.refuse_pending(&why, !failure.recovered);
                if failure.recovered {
                    *slot = Some(file);
                }
                return;
            }
            Err(err) => {
                self.refuse_pending(&format!("could not save the write: {err}"), true);
                return;
            }
        };
        let snapshot = {
            let mut state = self.lock();
            // The synced records are the oldest pending ones, in order.
            let saved = state.pending.len() - state.unwritten_count;
            debug_assert_eq!(saved, count);
            for mut pending in state.pending.drain(..saved).collect::<Vec<_>>() {
                state.apply(&pending.change);
                self.hub.announce(pending.change);
                if let Some(done) = pending.done.take() {
                    let _ = done.send(Ok(()));
                }
            }
            // The tree is the journal applied to the snapshot; once the journal outgrows the
            // snapshot, it is folded into a new one (serialised under the lock, written
            // outside it).
            file.should_compact()
                .then(|| serde_json::to_vec(&state.root).unwrap_or_default())
        };
        if let Some(snapshot) = snapshot {
            let compacted = tokio::task::spawn_blocking(move || {
                let compacted = file.compact(&snapshot);
                (file, compacted)
            })
            .await;
            match compacted {
                Ok((compacted, result)) => {
                    file = compacted;
                    if let Err(failure) = result {
                        eprintln!("rtcweb-signal: compacting the journal: {}", failure.error);
                        if !failure.recovered {
                            self.refuse_pending(
                                &format!("the journal failed: {}", failure.error),
                                true,
                            );
                            return;
                        }
                    }
                }
                Err(err) => {
                    self.refuse_pending(&format!("the journal failed: {err}"), true);
                    return;
                }
            }
        }
        *slot = Some(file);
    }

    /// Refuses every pending write: one that could not be saved, and those planned after it
    /// (on a tree that held it). With `broken`, refuses every later write too.
    fn refuse_pending(&self, why: &str, broken: bool) {
        eprintln!("rtcweb-signal: {why}");
        let mut state = self.lock();
        for mut pending in state.pending.drain(..).collect::<Vec<_>>() {
            if let Some(done) = pending.done.take() {
                let _ = done.send(Err(Refusal::Error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    why.to_owned(),
                )));
            }
        }
        state.unwritten.clear();
        state.unwritten_count = 0;
        state.size = tree::size(&state.root);
        if broken {
            state.broken = Some(format!("{why}; restart the server"));
        }
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
        self.hub.announce(Change::Rules);
        Ok(())
    }

    /// Deletes the rooms under `/rooms` whose newest write is older than `ttl_ms`, telling the
    /// streams. Rooms never written since start count from their first sweep.
    pub(crate) async fn sweep_rooms(self: &Arc<Self>, ttl_ms: u64) -> Result<usize, Refusal> {
        let (expired, saved) = {
            let mut state = self.lock();
            if let Some(why) = &state.broken {
                return Err(unavailable(why));
            }
            let now = now_ms();
            let rooms: Vec<String> = state
                .head(&[schema::ROOMS.to_owned()])
                .as_object()
                .map(|rooms| rooms.keys().cloned().collect())
                .unwrap_or_default();
            state.room_writes.retain(|id, _| rooms.contains(id));
            let mut expired = 0;
            let mut saved = None;
            for id in rooms {
                let last = *state.room_writes.entry(id.clone()).or_insert(now);
                if now.saturating_sub(last) >= ttl_ms {
                    let room = vec![schema::ROOMS.to_owned(), id.clone()];
                    let removed = stored_size(&state.head(&room));
                    state.size = state.size.saturating_sub(removed);
                    let change = Change::Put {
                        path: room,
                        data: Value::Null,
                    };
                    // Saved in order: once the last is saved, all are.
                    saved = self.submit(&mut state, change, now);
                    state.room_writes.remove(&id);
                    expired += 1;
                }
            }
            (expired, saved)
        };
        self.saved(saved).await?;
        Ok(expired)
    }
}

/// Size of a stored value as JSON; nothing for null (absent).
fn stored_size(value: &Value) -> usize {
    if value.is_null() {
        0
    } else {
        tree::size(value)
    }
}

/// 503 with `why`.
fn unavailable(why: &str) -> Refusal {
    Refusal::Error(StatusCode::SERVICE_UNAVAILABLE, why.to_owned())
}

impl State {
    fn may_read(&self, at: &[String], auth: &Auth) -> bool {
        match auth {
            Auth::Admin => true,
            Auth::User(_) if self.rules.is_open() => true,
            Auth::User(user) => self.rules.can_read(at, user, &self.root, now_ms()),
        }
    }

    /// The value at `p` once the pending writes are applied (null: nothing), as writes are
    /// planned against. Borrowed from the saved tree unless a pending write reaches `p`.
    fn head(&self, p: &[String]) -> Cow<'_, Value> {
        const NOTHING: Value = Value::Null;
        let mut value = Cow::Borrowed(tree::get(&self.root, p).unwrap_or(&NOTHING));
        for pending in &self.pending {
            for (q, written) in puts_ref(&pending.change) {
                if path::is_prefix(&q, p) {
                    let below = p.get(q.len()..).unwrap_or_default();
                    value = Cow::Owned(tree::get(written, below).cloned().unwrap_or(Value::Null));
                } else if path::is_prefix(p, &q) {
                    let below = q.get(p.len()..).unwrap_or_default();
                    tree::set(value.to_mut(), below, written.clone());
                }
            }
        }
        value
    }

    /// Checks a write and turns it into the change to apply, with the response body and the
    /// size of the tree once it is applied.
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
    ) -> Result<(Value, Change, usize), Refusal> {
        let bad = |err: tree::TreeError| Refusal::bad_request(err.message(body));
        let (response, change) = match write {
            Checked::Set(raw) => {
                let current = self.head(at);
                if let Some(tag) = if_match {
                    let current_tag = etag(&current);
                    if current_tag != tag {
                        return Err(Refusal::Stale {
                            current: tree::render(&current),
                            etag: current_tag,
                        });
                    }
                }
                let value = tree::normalize(
                    tree::resolve_server_values(raw, Some(&current), now).map_err(bad)?,
                );
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
                    let current = self.head(&full);
                    let value = tree::normalize(
                        tree::resolve_server_values(raw, Some(&current), now).map_err(bad)?,
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
        let puts = puts_ref(&change);
        let added: usize = puts.iter().map(|(_, v)| stored_size(v)).sum();
        let removed: usize = puts.iter().map(|(p, _)| stored_size(&self.head(p))).sum();
        let size = (self.size + added).saturating_sub(removed);
        if size > limits.max_data_bytes && added > removed {
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
                let data = self.head(&[]);
                let mut next = data.as_ref().clone();
                for (p, v) in &puts {
                    tree::set(&mut next, p, (*v).clone());
                }
                let allowed = puts.iter().all(|(p, _)| {
                    self.rules.can_write(p, user, &data, &next, now)
                        && self.rules.validates(p, user, &data, &next, now)
                });
                if !allowed {
                    return Err(Refusal::permission_denied());
                }
            }
        }
        // Only now that the caller may make this write.
        if let Change::Patch { data, .. } = &change {
            if overlapping(data) {
                return Err(Refusal::bad_request(
                    "Invalid data; update paths overlap (one is an ancestor of another).",
                ));
            }
        }
        Ok((response, change, size))
    }

    /// Applies a saved change to the tree.
    fn apply(&mut self, change: &Change) {
        for (p, value) in puts_of(change) {
            tree::set(&mut self.root, &p, value);
        }
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

/// The absolute `(path, value)` writes a change is made of, borrowing the values.
fn puts_ref(change: &Change) -> Vec<(Path, &Value)> {
    match change {
        Change::Put { path, data } => vec![(path.clone(), data)],
        Change::Patch { path, data } => data
            .iter()
            .map(|(rel, value)| (path.iter().chain(rel).cloned().collect(), value))
            .collect(),
        Change::Rules => Vec::new(),
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

    fn store_on_disk(name: &str) -> (Arc<Store>, std::path::PathBuf) {
        let dir =
            std::env::temp_dir().join(format!("rtcweb-store-unit-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let data = dir.join("db.json");
        let (root, journal) = journal::open(&data, 32).unwrap();
        let limits = Limits {
            max_depth: 32,
            max_data_bytes: 1 << 20,
            max_write_keys: 1000,
        };
        let store = Store::new(root, None, Some(journal), limits).unwrap();
        (Arc::new(store), data)
    }

    #[tokio::test]
    async fn concurrent_writes_are_saved_applied_and_announced_in_order() {
        let (store, data) = store_on_disk("order");
        let (_, mut changes) = store.subscribe(&[], &Auth::Admin).unwrap();
        let writes = (0..20).map(|i| {
            let store = store.clone();
            async move {
                let write = Write::Set(json!({".sv": {"increment": 1}}));
                let at = vec!["n".to_owned()];
                store
                    .write(&at, &Auth::Admin, write, None, "")
                    .await
                    .map(|_| i)
            }
        });
        for written in futures_util::future::join_all(writes).await {
            written.unwrap();
        }
        // Each increment was planned on the ones before it, saved or not yet.
        assert_eq!(store.read(&[], &Auth::Admin).unwrap(), json!({"n": 20}));
        for n in 1..=20 {
            let Some(crate::hub::Next::Change(announced)) = changes.try_recv() else {
                panic!("change {n} was not announced");
            };
            assert_eq!(
                announced.change,
                Change::Put {
                    path: vec!["n".into()],
                    data: json!(n)
                }
            );
        }
        let (root, _) = journal::open(&data, 32).unwrap();
        assert_eq!(root, json!({"n": 20}));
    }

    #[tokio::test]
    async fn a_write_that_cannot_be_saved_is_neither_applied_nor_announced() {
        let (store, data) = store_on_disk("fail");
        let at = vec!["kept".to_owned()];
        store
            .write(&at, &Auth::Admin, Write::Set(json!(1)), None, "")
            .await
            .unwrap();
        let (_, mut changes) = store.subscribe(&[], &Auth::Admin).unwrap();
        if let Some(journal) = &store.journal {
            journal.lock().await.as_mut().unwrap().fail_writes();
        }
        let lost = vec!["lost".to_owned()];
        let refused = store
            .write(&lost, &Auth::Admin, Write::Set(json!(2)), None, "")
            .await;
        assert!(
            matches!(
                &refused,
                Err(Refusal::Error(StatusCode::INTERNAL_SERVER_ERROR, _))
            ),
            "{refused:?}"
        );
        assert_eq!(store.read(&[], &Auth::Admin).unwrap(), json!({"kept": 1}));
        assert!(changes.try_recv().is_none());
        // The journal's state is unknown now: later writes are refused, not lost.
        let later = store
            .write(&lost, &Auth::Admin, Write::Set(json!(3)), None, "")
            .await;
        assert!(
            matches!(
                &later,
                Err(Refusal::Error(StatusCode::SERVICE_UNAVAILABLE, _))
            ),
            "{later:?}"
        );
        assert_eq!(journal::open(&data, 32).unwrap().0, json!({"kept": 1}));
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
