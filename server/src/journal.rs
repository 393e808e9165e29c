//! The data file on disk: a snapshot of the tree (`FILE`, plain JSON) and a journal of the
//! writes acknowledged since (`FILE.journal`), so that saving a write costs the size of the
//! write, not of the database.
//!
//! The journal is a header line, then one record per write (or per group of puts):
//! `length (u32 LE) | crc32 of the payload (u32 LE) | payload`, the payload being the JSON array
//! `[[path, value], ...]` of the absolute puts the write is made of (`path` an array of keys,
//! `value` in stored form, server values resolved). Replaying puts is idempotent, which is what
//! lets compaction rename the new snapshot into place before it empties the journal.
//!
//! Everything here blocks (file I/O): the store calls it from `spawn_blocking`.

use std::fs::{File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path as FsPath, PathBuf};

use serde_json::Value;

use crate::path::{self, Path};
use crate::tree;

/// First bytes of every journal, so that another file is never taken for one.
const HEADER: &[u8] = b"rtcweb-signal journal 1\n";

/// Bytes before each record's payload: its length and its checksum.
const FRAME_BYTES: usize = 8;

/// The journal is compacted once it holds more than this many bytes of records and more than
/// the snapshot itself, so that the cost of a compaction (writing the whole tree) is spread
/// over at least as many bytes of writes.
const COMPACT_MIN_BYTES: u64 = 1024 * 1024;

/// Suffix of the journal's name: `FILE.journal`.
const JOURNAL_SUFFIX: &str = ".journal";
/// Suffix of the temporary file a snapshot is written to before it is renamed over `FILE`.
const TEMPORARY_SUFFIX: &str = ".rtcweb-tmp";

/// `file` with `suffix` added (never replaced), so it is never `file` itself.
fn with_suffix(file: &FsPath, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The journal next to the data file `file`.
pub(crate) fn journal_name(file: &FsPath) -> PathBuf {
    with_suffix(file, JOURNAL_SUFFIX)
}

/// The temporary file a snapshot of `file` is written to.
pub(crate) fn temporary_name(file: &FsPath) -> PathBuf {
    with_suffix(file, TEMPORARY_SUFFIX)
}

/// Why a write could not be made durable.
#[derive(Debug)]
pub(crate) struct Failure {
    /// What the file system said.
    pub(crate) error: io::Error,
    /// Whether the journal was put back as it was before the failed write (false: its state
    /// on disk is unknown, and it must not be written to again).
    pub(crate) recovered: bool,
}

/// The open journal, with what is known to be on disk.
#[derive(Debug)]
pub(crate) struct Journal {
    data: PathBuf,
    file: File,
    /// Bytes of the journal that are synced: the header and every record written so far.
    len: u64,
    /// Size of the snapshot, to decide when to compact.
    snapshot_len: u64,
}

/// The database as loaded from `data` and its journal, and the journal, open for appending.
///
/// # Errors
/// A clear message when a name collides with a companion file, when the snapshot is not JSON or
/// holds what no write could store, or when the journal is not one or is corrupt before its
/// last record (a torn last record, left by a crash in the middle of a write, is dropped).
pub(crate) fn open(data: &FsPath, max_depth: usize) -> Result<(Value, Journal), String> {
    let shown = data.display();
    let name = data.as_os_str().to_string_lossy();
    if name.ends_with(JOURNAL_SUFFIX) || name.ends_with(TEMPORARY_SUFFIX) {
        return Err(format!(
            "{shown}: a data file may not end in `{JOURNAL_SUFFIX}` or `{TEMPORARY_SUFFIX}`: \
             those are the names of a data file's journal and temporary file"
        ));
    }
    if data.is_dir() {
        return Err(format!("{shown}: is a folder, not a data file"));
    }
    let (mut root, snapshot_len) = match std::fs::read(data) {
        Ok(bytes) => {
            let root: Value = serde_json::from_slice(&bytes)
                .map_err(|err| format!("{shown}: not a JSON data file: {err}"))?;
            check(&root, &[], max_depth).map_err(|err| format!("{shown}: {err}"))?;
            (root, bytes.len() as u64)
        }
        Err(err) if err.kind() == io::ErrorKind::NotFound => (Value::Null, 0),
        Err(err) => return Err(format!("{shown}: {err}")),
    };
    let journal = journal_name(data);
    let shown_journal = journal.display();
    let bytes = match std::fs::read(&journal) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(err) => return Err(format!("{shown_journal}: {err}")),
    };
    let len = if bytes.is_empty() {
        0
    } else {
        let read = read_records(&bytes).map_err(|err| format!("{shown_journal}: {err}"))?;
        for (puts, at) in read.records {
            for (p, value) in puts {
                check(&value, &p, max_depth).map_err(|err| {
                    format!("{shown_journal}: the record at byte {at} is not a valid write: {err}")
                })?;
                tree::set(&mut root, &p, value);
            }
        }
        if read.valid < bytes.len() {
            eprintln!(
                "rtcweb-signal: {shown_journal}: dropped a torn last record ({} bytes), left by a \
                 crash in the middle of a write that was never acknowledged",
                bytes.len() - read.valid
            );
        }
        read.valid as u64
    };
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&journal)
        .map_err(|err| format!("{shown_journal}: {err}"))?;
    let setup = |file: &mut File| -> io::Result<u64> {
        if len == 0 {
            file.set_len(0)?;
            file.write_all(HEADER)?;
        } else {
            // Cut a torn tail, so that new records follow the last whole one.
            file.set_len(len)?;
        }
        file.sync_all()?;
        sync_folder(&journal);
        Ok(len.max(HEADER.len() as u64))
    };
    let len = setup(&mut file).map_err(|err| format!("{shown_journal}: {err}"))?;
    Ok((
        root,
        Journal {
            data: data.to_path_buf(),
            file,
            len,
            snapshot_len,
        },
    ))
}

/// Checks a loaded value at `at` as a write there would have been checked.
fn check(value: &Value, at: &[String], max_depth: usize) -> Result<(), String> {
    if let Some(key) = at.iter().find(|key| path::check_key(key).is_err()) {
        return Err(format!("not a database this server wrote: bad key {key:?}"));
    }
    tree::check(value, at.len(), max_depth)
        .map_err(|err| format!("not a database this server wrote: {}", err.message("")))
}

/// The records of a journal, each with its byte offset, and the length of the part that holds
/// whole records.
struct Records {
    records: Vec<(Vec<(Path, Value)>, usize)>,
    valid: usize,
}

fn read_records(bytes: &[u8]) -> Result<Records, String> {
    let Some(mut rest) = bytes.strip_prefix(HEADER) else {
        // A crash while the header was being written leaves a prefix of it.
        if HEADER.starts_with(bytes) {
            return Ok(Records {
                records: Vec::new(),
                valid: 0,
            });
        }
        return Err("not a journal of rtcweb-signal (its first line is wrong)".to_owned());
    };
    let mut records = Vec::new();
    let mut at = HEADER.len();
    while !rest.is_empty() {
        // A crash can only tear the end: an incomplete frame, a last record whose checksum
        // fails, or zeros the file system left past the last write.
        let torn = || rest.iter().all(|b| *b == 0);
        let Some((frame, payload)) = rest.split_at_checked(FRAME_BYTES) else {
            break;
        };
        let word = |i: usize| {
            frame
                .get(i..i + 4)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map_or(0, u32::from_le_bytes)
        };
        let (len, crc) = (word(0) as usize, word(4));
        let Some(payload) = payload.get(..len) else {
            break;
        };
        let last = FRAME_BYTES + len == rest.len();
        if crc32fast::hash(payload) != crc || len == 0 {
            if last || torn() {
                break;
            }
            return Err(format!(
                "the record at byte {at} is corrupt (its checksum does not match) and is not the \
                 last one: this is not damage a crash leaves"
            ));
        }
        let puts = parse_record(payload)
            .ok_or_else(|| format!("the record at byte {at} is not a list of writes"))?;
        records.push((puts, at));
        rest = rest.get(FRAME_BYTES + len..).unwrap_or_default();
        at += FRAME_BYTES + len;
    }
    Ok(Records { records, valid: at })
}

fn parse_record(payload: &[u8]) -> Option<Vec<(Path, Value)>> {
    let Value::Array(puts) = serde_json::from_slice(payload).ok()? else {
        return None;
    };
    puts.into_iter()
        .map(|put| {
            let Value::Array(pair) = put else { return None };
            let [Value::Array(keys), value] = <[Value; 2]>::try_from(pair).ok()? else {
                return None;
            };
            let p = keys
                .into_iter()
                .map(|key| match key {
                    Value::String(key) => Some(key),
                    _ => None,
                })
                .collect::<Option<Path>>()?;
            Some((p, value))
        })
        .collect()
}

/// The framed record of a write made of `puts` (absolute paths, stored values).
pub(crate) fn record<'a>(puts: impl IntoIterator<Item = (&'a [String], &'a Value)>) -> Vec<u8> {
    let list: Vec<Value> = puts
        .into_iter()
        .map(|(p, value)| Value::Array(vec![p.into(), value.clone()]))
        .collect();
    let payload = serde_json::to_vec(&Value::Array(list)).unwrap_or_default();
    let mut framed = Vec::with_capacity(FRAME_BYTES + payload.len());
    // Bodies are at most a few MiB, far below 4 GiB; a larger record would not load.
    framed.extend_from_slice(
        &u32::try_from(payload.len())
            .unwrap_or(u32::MAX)
            .to_le_bytes(),
    );
    framed.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    framed.extend_from_slice(&payload);
    framed
}

impl Journal {
    /// Appends `records` and syncs them: once this returns Ok they survive a crash. On failure
    /// the journal is cut back to what it held before, so that a write refused now cannot
    /// reappear at the next start.
    pub(crate) fn append(&mut self, records: &[u8]) -> Result<(), Failure> {
        let written = self
            .file
            .write_all(records)
            .and_then(|()| self.file.sync_data());
        match written {
            Ok(()) => {
                self.len += records.len() as u64;
                Ok(())
            }
            Err(error) => {
                let undone = self
                    .file
                    .set_len(self.len)
                    .and_then(|()| self.file.sync_all());
                Err(Failure {
                    error,
                    recovered: undone.is_ok(),
                })
            }
        }
    }

    /// Whether the journal has grown enough to be folded into a new snapshot.
    pub(crate) fn should_compact(&self) -> bool {
        let records = self.len.saturating_sub(HEADER.len() as u64);
        records > COMPACT_MIN_BYTES && records > self.snapshot_len
    }

    /// Replaces the snapshot by `snapshot` (the tree with every journaled write applied) and
    /// empties the journal. The snapshot is written to the temporary file, synced and renamed
    /// over the data file, so a crash leaves the old or the new one, whole; a crash before
    /// the journal is emptied replays writes the snapshot already holds, which changes nothing.
    pub(crate) fn compact(&mut self, snapshot: &[u8]) -> Result<(), Failure> {
        write_snapshot(&self.data, snapshot).map_err(|error| Failure {
            error,
            recovered: true,
        })?;
        self.snapshot_len = snapshot.len() as u64;
        let emptied = self
            .file
            .set_len(HEADER.len() as u64)
            .and_then(|()| self.file.sync_all());
        match emptied {
            Ok(()) => {
                self.len = HEADER.len() as u64;
                Ok(())
            }
            // Still correct on disk (old records are replayed harmlessly), but what is there
            // is no longer known: no more appends.
            Err(error) => Err(Failure {
                error,
                recovered: false,
            }),
        }
    }
}

#[cfg(test)]
impl Journal {
    /// Makes every later write fail, as a broken disk would: the journal is reopened read-only.
    pub(crate) fn fail_writes(&mut self) {
        if let Ok(file) = File::open(journal_name(&self.data)) {
            self.file = file;
        }
    }
}

/// Writes `bytes` to the temporary file, syncs it and renames it over `file`.
fn write_snapshot(file: &FsPath, bytes: &[u8]) -> io::Result<()> {
    let tmp = temporary_name(file);
    let written = (|| {
        let mut out = File::create(&tmp)?;
        out.write_all(bytes)?;
        out.sync_all()?;
        std::fs::rename(&tmp, file)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written?;
    sync_folder(file);
    Ok(())
}

/// Syncs the folder holding `file`, so that its creation or renaming survives a power cut too
/// (best effort: not every file system allows it).
fn sync_folder(file: &FsPath) {
    let dir = match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => FsPath::new("."),
    };
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(keys: &[&str]) -> Path {
        keys.iter().map(|k| (*k).to_owned()).collect()
    }

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("rtcweb-journal-unit-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("db.json")
    }

    #[test]
    fn companion_files_are_never_the_data_file() {
        for name in ["db.json", "db.tmp", "db", "dir/x.tmp"] {
            let file = FsPath::new(name);
            assert_ne!(temporary_name(file), file, "{name}");
            assert_ne!(journal_name(file), file, "{name}");
        }
        for name in ["db.json.journal", "x.rtcweb-tmp"] {
            let err = open(FsPath::new(name), 32).unwrap_err();
            assert!(err.contains("may not end in"), "{err}");
        }
    }

    #[test]
    fn records_survive_a_reopen_and_a_torn_tail_is_dropped() {
        let data = scratch("torn");
        let (root, mut journal) = open(&data, 32).unwrap();
        assert_eq!(root, Value::Null);
        let one = p(&["a", "b"]);
        let two = p(&["c"]);
        journal
            .append(&record([(one.as_slice(), &json!(1))]))
            .unwrap();
        journal
            .append(&record([(two.as_slice(), &json!({"d": "x"}))]))
            .unwrap();
        drop(journal);
        let (root, journal) = open(&data, 32).unwrap();
        assert_eq!(root, json!({"a": {"b": 1}, "c": {"d": "x"}}));
        drop(journal);
        // A crash in the middle of a third record: half of it reached the disk.
        let three = record([(two.as_slice(), &json!(3))]);
        let mut file = OpenOptions::new()
            .append(true)
            .open(journal_name(&data))
            .unwrap();
        file.write_all(&three[..three.len() / 2]).unwrap();
        drop(file);
        let (root, mut journal) = open(&data, 32).unwrap();
        assert_eq!(root, json!({"a": {"b": 1}, "c": {"d": "x"}}));
        // The tail was cut: the next record follows the last whole one.
        journal.append(&three).unwrap();
        drop(journal);
        assert_eq!(open(&data, 32).unwrap().0, json!({"a": {"b": 1}, "c": 3}));
    }

    #[test]
    fn corruption_before_the_end_is_a_clear_error() {
        let data = scratch("corrupt");
        let (_, mut journal) = open(&data, 32).unwrap();
        let at = p(&["a"]);
        journal
            .append(&record([(at.as_slice(), &json!("first"))]))
            .unwrap();
        journal
            .append(&record([(at.as_slice(), &json!("second"))]))
            .unwrap();
        drop(journal);
        let name = journal_name(&data);
        let mut bytes = std::fs::read(&name).unwrap();
        // Flip a byte inside the first record's payload.
        bytes[HEADER.len() + FRAME_BYTES + 3] ^= 0x20;
        std::fs::write(&name, &bytes).unwrap();
        let err = open(&data, 32).unwrap_err();
        assert!(err.contains("corrupt"), "{err}");
        assert!(err.contains(&format!("byte {}", HEADER.len())), "{err}");

        std::fs::write(&name, b"something else\n").unwrap();
        let err = open(&data, 32).unwrap_err();
        assert!(err.contains("not a journal"), "{err}");
    }

    #[test]
    fn a_checksummed_record_with_a_forbidden_key_is_refused() {
        let data = scratch("badkey");
        let (_, mut journal) = open(&data, 32).unwrap();
        let at = p(&["a.b"]);
        journal
            .append(&record([(at.as_slice(), &json!(1))]))
            .unwrap();
        drop(journal);
        let err = open(&data, 32).unwrap_err();
        assert!(err.contains("not a valid write"), "{err}");
    }

    #[test]
    fn a_bad_snapshot_is_a_clear_error() {
        let data = scratch("snapshot");
        std::fs::write(&data, "{not json").unwrap();
        assert!(open(&data, 32)
            .unwrap_err()
            .contains("not a JSON data file"));
        std::fs::write(&data, r#"{"a$": 1}"#).unwrap();
        assert!(open(&data, 32)
            .unwrap_err()
            .contains("not a database this server wrote"));
    }

    #[test]
    fn compaction_keeps_the_tree_and_empties_the_journal() {
        let data = scratch("compact");
        let (_, mut journal) = open(&data, 32).unwrap();
        let at = p(&["k"]);
        journal
            .append(&record([(at.as_slice(), &json!(7))]))
            .unwrap();
        journal.compact(br#"{"k":7}"#).unwrap();
        assert_eq!(journal.len, HEADER.len() as u64);
        journal
            .append(&record([(at.as_slice(), &json!(8))]))
            .unwrap();
        drop(journal);
        assert_eq!(std::fs::read(&data).unwrap(), br#"{"k":7}"#);
        assert_eq!(open(&data, 32).unwrap().0, json!({"k": 8}));
        assert!(!temporary_name(&data).exists());
    }

    /// Compaction renames the snapshot before it empties the journal: replaying puts on a
    /// tree that already holds them must change nothing.
    #[test]
    fn replaying_puts_twice_changes_nothing() {
        let keys = ["a", "b", "c"];
        let values = [
            json!(null),
            json!(1),
            json!({"b": 2, "c": {"a": 3}}),
            json!("s"),
        ];
        for seed in 0..500u64 {
            let mut rng = fastrand::Rng::with_seed(seed);
            let mut ops: Vec<(Path, Value)> = Vec::new();
            for _ in 0..rng.usize(1..8) {
                let mut at = Path::new();
                for _ in 0..rng.usize(0..4) {
                    at.push(keys[rng.usize(..keys.len())].to_owned());
                }
                ops.push((at, values[rng.usize(..values.len())].clone()));
            }
            let mut start = json!({"a": {"b": 1}, "c": 5});
            for (at, value) in &ops {
                tree::set(&mut start, at, value.clone());
            }
            let once = start.clone();
            for (at, value) in &ops {
                tree::set(&mut start, at, value.clone());
            }
            assert_eq!(start, once, "seed {seed}: {ops:?}");
        }
    }
}
