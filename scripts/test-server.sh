#!/usr/bin/env bash
# Runs the rtcweb-signal (and the coturn) that the browser tests' signaling and call tests talk
# to, in the foreground, for running the tests with `wasm-pack test --headless --chrome
# --firefox` or a plain `cargo test --target wasm32-unknown-unknown` (scripts/test.sh starts
# them by itself).
#
#   scripts/test-server.sh [DB_PORT]      default 18461; the restart control port is DB_PORT+1,
#                                         coturn's port DB_PORT+2
#
# With another port, build the tests with RTCWEB_TEST_DB=http://127.0.0.1:DB_PORT,
# RTCWEB_TEST_CONTROL=http://127.0.0.1:$((DB_PORT+1)) and RTCWEB_TEST_TURN=127.0.0.1:$((DB_PORT+2)).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"
port="${1:-18461}"
command -v turnserver >/dev/null || { echo "no turnserver (coturn): run scripts/setup.sh" >&2; exit 1; }
cargo build -q --release -p rtcweb-signal
DETACHED=1 TURN_PORT=$((port + 2)) exec node tests/support/signal-controller.mjs "$port" "$((port + 1))"
