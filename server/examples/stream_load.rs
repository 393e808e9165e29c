//! Streams under load: opens many streaming GETs (`Accept: text/event-stream`) on rooms of a
//! running `rtcweb-signal`, as calls do, then writes messages into the rooms and measures how
//! long each write takes to reach every stream listening to its room, how many writes per second
//! the server takes with those streams open, and (given the server's pid) its memory per stream.
//! `scripts/bench.sh streams` runs it at 1,000 and 10,000 streams.
//!
//! ```sh
//! cargo run --release -p rtcweb-signal --example stream_load -- URL --streams N [--rooms R]
//!     [--rate WRITES_PER_S] [--seconds S] [--writers W] [--server-pid PID] [--markdown]
//! ```
//!
//! The streams are as a call's: each listens to a whole room (`/rooms/{room}`); listener `i`
//! is in room `i % R` (default `R = N / 2`: two peers per room, as in a one-to-one call; `R = 1`
//! puts every stream in one room, a fan-out). The writes are as a call's messages: a `POST`
//! (pushed child) to `rooms/{room}/mesh/{to}/{from}` of a small JSON envelope whose `sent_us`
//! is the time the write was due, in microseconds since this client started; a listener that
//! receives it notes the difference. Rooms are taken in turn.
//!
//! Two phases follow the opening of the streams:
//! - paced: `--rate` writes per second (open loop, spread over 20 writer connections) for
//!   `--seconds`; a write that is late because the server is slow counts from when it was due;
//!   with `--server-pid`, the server's CPU time in that phase (less sensitive than the latency
//!   to what else runs on the machine);
//! - saturated (unless `--writers 0`): `--writers` writers each write and wait for the answer
//!   in a loop for `--seconds`, as `write_load` does: the writes per second the server takes
//!   with the streams open, and the latency under that load.
//!
//! The client runs in the same machine as the server and shares its cores: its own reading of
//! the streams counts in the latency. Memory per stream is the growth of the server's resident
//! memory (`VmRSS`) from before the streams opened to when they all are, divided by their
//! number (kernel socket buffers are not in it). Needs a descriptor per stream: raise the soft
//! limit first (`ulimit -n`; `scripts/bench.sh streams` raises it to the hard limit).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use tokio::sync::{watch, Semaphore};

/// Opens streams on rooms and measures write-to-event latency, writes/s and memory per stream.
#[derive(Parser, Debug)]
struct Args {
    /// The server's base URL, such as http://127.0.0.1:8080.
    url: String,
    /// Streams to open.
    #[arg(long)]
    streams: usize,
    /// Rooms the streams are spread over (default: streams / 2).
    #[arg(long)]
    rooms: Option<usize>,
    /// Writes per second in the paced phase.
    #[arg(long, default_value_t = 1000.0)]
    rate: f64,
    /// Seconds of each phase.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Writers of the saturated phase (0: no such phase).
    #[arg(long, default_value_t = 50)]
    writers: usize,
    /// The server's process id, to read its memory from /proc.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Prefix of the room ids, so that runs against one server do not meet.
    #[arg(long, default_value = "load")]
    prefix: String,
    /// Print a Markdown table row instead of the summary.
    #[arg(long)]
    markdown: bool,
}

/// Connections of the paced phase.
const PACED_WRITERS: usize = 20;
/// Streams being opened at once.
const OPENING: usize = 200;
/// Key of the due time in a message.
const SENT_KEY: &[u8] = b"\"sent_us\":";

/// What one listener saw.
#[derive(Default)]
struct Seen {
    /// Latencies in microseconds, per phase (0: paced, 1: saturated).
    latency: [Vec<u32>; 2],
    /// Events of an unexpected kind (overflow, cancel, a resync put), or the stream ended.
    trouble: Vec<String>,
}

struct Shared {
    started: Instant,
    opened: AtomicUsize,
    failed: AtomicUsize,
    events: AtomicU64,
}

impl Shared {
    fn now_us(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_micros()).unwrap_or(u64::MAX)
    }
}

fn rss_kib(pid: Option<u32>) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", pid?)).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU time the process used so far, in seconds (user + system; /proc counts in 1/100 s).
fn cpu_seconds(pid: Option<u32>) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", pid?)).ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// The soft limit on open descriptors (0: unknown).
fn fd_limit() -> u64 {
    std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|limits| {
            let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
            line.split_whitespace().nth(3)?.parse().ok()
        })
        .unwrap_or(0)
}

/// The value of `sent_us` in `data`, if any.
fn sent_us(data: &[u8]) -> Option<u64> {
    let at = data.windows(SENT_KEY.len()).position(|w| w == SENT_KEY)? + SENT_KEY.len();
    let digits = data[at..].iter().take_while(|b| b.is_ascii_digit()).count();
    std::str::from_utf8(&data[at..at + digits])
        .ok()?
        .parse()
        .ok()
}

/// The phase a message was written in (its `"phase":N`).
fn phase(data: &[u8]) -> usize {
    const KEY: &[u8] = b"\"phase\":";
    data.windows(KEY.len())
        .position(|w| w == KEY)
        .and_then(|at| data.get(at + KEY.len()))
        .map_or(0, |digit| usize::from(*digit == b'1'))
}

/// Reads one stream until `stop`: the first event tells it is open; each later `put` carrying
/// a `sent_us` is a latency.
async fn listen(
    client: reqwest::Client,
    url: String,
    shared: Arc<Shared>,
    opening: Arc<Semaphore>,
    mut stop: watch::Receiver<bool>,
) -> Seen {
    let mut seen = Seen::default();
    let permit = opening.acquire_owned().await;
    let response = client
        .get(&url)
        .header("accept", "text/event-stream")
        .send()
        .await;
    let mut response = match response {
        Ok(r) if r.status().is_success() => r,
        other => {
            shared.failed.fetch_add(1, Ordering::SeqCst);
            seen.trouble.push(match other {
                Ok(r) => format!("status {}", r.status()),
                Err(err) => format!("{err}"),
            });
            return seen;
        }
    };
    let mut buffer: Vec<u8> = Vec::with_capacity(1024);
    let mut first = true;
    let mut permit = Some(permit);
    loop {
        let chunk = tokio::select! {
            chunk = response.chunk() => chunk,
            _ = stop.wait_for(|s| *s) => break,
        };
        let chunk = match chunk {
            Ok(Some(chunk)) => chunk,
            Ok(None) => {
                seen.trouble.push("the stream ended".into());
                break;
            }
            Err(err) => {
                seen.trouble.push(format!("{err}"));
                break;
            }
        };
        let now = shared.now_us();
        buffer.extend_from_slice(&chunk);
        while let Some(end) = buffer.windows(2).position(|w| w == b"\n\n") {
            let event: Vec<u8> = buffer.drain(..end + 2).collect();
            let kind_end = event.iter().position(|b| *b == b'\n').unwrap_or(0);
            let kind = &event[..kind_end];
            let data = &event[kind_end..];
            if first {
                first = false;
                permit.take();
                shared.opened.fetch_add(1, Ordering::SeqCst);
                continue;
            }
            match kind {
                b"event: keep-alive" => {}
                b"event: put" | b"event: patch" => {
                    if data.starts_with(b"\ndata: {\"path\":\"/\"") {
                        seen.trouble.push("a resync put".into());
                    } else if let Some(sent) = sent_us(data) {
                        shared.events.fetch_add(1, Ordering::Relaxed);
                        let latency = u32::try_from(now.saturating_sub(sent)).unwrap_or(u32::MAX);
                        seen.latency[phase(data)].push(latency);
                    }
                }
                other => seen
                    .trouble
                    .push(String::from_utf8_lossy(other).into_owned()),
            }
        }
    }
    if first {
        shared.failed.fetch_add(1, Ordering::SeqCst);
    }
    seen
}

/// A message of a call, as `rooms/{room}/mesh/b/a` would receive it.
fn message(phase: usize, sent: u64, n: u64) -> String {
    format!(
        r#"{{"from":"a-session","to":"b-session","phase":{phase},"sent_us":{sent},"n":{n},"kind":"candidate","candidate":"candidate:842163049 1 udp 1677729535 192.0.2.7 52145 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag sXkP network-cost 999","sdpMid":"0","sdpMLineIndex":0}}"#
    )
}

fn room_url(base: &str, prefix: &str, room: usize) -> String {
    format!("{base}/rooms/{prefix}{room}")
}

struct Figures {
    writes: u64,
    failed: u64,
    seconds: f64,
}

/// `rate` writes per second over `PACED_WRITERS` connections for `seconds`.
async fn paced(args: &Args, rooms: usize, shared: &Arc<Shared>) -> Figures {
    let client = reqwest::Client::builder()
        .tcp_nodelay(true)
        .build()
        .unwrap();
    let total = (args.rate * args.seconds).round() as u64;
    let interval_us = 1e6 / args.rate;
    let begin_us = shared.now_us() + 10_000;
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = (0..PACED_WRITERS as u64)
        .map(|w| {
            let (client, shared, done, failed) =
                (client.clone(), shared.clone(), done.clone(), failed.clone());
            let (base, prefix) = (args.url.clone(), args.prefix.clone());
            tokio::spawn(async move {
                let mut k = w;
                while k < total {
                    let due = begin_us + (k as f64 * interval_us) as u64;
                    let wait = due.saturating_sub(shared.now_us());
                    if wait > 0 {
                        tokio::time::sleep(Duration::from_micros(wait)).await;
                    }
                    let room = (k as usize) % rooms;
                    let sent = client
                        .post(format!("{}/mesh/b/a.json", room_url(&base, &prefix, room)))
                        .body(message(0, due, k))
                        .send()
                        .await;
                    match sent {
                        Ok(r) if r.status().is_success() => {
                            let _ = r.bytes().await;
                            done.fetch_add(1, Ordering::Relaxed);
                        }
                        _ => {
                            failed.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    k += PACED_WRITERS as u64;
                }
            })
        })
        .collect();
    let started = Instant::now();
    for task in tasks {
        let _ = task.await;
    }
    Figures {
        writes: done.load(Ordering::Relaxed),
        failed: failed.load(Ordering::Relaxed),
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// `--writers` closed-loop writers for `seconds`.
async fn saturated(args: &Args, rooms: usize, shared: &Arc<Shared>) -> Figures {
    let client = reqwest::Client::builder()
        .tcp_nodelay(true)
        .build()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs_f64(args.seconds);
    let next = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..args.writers)
        .map(|_| {
            let (client, shared, next, failed) =
                (client.clone(), shared.clone(), next.clone(), failed.clone());
            let (base, prefix) = (args.url.clone(), args.prefix.clone());
            tokio::spawn(async move {
                let mut done = 0u64;
                while Instant::now() < deadline {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let room = (k as usize) % rooms;
                    let sent = client
                        .post(format!("{}/mesh/b/a.json", room_url(&base, &prefix, room)))
                        .body(message(1, shared.now_us(), k))
                        .send()
                        .await;
                    match sent {
                        Ok(r) if r.status().is_success() => {
                            let _ = r.bytes().await;
                            done += 1;
                        }
                        _ => {
                            failed.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                done
            })
        })
        .collect();
    let mut writes = 0;
    for task in tasks {
        writes += task.await.unwrap_or(0);
    }
    Figures {
        writes,
        failed: failed.load(Ordering::Relaxed),
        seconds: started.elapsed().as_secs_f64(),
    }
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[at.min(sorted.len() - 1)]) / 1000.0
}

fn summary(latency: &mut [u32]) -> (f64, f64, f64) {
    latency.sort_unstable();
    (
        percentile(latency, 0.5),
        percentile(latency, 0.99),
        percentile(latency, 1.0),
    )
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let args = Args {
        url: args.url.trim_end_matches('/').to_owned(),
        ..args
    };
    let n = args.streams;
    let rooms = args.rooms.unwrap_or((n / 2).max(1)).clamp(1, n.max(1));
    let fd_limit = fd_limit();
    if fd_limit > 0 && (fd_limit as usize) < n + 200 {
        eprintln!(
            "stream_load: {n} streams need about {} descriptors; the limit is {fd_limit} \
             (raise it with `ulimit -n`)",
            n + 200
        );
        std::process::exit(2);
    }
    let shared = Arc::new(Shared {
        started: Instant::now(),
        opened: AtomicUsize::new(0),
        failed: AtomicUsize::new(0),
        events: AtomicU64::new(0),
    });
    let rss_before = rss_kib(args.server_pid);
    // One client per 1,000 streams, so that no pool holds them all.
    let clients: Vec<reqwest::Client> = (0..n.div_ceil(1000))
        .map(|_| {
            reqwest::Client::builder()
                .tcp_nodelay(true)
                .pool_max_idle_per_host(0)
                .build()
                .unwrap()
        })
        .collect();
    let opening = Arc::new(Semaphore::new(OPENING));
    let (stop, stop_rx) = watch::channel(false);
    let open_started = Instant::now();
    let listeners: Vec<_> = (0..n)
        .map(|i| {
            let url = format!("{}.json", room_url(&args.url, &args.prefix, i % rooms));
            tokio::spawn(listen(
                clients[i / 1000].clone(),
                url,
                shared.clone(),
                opening.clone(),
                stop_rx.clone(),
            ))
        })
        .collect();
    let open_deadline = Instant::now() + Duration::from_secs(120);
    while shared.opened.load(Ordering::SeqCst) + shared.failed.load(Ordering::SeqCst) < n
        && Instant::now() < open_deadline
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let opened = shared.opened.load(Ordering::SeqCst);
    let open_seconds = open_started.elapsed().as_secs_f64();
    // Let the server settle (freed opening buffers) before reading its memory.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_open = rss_kib(args.server_pid);
    eprintln!(
        "stream_load: {opened} of {n} streams open in {open_seconds:.1} s, over {rooms} rooms"
    );

    let events_before = shared.events.load(Ordering::Relaxed);
    let cpu_before = cpu_seconds(args.server_pid);
    let paced_figures = paced(&args, rooms, &shared).await;
    // The server's share of one core while the paced writes ran.
    let paced_cpu = match (cpu_before, cpu_seconds(args.server_pid)) {
        (Some(before), Some(after)) => Some(100.0 * (after - before) / paced_figures.seconds),
        _ => None,
    };
    // Let the last events arrive.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let paced_events = shared.events.load(Ordering::Relaxed) - events_before;
    let saturated_figures = if args.writers > 0 {
        let f = saturated(&args, rooms, &shared).await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        Some(f)
    } else {
        None
    };
    let rss_after = rss_kib(args.server_pid);
    let _ = stop.send(true);
    let mut latency: [Vec<u32>; 2] = Default::default();
    let mut trouble: Vec<String> = Vec::new();
    for listener in listeners {
        if let Ok(seen) = listener.await {
            let [paced_l, saturated_l] = seen.latency;
            latency[0].extend(paced_l);
            latency[1].extend(saturated_l);
            trouble.extend(seen.trouble);
        }
    }
    // Every write reaches every stream of its room.
    let per_room = |k: u64| {
        let room = (k as usize) % rooms;
        n / rooms + usize::from(room < n % rooms)
    };
    let expected_paced: u64 = (0..paced_figures.writes).map(|k| per_room(k) as u64).sum();
    let (p50, p99, max) = summary(&mut latency[0]);
    let paced_rate = paced_figures.writes as f64 / paced_figures.seconds;
    let per_stream = match (rss_before, rss_open) {
        (Some(before), Some(open)) if opened > 0 => {
            Some((open.saturating_sub(before)) as f64 / opened as f64)
        }
        _ => None,
    };
    let mut kinds: std::collections::BTreeMap<&str, usize> = Default::default();
    for t in &trouble {
        *kinds.entry(t.as_str()).or_default() += 1;
    }
    let sat = saturated_figures.map(|f| {
        let (s50, s99, smax) = summary(&mut latency[1]);
        (f.writes as f64 / f.seconds, f.failed, s50, s99, smax)
    });
    let kib = |v: Option<u64>| v.map_or("?".to_owned(), |v| format!("{:.0}", v as f64 / 1024.0));
    eprintln!(
        "stream_load: server RSS {} MiB before, {} MiB with the streams open, {} MiB after the writes",
        kib(rss_before),
        kib(rss_open),
        kib(rss_after)
    );
    let cpu_text = paced_cpu.map_or("?".to_owned(), |cpu| format!("{cpu:.0}%"));
    eprintln!(
        "stream_load: paced: {} writes ({} failed) at {paced_rate:.0}/s, {} of {expected_paced} \
         events ({} seen in all): latency p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms; \
         server CPU {cpu_text} of one core",
        paced_figures.writes,
        paced_figures.failed,
        latency[0].len(),
        paced_events
    );
    if let Some((rate, failed, s50, s99, smax)) = sat {
        eprintln!(
            "stream_load: saturated ({} writers): {rate:.0} writes/s ({failed} failed), \
             {} events: latency p50 {s50:.1} ms, p99 {s99:.1} ms, max {smax:.1} ms",
            args.writers,
            latency[1].len()
        );
    }
    if !kinds.is_empty() {
        eprintln!("stream_load: trouble: {kinds:?}");
    }
    let per_stream_text = per_stream.map_or("?".to_owned(), |kib| format!("{kib:.1} KiB"));
    if args.markdown {
        let layout = if rooms == 1 {
            "1 room".to_owned()
        } else {
            format!("{rooms} rooms of {}", n / rooms)
        };
        let saturated_text = sat.map_or("| – | – |".to_owned(), |(rate, _, s50, s99, _)| {
            format!("| {rate:.0} | {s50:.1} / {s99:.1} ms |")
        });
        println!(
            "| {opened} of {n} | {layout} | {per_stream_text} | {:.0} w/s → {} of {expected_paced} events | {cpu_text} | {p50:.1} / {p99:.1} / {max:.1} ms {saturated_text}",
            args.rate,
            latency[0].len(),
        );
    } else {
        println!(
            "{opened} streams, {per_stream_text} per stream; paced {paced_rate:.0} writes/s: \
             p50 {p50:.1} ms p99 {p99:.1} ms max {max:.1} ms{}",
            sat.map_or(String::new(), |(rate, _, s50, s99, _)| format!(
                "; saturated {rate:.0} writes/s: p50 {s50:.1} ms p99 {s99:.1} ms"
            ))
        );
    }
}
