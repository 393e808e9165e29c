#!/usr/bin/env bash
# Runs the rtcweb-signal that the browser tests' signaling module talks to, in the foreground,
# for running the tests with `wasm-pack test --headless --chrome --firefox` or a plain
# `cargo test --target wasm32-unknown-unknown` (scripts/test.sh starts it by itself).
#
#   scripts/test-server.sh [DB_PORT]      default 18461; the restart control port is DB_PORT+1
#
# With another port, build the tests with RTCWEB_TEST_DB=http://127.0.0.1:DB_PORT and
# RTCWEB_TEST_CONTROL=http://127.0.0.1:$((DB_PORT+1)).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"
port="${1:-18461}"
cargo build -q --release -p rtcweb-signal
exec node tests/support/signal-controller.mjs "$port" "$((port + 1))"
