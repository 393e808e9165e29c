#!/usr/bin/env bash
# Runs every test, after installing what they need (scripts/setup.sh).
#
#   scripts/test.sh              everything, in the order below
#   scripts/test.sh PART...      only these parts: lint native compat chromium firefox e2e package
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"

PARTS=("$@")
[ ${#PARTS[@]} -eq 0 ] && PARTS=(lint native compat chromium firefox e2e package)
for part in "${PARTS[@]}"; do
    case "$part" in lint | native | compat | chromium | firefox | e2e | package) ;;
        *) echo "unknown part '$part'; parts: lint native compat chromium firefox e2e package" >&2; exit 2 ;;
    esac
done

# Ports of the servers the tests start (each database port's controller listens on the next
# one); RTCWEB_TEST_PORT_BASE moves them all, so that two checkouts can run their suites side
# by side on one machine.
PORT_BASE="${RTCWEB_TEST_PORT_BASE:-18461}"
DB_PORT=$PORT_BASE
CONTROL_PORT=$((PORT_BASE + 1))
TURN_PORT=$((PORT_BASE + 2))
COMPAT_PORT=$((PORT_BASE + 3))

TOTAL_START=$SECONDS
scripts/setup.sh all || exit 1

lint() {
    cargo fmt --all --check || return 1
    cargo clippy -q --workspace --all-targets -- -D warnings || return 1
    (use_wasm_toolchain && cargo clippy -q -p rtcweb --all-targets --target "$WASM_TARGET" -- -D warnings) || return 1
    (use_wasm_toolchain && cargo clippy -q -p rtcweb --lib --features js --target "$WASM_TARGET" -- -D warnings) || return 1
    RUSTDOCFLAGS="-D warnings" cargo doc -q --workspace --no-deps
}

native() {
    cargo test -q --workspace
}

# Starts rtcweb-signal under its restarting controller (tests/support/signal-controller.mjs)
# on DB_PORT and DB_PORT+1, with the given server arguments (default: a fresh data file and
# tests/support/rules.json, in emulator mode), and coturn on $TURN_PORT when that is set;
# stops them when this shell exits.
start_signal_server() {
    local db_port="$1"
    shift
    cargo build -q --release -p rtcweb-signal || return 1
    if [ -n "${TURN_PORT:-}" ]; then
        command -v turnserver >/dev/null || { echo "no turnserver: run scripts/setup.sh" >&2; return 1; }
        export TURN_PORT
    fi
    coproc SIGNAL { node tests/support/signal-controller.mjs "$db_port" "$((db_port + 1))" "$@" 2>&1; }
    trap 'kill "$SIGNAL_PID" 2>/dev/null; wait "$SIGNAL_PID" 2>/dev/null' EXIT
    local line
    read -r -t 30 line <&"${SIGNAL[0]}"
    [ "$line" = ready ] || { echo "rtcweb-signal did not start: $line" >&2; return 1; }
}

# The official Firebase Admin SDK (Python) against rtcweb-signal as its emulator host.
compat() {
    (
        # A short keep-alive: the SDK's listener only notices it was closed on the next event.
        TURN_PORT='' start_signal_server "$COMPAT_PORT" --emulator --keep-alive 1 || exit 1
        RTCWEB_SIGNAL_HOST=127.0.0.1:$COMPAT_PORT target/compat-venv/bin/python tests/compat/firebase_admin_test.py
    )
}

# wasm-bindgen-test-runner in one browser: the browser tests (tests/web.rs, whose signaling
# and call tests talk to rtcweb-signal on DB_PORT, restarted through CONTROL_PORT, and whose
# relay tests use the coturn on TURN_PORT, paused and resumed through CONTROL_PORT) and
# tests/legacy.rs.
browser_tests() {
    (
        start_signal_server "$DB_PORT" || exit 1
        use_browser_runner "$1" || exit 1
        export RTCWEB_TEST_DB="http://127.0.0.1:$DB_PORT" RTCWEB_TEST_CONTROL="http://127.0.0.1:$CONTROL_PORT"
        export RTCWEB_TEST_TURN="127.0.0.1:$TURN_PORT"
        # Per test binary; the call's recovery tests wait out real ICE timeouts.
        export WASM_BINDGEN_TEST_TIMEOUT=150
        cargo test -p rtcweb --lib --tests --target "$WASM_TARGET"
    )
}
chromium() { browser_tests chromium; }
firefox() { browser_tests firefox; }

# The demo's tests, and the Yew example's (tests/e2e/yew.test.mjs) on its build in target/yew-call/.
e2e() {
    scripts/build.sh || return 1
    examples/yew-call/build.sh || return 1
    cargo build -q --release -p rtcweb-signal || return 1
    node --test --test-concurrency=1 tests/e2e/
}

# The npm package as users install it (tests/npm/): the packed tarball in a fresh Vite app and
# a plain page, in Chromium and Firefox; vite and typescript come from the registry.
package() {
    scripts/build.sh --pack || return 1
    cargo build -q --release -p rtcweb-signal || return 1
    node --test --test-concurrency=1 tests/npm/
}

for part in "${PARTS[@]}"; do
    step "test: $part" "$part"
done
echo "==> all tests passed (${PARTS[*]}) in $((SECONDS - TOTAL_START)) s"
