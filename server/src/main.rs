//! `rtcweb-signal`: the command line of the signaling server.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

/// A local server speaking the Firebase Realtime Database REST protocol; it also serves the demo.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Address to listen on, such as 127.0.0.1:8080.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Folder whose files are served on every path that is not a database path.
    #[arg(long)]
    www: Option<PathBuf>,
    /// Security rules, as a Firebase `database.rules.json`.
    #[arg(long)]
    rules: Option<PathBuf>,
    /// File that holds the database between runs.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Seconds without a write after which a room under /rooms is deleted (0: never).
    #[arg(long, value_name = "SECS", default_value_t = 24 * 60 * 60)]
    room_ttl: u64,
    /// Most event streams open at once.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    max_streams: usize,
    /// Seconds between keep-alive events on idle streams (Firebase sends one every 30).
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    keep_alive: u64,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let config = rtcweb_signal::Config {
        www: args.www,
        rules: args.rules,
        data: args.data,
        room_ttl: std::time::Duration::from_secs(args.room_ttl),
        max_streams: args.max_streams,
        keep_alive: std::time::Duration::from_secs(args.keep_alive),
        ..Default::default()
    };
    match run(args.listen, config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("rtcweb-signal: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(
    listen: SocketAddr,
    config: rtcweb_signal::Config,
) -> Result<(), rtcweb_signal::Error> {
    let server = rtcweb_signal::Server::new(config)?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| rtcweb_signal::Error::Bind {
            addr: listen,
            source,
        })?;
    let local = listener.local_addr().map_err(rtcweb_signal::Error::Io)?;
    eprintln!("rtcweb-signal listening on http://{local}/");
    server.serve(listener, shutdown_signal()).await
}

/// Resolves on Ctrl-C or SIGTERM, so in-flight requests finish before exit.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
