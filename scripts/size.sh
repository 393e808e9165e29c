#!/usr/bin/env bash
# Prints the npm package's size as users ship it: the wasm module and the JS glue (minified
# with esbuild), each gzipped (-9). Builds the package first (scripts/build.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"
scripts/build.sh >/dev/null
gz() { gzip -9 -c | wc -c; }
wasm=$(gz <pkg/rtcweb_bg.wasm)
glue=$(esbuild --bundle --minify --format=esm --log-level=error pkg/rtcweb.js | gz)
printf '| build | wasm | JS glue | total |\n|---|---|---|---|\n'
awk -v w="$wasm" -v g="$glue" 'BEGIN { printf "| full | %.1f KB | %.1f KB | %.1f KB |\n", w / 1000, g / 1000, (w + g) / 1000 }'
