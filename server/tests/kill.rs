//! No acknowledged write is lost on `kill -9`: the server binary runs with `--data`, concurrent
//! writers note every write it acknowledges, it is killed at a random moment, restarted on the
//! same files, and every noted write must be there. Several rounds, each on top of the last, so
//! that kills land during syncs, during compactions and between them. Stops by itself.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

const ROUNDS: usize = 8;
const WRITERS: usize = 8;

/// The server binary, running on a free port.
struct Running {
    child: Child,
    addr: SocketAddr,
}

fn start(data: &Path) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rtcweb-signal"))
        .args(["--listen", "127.0.0.1:0", "--room-ttl", "0", "--data"])
        .arg(data)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (found, addr) = std::sync::mpsc::channel();
    // Reads the address from the first line, then keeps the pipe drained.
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix("rtcweb-signal listening on http://") {
                let _ = found.send(rest.trim_end_matches('/').parse::<SocketAddr>());
            } else {
                eprintln!("server: {line}");
            }
        }
    });
    let addr = addr
        .recv_timeout(Duration::from_secs(20))
        .expect("the server did not start")
        .unwrap();
    Running { child, addr }
}

/// What the server acknowledged: values that must be there exactly, and each writer's counter,
/// which must be at least the last value acknowledged.
#[derive(Default)]
struct Acknowledged {
    exact: Vec<(String, Value)>,
    counters: Vec<(String, u64)>,
}

/// Writes until the server goes away, noting each acknowledged write.
async fn writer(addr: SocketAddr, round: usize, id: usize, seen: Arc<Mutex<Acknowledged>>) {
    let client = reqwest::Client::new();
    let base = format!("http://{addr}/kill/r{round}/w{id}");
    for n in 0u64.. {
        let pad = "x".repeat(fastrand::usize(..16 * 1024));
        let (request, path, value) = match n % 3 {
            0 => {
                let value = json!({ "n": n, "pad": pad });
                let path = format!("kill/r{round}/w{id}/put/n{n}");
                (
                    client
                        .put(format!("{base}/put/n{n}.json"))
                        .body(value.to_string()),
                    Some(path),
                    value,
                )
            }
            1 => {
                let value = json!({ "counter": n, "pad": pad });
                (
                    client.patch(format!("{base}.json")).body(value.to_string()),
                    None,
                    value,
                )
            }
            _ => {
                let value = json!(format!("pushed {n}"));
                (
                    client
                        .post(format!("{base}/log.json"))
                        .body(value.to_string()),
                    None,
                    value,
                )
            }
        };
        let Ok(response) = request.send().await else {
            return;
        };
        if response.status() != 200 {
            return;
        }
        let Ok(body) = response.json::<Value>().await else {
            return;
        };
        let mut seen = seen.lock().unwrap();
        match (n % 3, path) {
            (0, Some(path)) => seen.exact.push((path, value)),
            (1, _) => seen
                .counters
                .push((format!("kill/r{round}/w{id}/counter"), n)),
            _ => {
                let name = body["name"].as_str().unwrap().to_owned();
                seen.exact
                    .push((format!("kill/r{round}/w{id}/log/{name}"), value));
            }
        }
    }
}

fn at<'a>(tree: &'a Value, path: &str) -> &'a Value {
    path.split('/')
        .try_fold(tree, |node, key| node.get(key))
        .unwrap_or(&Value::Null)
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rtcweb-signal-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_acknowledged_write_is_lost_on_kill_9() {
    let dir = scratch();
    let data = dir.join("db.json");
    let seen = Arc::new(Mutex::new(Acknowledged::default()));
    let client = reqwest::Client::new();
    let mut acknowledged_before = 0;
    for round in 0..ROUNDS {
        let mut server = start(&data);
        let writers: Vec<_> = (0..WRITERS)
            .map(|id| tokio::spawn(writer(server.addr, round, id, seen.clone())))
            .collect();
        tokio::time::sleep(Duration::from_millis(fastrand::u64(30..800))).await;
        // SIGKILL: no chance to finish anything.
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        for writer in writers {
            tokio::time::timeout(Duration::from_secs(20), writer)
                .await
                .expect("a writer did not notice the server was gone")
                .unwrap();
        }

        let restarted = start(&data);
        let response = client
            .get(format!("http://{}/kill.json", restarted.addr))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let tree: Value = response.json().await.unwrap();
        let noted = seen.lock().unwrap();
        for (path, value) in &noted.exact {
            assert_eq!(
                at(&tree, path.trim_start_matches("kill/")),
                value,
                "{path} (round {round})"
            );
        }
        for (path, n) in &noted.counters {
            let found = at(&tree, path.trim_start_matches("kill/")).as_u64();
            assert!(found >= Some(*n), "{path}: {found:?} < {n} (round {round})");
        }
        let acknowledged = noted.exact.len() + noted.counters.len();
        eprintln!(
            "round {round}: {} writes acknowledged before the kill, all there after the restart",
            acknowledged - acknowledged_before
        );
        acknowledged_before = acknowledged;
        drop(noted);
        let mut restarted = restarted;
        restarted.child.kill().unwrap();
        restarted.child.wait().unwrap();
    }
    // The journal was folded into a snapshot at least once, and that survived the kills too.
    assert!(data.exists(), "no compaction happened");
    assert!(
        acknowledged_before > ROUNDS * WRITERS,
        "too few writes to mean anything"
    );
    std::fs::remove_dir_all(dir).unwrap();
}
