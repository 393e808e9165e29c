#!/usr/bin/env bash
# Builds the npm package into pkg/ (the `js` feature, wasm-bindgen's `web` target, wasm-opt),
# and copies it into www/pkg for the demo page.
#
#   scripts/build.sh             the full package
#   scripts/build.sh --pack      also `npm pack` it into target/npm/rtcweb-VERSION.tgz
#   PROFILE=dev scripts/build.sh an unoptimised build, faster to make (the default is
#                                Cargo.toml's `npm` profile: release, for size)
#   FEATURES=js-data OUT=DIR scripts/build.sh
#                                the data-channel-only build, into DIR (scripts/size.sh)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"

cargo_version="$(awk -F'"' '/^version = / { print $2; exit }' Cargo.toml)"
npm_version="$(node -p 'require("./package.json").version')"
if [ "$cargo_version" != "$npm_version" ]; then
    echo "package.json's version ($npm_version) is not Cargo.toml's ($cargo_version)" >&2
    exit 1
fi

profile="${PROFILE:-npm}"
features="${FEATURES:-js}"
out="${OUT:-pkg}"
(
    use_wasm_toolchain
    cargo build -q --target "$WASM_TARGET" --features "$features" --profile "$profile"
)
wasm="target/wasm/$WASM_TARGET/$profile/rtcweb.wasm"
[ "$profile" = dev ] && wasm="target/wasm/$WASM_TARGET/debug/rtcweb.wasm"

rm -rf "$out"
wasm-bindgen --target web --weak-refs --out-dir "$out" --out-name rtcweb "$wasm"
rm -f "$out/rtcweb_bg.wasm.d.ts"
# The raw exports' types (InitOutput, for `rtcweb/web`'s init) say `any`; no caller needs them.
sed -i '/^export interface InitOutput/,/^}/ s/\bany\b/unknown/g' "$out/rtcweb.d.ts"
if [ "$profile" != dev ]; then
    wasm-opt -Oz --converge --strip-debug --strip-producers "$out/rtcweb_bg.wasm" -o "$out/rtcweb_bg.wasm"
fi
cp js/index.js js/index.d.ts "$out/"

[ "$out" = pkg ] || exit 0
rm -rf www/pkg
cp -r pkg www/pkg

if [ "${1:-}" = --pack ]; then
    mkdir -p target/npm
    npm pack --silent --pack-destination target/npm >/dev/null
    echo "target/npm/rtcweb-$npm_version.tgz"
fi
