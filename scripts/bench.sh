#!/usr/bin/env bash
# Benchmarks (release builds). Prints figures; asserts none.
#
#   scripts/bench.sh              every part below
#   scripts/bench.sh PART...      only these parts:
#     browsers   data channels in headless Chromium and Firefox: rtcweb's Rust and JS APIs
#                against raw browser JS, simple-peer and PeerJS, and setup through signaling
#                (benches/run.mjs; BENCHMARKS.md). RTCWEB_BENCH_RUNS=N runs (default 5),
#                RTCWEB_BENCH_BROWSERS=chromium,firefox; figures in target/bench/results.json
#     signal     rtcweb-signal's write throughput at 1 and 50 writers, in memory, with --data,
#                and with --data on a 16 MiB tree (server/examples/write_load.rs);
#                RTCWEB_SIGNAL_BIN=PATH measures another build of the server
#     streams    rtcweb-signal with 1,000 and 10,000 open streams on rooms: write-to-event
#                latency, writes/s and memory per stream (server/examples/stream_load.rs);
#                RTCWEB_SIGNAL_BIN as for signal
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"

PARTS=("$@")
[ ${#PARTS[@]} -eq 0 ] && PARTS=(browsers signal streams)
for part in "${PARTS[@]}"; do
    case "$part" in browsers | signal | streams) ;;
        *) echo "unknown part '$part'; parts: browsers signal streams" >&2; exit 2 ;;
    esac
done

browsers() {
    scripts/setup.sh all || return 1
    mkdir -p target/bench
    # The npm package (pkg/, which the JS API's page loads) and its size.
    scripts/size.sh >target/bench/size.md || return 1
    # rtcweb's Rust API: benches/rust/, a wasm-bindgen cdylib of its own workspace, built with
    # the root's locked versions (the wasm-bindgen CLI must match them), into a target
    # directory of its own: its dependencies' other features, beside the workspace's builds,
    # would leave rustc two candidates for each (the Yew example then fails to build).
    cp Cargo.lock benches/rust/Cargo.lock
    (
        use_wasm_toolchain && export CARGO_TARGET_DIR="$ROOT/target/bench/cargo" &&
            cargo build -q --release --manifest-path benches/rust/Cargo.toml --target "$WASM_TARGET"
    ) || return 1
    rm -rf target/bench/rust
    wasm-bindgen --target web --no-typescript --out-dir target/bench/rust \
        "target/bench/cargo/$WASM_TARGET/release/rtcweb_bench.wasm" || return 1
    cargo build -q --release -p rtcweb-signal || return 1
    node benches/run.mjs --sizes target/bench/size.md --runs "${RTCWEB_BENCH_RUNS:-5}" \
        --browsers "${RTCWEB_BENCH_BROWSERS:-chromium,firefox}"
}

# Starts the server with the given arguments on a free port; sets SIGNAL_PID and SIGNAL_URL.
start_signal() {
    local log="$BENCH_DIR/server.log"
    # Emptied first, so that no earlier server's address is read from it.
    : >"$log"
    "$SIGNAL_BIN" --listen 127.0.0.1:0 --room-ttl 0 "$@" 2>"$log" &
    SIGNAL_PID=$!
    local addr=""
    for _ in $(seq 100); do
        addr="$(sed -n 's|^rtcweb-signal listening on http://\([^/]*\)/.*|\1|p' "$log")"
        [ -n "$addr" ] && break
        sleep 0.1
    done
    [ -n "$addr" ] || { echo "rtcweb-signal did not start: $(cat "$log")" >&2; return 1; }
    SIGNAL_URL="http://$addr"
}

stop_signal() {
    kill "$SIGNAL_PID" 2>/dev/null
    wait "$SIGNAL_PID" 2>/dev/null
}

SIGNAL_PID=""

signal() {
    cargo build -q --release -p rtcweb-signal --bins --example write_load || return 1
    SIGNAL_BIN="${RTCWEB_SIGNAL_BIN:-target/release/rtcweb-signal}"
    local load=target/release/examples/write_load seconds="${RTCWEB_BENCH_SECONDS:-5}"
    # On the disk the server would use (not a tmpfs /tmp, where a sync costs nothing).
    mkdir -p target && BENCH_DIR="$(mktemp -d "$ROOT/target/bench-signal.XXXXXX")"
    trap 'stop_signal; rm -rf "$BENCH_DIR"' RETURN
    echo "==> rtcweb-signal write throughput ($SIGNAL_BIN, $seconds s per figure, $(nproc) cores)"
    echo
    echo "| storage | tree | 1 writer | 50 writers |"
    echo "|---|---|---|---|"
    local storage preload row writers figure
    for storage in memory data data-16mib; do
        preload=0
        [ "$storage" = data-16mib ] && preload=16
        row="| $([ "$storage" = memory ] && echo "in memory" || echo "\`--data\`") | $([ $preload -gt 0 ] && echo "16 MiB" || echo "small") |"
        for writers in 1 50; do
            rm -rf "$BENCH_DIR/db"*
            if [ "$storage" = memory ]; then
                start_signal || return 1
            else
                start_signal --data "$BENCH_DIR/db.json" || return 1
            fi
            figure="$("$load" "$SIGNAL_URL" "$writers" "$seconds" "$preload" | cut -d' ' -f1)"
            stop_signal
            row="$row ${figure:-failed} writes/s |"
        done
        echo "$row"
    done
}

# Streams open on rooms as calls hold them (two per room; then all in one room), then paced
# writes of call messages into the rooms, then 50 writers as fast as the server answers.
streams() {
    cargo build -q --release -p rtcweb-signal --bins --example stream_load || return 1
    SIGNAL_BIN="${RTCWEB_SIGNAL_BIN:-target/release/rtcweb-signal}"
    local load=target/release/examples/stream_load seconds="${RTCWEB_BENCH_SECONDS:-10}"
    # A descriptor per stream on each side (server and client are separate processes).
    ulimit -n "$(ulimit -Hn)" 2>/dev/null
    if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 10300 ]; then
        echo "streams: 10,000 streams need 'ulimit -n' of at least 10300 (hard limit: $(ulimit -Hn))" >&2
        return 1
    fi
    mkdir -p target && BENCH_DIR="$(mktemp -d "$ROOT/target/bench-streams.XXXXXX")"
    trap 'stop_signal; rm -rf "$BENCH_DIR"' RETURN
    echo "==> rtcweb-signal streams ($SIGNAL_BIN, in memory, $seconds s per phase, $(nproc) cores shared with the client)"
    echo
    echo "| streams open | rooms | server memory per stream | paced writes → events delivered | server CPU (of one core) | write-to-event p50 / p99 / max | writes/s, 50 writers | p50 / p99 at that load |"
    echo "|---|---|---|---|---|---|---|---|"
    local case n rooms rate writers
    # streams:rooms:paced writes per second:writers (2,000 writes/s is the heartbeat load of
    # 10,000 call peers, one every 5 s; in one room each write reaches every stream).
    for case in 1000:500:2000:50 10000:5000:2000:50 1000:1:20:0 10000:1:2:0; do
        IFS=: read -r n rooms rate writers <<<"$case"
        start_signal --max-streams "$n" --max-connections $((n + 200)) || return 1
        "$load" "$SIGNAL_URL" --streams "$n" --rooms "$rooms" --rate "$rate" --writers "$writers" \
            --seconds "$seconds" --server-pid "$SIGNAL_PID" --markdown 2>>"$BENCH_DIR/details" ||
            echo "| $n | $rooms | failed | | | | | |"
        stop_signal
    done
    echo
    sed 's/^stream_load: /    /' "$BENCH_DIR/details"
}

status=0
for part in "${PARTS[@]}"; do
    "$part" || status=1
done
exit $status
