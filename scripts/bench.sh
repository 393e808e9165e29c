#!/usr/bin/env bash
# Benchmarks in headless Chromium and Firefox (release build). Prints figures; asserts none.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"
scripts/setup.sh all || exit 1
export WASM_BINDGEN_TEST_TIMEOUT=300
# LTO breaks linking test binaries ("Can't find section .llvmbc"); optimised without it.
export CARGO_PROFILE_RELEASE_LTO=false
for browser in chromium firefox; do
    (
        use_browser_runner "$browser" || exit 1
        echo "==> $browser"
        cargo test --release -p rtcweb --target "$WASM_TARGET" --test bench_data_channel -- --nocapture 2>&1 |
            grep -E 'BENCH|FAIL|panicked' | sed "s/^.*BENCH/$browser:/"
    )
done
