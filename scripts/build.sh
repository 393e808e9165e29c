#!/usr/bin/env bash
# Builds the wasm package for the demo page into www/pkg (wasm-pack, --target web).
#   PROFILE=dev scripts/build.sh   for a faster, unoptimised build
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"
use_wasm_toolchain
wasm-pack --quiet build --"${PROFILE:-release}" --target web --out-dir www/pkg --no-pack .
