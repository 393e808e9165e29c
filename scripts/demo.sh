#!/usr/bin/env bash
# Builds and serves the demo and rtcweb-signal at http://127.0.0.1:${PORT:-8080}/.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"
scripts/setup.sh demo || exit 1
step "build the wasm package" scripts/build.sh
step "build rtcweb-signal" cargo build -q --release -p rtcweb-signal
exec target/release/rtcweb-signal --emulator --listen "127.0.0.1:${PORT:-8080}" --www www
