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
    /// File that holds the database between runs (a JSON snapshot), with FILE.journal holding
    /// the writes since; FILE.rtcweb-tmp is used while a new snapshot is written.
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
    /// Most connections open at once; more are answered 503 and closed.
    #[arg(long, value_name = "N", default_value_t = 1_000)]
    max_connections: usize,
    /// Seconds after which a connection that moved no byte is closed (above --keep-alive).
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    idle_timeout: u64,
    /// Seconds left to requests in flight at shutdown before connections are dropped.
    #[arg(long, value_name = "SECS", default_value_t = 5)]
    shutdown_grace: u64,
    /// Emulator mode: `owner` is the admin, unsigned ID tokens are users and anyone may send
    /// auth_variable_override, as the Firebase emulator. Only for tests and local development.
    #[arg(long)]
    emulator: bool,
    /// File holding the admin token (at least 16 bytes); requests bearing it bypass the rules.
    #[arg(long, value_name = "FILE")]
    admin_token_file: Option<PathBuf>,
    /// File holding the key that verifies ID tokens: a JWK set, a PEM public key or an HMAC secret.
    #[arg(long, value_name = "FILE")]
    jwt_key: Option<PathBuf>,
    /// Audience (`aud`) that ID tokens must carry, such as a Firebase project id.
    #[arg(long, value_name = "AUD")]
    jwt_audience: Option<String>,
    /// Issuer (`iss`) that ID tokens must carry.
    #[arg(long, value_name = "ISS")]
    jwt_issuer: Option<String>,
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
        max_connections: args.max_connections,
        idle_timeout: std::time::Duration::from_secs(args.idle_timeout),
        shutdown_grace: std::time::Duration::from_secs(args.shutdown_grace),
        emulator: args.emulator,
        admin_token_file: args.admin_token_file,
        jwt_key: args.jwt_key,
        jwt_audience: args.jwt_audience,
        jwt_issuer: args.jwt_issuer,
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
    let emulator = config.emulator;
    let server = rtcweb_signal::Server::new(config)?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| rtcweb_signal::Error::Bind {
            addr: listen,
            source,
        })?;
    let local = listener.local_addr().map_err(rtcweb_signal::Error::Io)?;
    eprintln!("rtcweb-signal listening on http://{local}/");
    if emulator {
        eprintln!(
            "rtcweb-signal: emulator mode: `owner` is the admin and ID tokens are not verified; \
             never expose this server to others"
        );
    }
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
