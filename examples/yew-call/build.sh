#!/usr/bin/env bash
# Builds the Yew example for the browser into target/yew-call/: cargo for wasm32 (the project's
# wasm toolchain), the wasm-bindgen CLI's `web` target, and an index.html that loads it.
# Serve it with: target/release/rtcweb-signal --emulator --listen 127.0.0.1:8081 --www target/yew-call
#
#   examples/yew-call/build.sh              a release build
#   PROFILE=dev examples/yew-call/build.sh  an unoptimised one, faster to make
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/common.sh"
cd "$ROOT"

profile="${PROFILE:-release}"
(
    use_wasm_toolchain
    cargo build -q -p yew-call --target "$WASM_TARGET" $([ "$profile" = release ] && echo --release)
)
dir=$profile
[ "$profile" = dev ] && dir=debug
out=target/yew-call
rm -rf "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name yew-call "target/wasm/$WASM_TARGET/$dir/yew-call.wasm"
cat >"$out/index.html" <<'HTML'
<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>rtcweb + Yew</title>
  <style>
    body { font: 16px/1.4 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
    [data-testid=peer][data-state=connected] { color: #16803c; }
    .videos { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: .5rem; }
    video { width: 100%; background: #111; border-radius: .4rem; }
    figure { margin: 0; }
    form { display: flex; gap: .5rem; } input { flex: 1; }
  </style>
</head>
<body>
  <script type="module">
    import init from "./yew-call.js";
    init();
  </script>
</body>
</html>
HTML
