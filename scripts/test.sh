#!/usr/bin/env bash
# Runs every test, after installing what they need (scripts/setup.sh).
#
#   scripts/test.sh              everything, in the order below
#   scripts/test.sh PART...      only these parts: lint native compat chromium firefox e2e
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"

PARTS=("$@")
[ ${#PARTS[@]} -eq 0 ] && PARTS=(lint native compat chromium firefox e2e)
for part in "${PARTS[@]}"; do
    case "$part" in lint | native | compat | chromium | firefox | e2e) ;;
        *) echo "unknown part '$part'; parts: lint native compat chromium firefox e2e" >&2; exit 2 ;;
    esac
done

# Ports of the servers the tests start; RTCWEB_TEST_PORT_BASE moves all four, so that two
# checkouts can run their suites side by side on one machine.
PORT_BASE="${RTCWEB_TEST_PORT_BASE:-18461}"
DB_PORT=$PORT_BASE
CONTROL_PORT=$((PORT_BASE + 1))
COMPAT_PORT=$((PORT_BASE + 2))
TURN_PORT=$((PORT_BASE + 3))

TOTAL_START=$SECONDS
scripts/setup.sh all || exit 1

lint() {
    cargo fmt --all --check || return 1
    cargo clippy -q --workspace --all-targets -- -D warnings || return 1
    (use_wasm_toolchain && cargo clippy -q -p rtcweb --all-targets --target "$WASM_TARGET" -- -D warnings) || return 1
    RUSTDOCFLAGS="-D warnings" cargo doc -q --workspace --no-deps
}

native() {
    cargo test -q --workspace
}

# The official Firebase Admin SDK (Python) against rtcweb-signal as its emulator host.
compat() {
    cargo build -q --release -p rtcweb-signal || return 1
    (
        # A short keep-alive: the SDK's listener only notices it was closed on the next event.
        target/release/rtcweb-signal --listen 127.0.0.1:$COMPAT_PORT --keep-alive 1 2>/dev/null &
        server=$!
        trap 'kill $server 2>/dev/null' EXIT
        for _ in $(seq 50); do
            curl -sf -o /dev/null http://127.0.0.1:$COMPAT_PORT/.json && break
            sleep 0.1
        done
        RTCWEB_SIGNAL_HOST=127.0.0.1:$COMPAT_PORT target/compat-venv/bin/python tests/compat/firebase_admin_test.py
    )
}

# The signaling and call tests (tests/signaling.rs, tests/call.rs) talk to rtcweb-signal on
# DB_PORT, through a controller on CONTROL_PORT that can restart it; the call's relay tests use
# the coturn it runs on TURN_PORT, which it can pause and resume.

# Starts rtcweb-signal under its controller; stops them when this shell exits.
start_signal_server() {
    cargo build -q --release -p rtcweb-signal || return 1
    command -v turnserver >/dev/null || { echo "no turnserver: run scripts/setup.sh" >&2; return 1; }
    coproc SIGNAL { node tests/support/signal-controller.mjs "$DB_PORT" "$CONTROL_PORT" "$TURN_PORT" 2>&1; }
    trap 'kill "$SIGNAL_PID" 2>/dev/null; wait "$SIGNAL_PID" 2>/dev/null' EXIT
    local line
    read -r -t 30 line <&"${SIGNAL[0]}"
    [ "$line" = ready ] || { echo "rtcweb-signal did not start: $line" >&2; return 1; }
}

# wasm-bindgen-test-runner drives the browser whose driver variable is set.
browser_tests() {
    (
        start_signal_server || exit 1
        use_wasm_toolchain || exit 1
        export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
        export RTCWEB_TEST_DB="http://127.0.0.1:$DB_PORT" RTCWEB_TEST_CONTROL="http://127.0.0.1:$CONTROL_PORT"
        export RTCWEB_TEST_TURN="127.0.0.1:$TURN_PORT"
        # Per test binary; the call's recovery tests wait out real ICE timeouts.
        export WASM_BINDGEN_TEST_TIMEOUT=150
        unset CHROMEDRIVER GECKODRIVER SAFARIDRIVER
        export "$1"
        cargo test -p rtcweb --lib --tests --target "$WASM_TARGET"
    )
}
chromium() { browser_tests "CHROMEDRIVER=$(command -v chromedriver)"; }
firefox() { browser_tests "GECKODRIVER=$(command -v geckodriver)"; }

e2e() {
    scripts/build.sh || return 1
    cargo build -q --release -p rtcweb-signal || return 1
    node --test --test-concurrency=1 tests/e2e/
}

for part in "${PARTS[@]}"; do
    step "test: $part" "$part"
done
echo "==> all tests passed (${PARTS[*]}) in $((SECONDS - TOTAL_START)) s"
