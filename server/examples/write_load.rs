//! Write throughput of a running `rtcweb-signal`: concurrent writers each PUT small values in a
//! loop (each waiting for its answer, as a client does) for a few seconds; prints writes per
//! second. `scripts/bench.sh signal` runs it against the server with and without `--data`.
//!
//! ```sh
//! cargo run --release -p rtcweb-signal --example write_load -- URL WRITERS SECONDS [PRELOAD_MIB]
//! ```
//! With `PRELOAD_MIB`, the tree is first filled with that many MiB (under `/preload`), to show
//! how the cost of a write depends on the size of the database.

use std::time::{Duration, Instant};

fn usage() -> ! {
    eprintln!("usage: write_load URL WRITERS SECONDS [PRELOAD_MIB]");
    std::process::exit(2)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(url), Some(writers), Some(seconds)) = (
        args.first().cloned(),
        args.get(1).and_then(|n| n.parse::<usize>().ok()),
        args.get(2).and_then(|s| s.parse::<f64>().ok()),
    ) else {
        usage()
    };
    let preload: usize = match args.get(3).map(|n| n.parse()) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => usage(),
    };
    let url = url.trim_end_matches('/').to_owned();
    let client = reqwest::Client::new();
    // 1 MiB per request: the body limit is 16 MiB.
    let chunk = serde_json::json!("p".repeat(1024 * 1024 - 16)).to_string();
    for i in 0..preload {
        let response = client
            .put(format!("{url}/preload/{i}.json?print=silent"))
            .body(chunk.clone())
            .send()
            .await;
        if !matches!(&response, Ok(r) if r.status().is_success()) {
            eprintln!("write_load: preloading failed: {response:?}");
            std::process::exit(1);
        }
    }
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let client = client.clone();
            let url = url.clone();
            tokio::spawn(async move {
                let (mut done, mut failed) = (0u64, 0u64);
                while Instant::now() < deadline {
                    let sent = client
                        .put(format!("{url}/load/w{w}/k{}.json", done % 64))
                        .body(format!(r#"{{"n":{done},"by":"writer {w}"}}"#))
                        .send()
                        .await;
                    match sent {
                        Ok(response) if response.status().is_success() => {
                            let _ = response.bytes().await;
                            done += 1;
                        }
                        _ => failed += 1,
                    }
                }
                (done, failed)
            })
        })
        .collect();
    let (mut done, mut failed) = (0u64, 0u64);
    for task in tasks {
        if let Ok((d, f)) = task.await {
            done += d;
            failed += f;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{:.0} writes/s ({done} writes, {failed} failed, {writers} writers, {elapsed:.1} s)",
        done as f64 / elapsed
    );
}
