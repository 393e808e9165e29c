#!/usr/bin/env bash
# Runs every test, after installing what they need (scripts/setup.sh).
#
#   scripts/test.sh              everything, in the order below
#   scripts/test.sh PART...      only these parts: lint native chromium firefox e2e
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"

PARTS=("$@")
[ ${#PARTS[@]} -eq 0 ] && PARTS=(lint native chromium firefox e2e)
for part in "${PARTS[@]}"; do
    case "$part" in lint | native | chromium | firefox | e2e) ;;
        *) echo "unknown part '$part'; parts: lint native chromium firefox e2e" >&2; exit 2 ;;
    esac
done

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

# wasm-bindgen-test-runner drives the browser whose driver variable is set.
browser_tests() {
    (
        use_wasm_toolchain || exit 1
        export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
        export WASM_BINDGEN_TEST_TIMEOUT=60
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
