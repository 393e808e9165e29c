#!/usr/bin/env bash
# Prints the npm package's size as users ship it: the wasm module and the JS glue (minified
# with esbuild), each gzipped (-9), for the full build and the data-channel-only one (the
# `js-data` feature: no call, no media). Builds both first (scripts/build.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"
scripts/build.sh >/dev/null
FEATURES=js-data OUT=target/npm/pkg-data scripts/build.sh >/dev/null
gz() { gzip -9 -c | wc -c; }
printf '| build | wasm | JS glue | total |\n|---|---|---|---|\n'
row() {
    local wasm glue
    wasm=$(gz <"$2/rtcweb_bg.wasm")
    glue=$(esbuild --bundle --minify --format=esm --log-level=error "$2/rtcweb.js" | gz)
    awk -v n="$1" -v w="$wasm" -v g="$glue" \
        'BEGIN { printf "| %s | %.1f KB | %.1f KB | %.1f KB |\n", n, w / 1000, g / 1000, (w + g) / 1000 }'
}
row full pkg
row "data channels only" target/npm/pkg-data
