#!/usr/bin/env bash
# Installs everything the project needs, idempotently; each step is skipped when already done.
#
#   scripts/setup.sh          everything: what the tests need (browsers and drivers included)
#   scripts/setup.sh demo     only what building and serving the demo needs
#
# On Debian (the project's machines) missing system packages come from apt. Elsewhere the
# script installs what cargo and npm can and says clearly what you must install yourself.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SCOPE="${1:-all}"
case "$SCOPE" in all | demo) ;; *) echo "usage: $0 [all|demo]" >&2; exit 2 ;; esac

is_debian() { [ -f /etc/debian_version ] && command -v apt-get >/dev/null; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else echo "need root for: $*" >&2; return 1
    fi
}

APT_UPDATED=0
apt_install() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ $APT_UPDATED -eq 0 ]; then
        as_root env DEBIAN_FRONTEND=noninteractive timeout 600 apt-get update -qq || return 1
        APT_UPDATED=1
    fi
    echo "    apt-get install ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive timeout 1200 \
        apt-get install -y -qq "${missing[@]}" >/dev/null || return 1
}

need_command() {
    command -v "$1" >/dev/null || { echo "missing '$1': $2" >&2; return 1; }
}

# --- Rust and the wasm32 target ------------------------------------------------------------

install_wasm_target() {
    need_command rustup "install Rust with rustup (https://rustup.rs)" || return 1
    if wasm_toolchain >/dev/null; then
        echo "    wasm32 std present for toolchain '$(wasm_toolchain)'"
        return 0
    fi
    # rustup's download host is unreachable on some of the project's machines, where
    # `rustup target add` hangs: probe it briefly first, and bound the call.
    # RTCWEB_WASM_FROM_DEBIAN=1 skips rustup, to exercise the Debian recipe.
    if [ -z "${RTCWEB_WASM_FROM_DEBIAN:-}" ] &&
        curl -sSf -m 5 -o /dev/null https://static.rust-lang.org/dist/channel-rust-stable.toml.sha256 2>/dev/null; then
        echo "    rustup target add $WASM_TARGET"
        if timeout 300 rustup target add "$WASM_TARGET" && wasm_toolchain >/dev/null; then
            return 0
        fi
    fi
    is_debian || {
        echo "cannot install the $WASM_TARGET target: 'rustup target add $WASM_TARGET' failed and this is not Debian" >&2
        return 1
    }
    echo "    rustup unreachable: Debian's rustc-web with a self-built wasm32 sysroot (TOOLCHAIN.md)"
    apt_install rustc-web cargo-web rust-web-src rust-web-clippy lld-22 || return 1
    rustup toolchain list | grep -q '^web' || rustup toolchain link web /usr || return 1
    build_wasm_sysroot web
}

# Builds std for wasm32 with the toolchain's own sources and installs it where rustc looks.
build_wasm_sysroot() {
    local tc="$1" dir libdir
    dir="$(mktemp -d)"
    cargo +"$tc" init -q --lib --name sysroot_dummy "$dir" || return 1
    (cd "$dir" && RUSTC_BOOTSTRAP=1 cargo +"$tc" build -q --release --target "$WASM_TARGET" \
        -Zbuild-std=std,panic_abort,test) || return 1
    libdir="$(rustup run "$tc" rustc --print target-libdir --target "$WASM_TARGET")"
    as_root mkdir -p "$libdir" || return 1
    find "$dir/target/$WASM_TARGET/release/deps" -name '*.rlib' ! -name 'libsysroot_dummy-*' \
        -exec cp {} "$libdir/" \; || return 1
    rm -rf "$dir"
    toolchain_has_wasm_std "$tc"
}

# --- cargo-installed tools ------------------------------------------------------------------

# cargo install, first with the crate's lockfile and, when a lagging lock entry breaks that,
# without it (seen with wasm-bindgen-cli).
cargo_install() {
    cargo install -q --locked "$@" 2>/dev/null || cargo install -q "$@"
}

install_wasm_bindgen_cli() {
    local want have
    want="$(locked_wasm_bindgen_version)"
    [ -n "$want" ] || { echo "no wasm-bindgen in Cargo.lock" >&2; return 1; }
    have="$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)"
    if [ "$have" = "$want" ]; then echo "    wasm-bindgen $have"; return 0; fi
    echo "    cargo install wasm-bindgen-cli $want (have: ${have:-none})"
    cargo_install --force wasm-bindgen-cli --version "=$want"
}

install_cargo_tool() {
    local bin="$1" crate="$2"
    if command -v "$bin" >/dev/null; then echo "    $("$bin" --version 2>&1 | head -1)"; return 0; fi
    echo "    cargo install $crate"
    cargo_install "$crate"
}

# --- browsers -------------------------------------------------------------------------------

install_browsers() {
    if is_debian; then
        apt_install chromium chromium-driver firefox-esr || return 1
    fi
    need_command chromium "install Chromium (the tests use /usr/bin/chromium or \$CHROME)" || [ -n "${CHROME:-}" ] || return 1
    need_command chromedriver "install ChromeDriver matching your Chromium" || return 1
    need_command firefox "install Firefox" || command -v firefox-esr >/dev/null || return 1
    chromium --version 2>/dev/null | head -1 | sed 's/^/    /'
    firefox --version 2>/dev/null | head -1 | sed 's/^/    /'
}

# --- coturn: the TURN server of the call's relay tests ---------------------------------------

install_coturn() {
    if is_debian; then
        apt_install coturn || return 1
    fi
    need_command turnserver "install coturn (its turnserver runs the call's relay tests)" || return 1
    echo "    $(dpkg-query -W -f='coturn ${Version}' coturn 2>/dev/null || echo turnserver)"
}

# --- npm ------------------------------------------------------------------------------------

install_node() {
    if ! command -v npm >/dev/null && is_debian; then apt_install nodejs npm || return 1; fi
    need_command node "install Node.js 18 or newer" || return 1
    need_command npm "install npm" || return 1
    echo "    node $(node --version)"
}

install_npm_packages() {
    local stamp="$ROOT/node_modules/.package-lock.json"
    if [ -f "$stamp" ] && [ "$stamp" -nt "$ROOT/package-lock.json" ] && [ "$stamp" -nt "$ROOT/package.json" ]; then
        echo "    node_modules up to date"
        return 0
    fi
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
}

# --- Python: the Firebase Admin SDK that checks the server's compatibility ------------------

COMPAT_VENV="$ROOT/target/compat-venv"
install_compat_python() {
    if "$COMPAT_VENV/bin/python" -c 'import firebase_admin' 2>/dev/null; then
        echo "    firebase-admin $("$COMPAT_VENV/bin/python" -c 'import firebase_admin; print(firebase_admin.__version__)')"
        return 0
    fi
    need_command python3 "install Python 3" || return 1
    if ! python3 -c 'import venv, ensurepip' 2>/dev/null && is_debian; then
        apt_install python3-venv || return 1
    fi
    python3 -m venv "$COMPAT_VENV" || return 1
    "$COMPAT_VENV/bin/pip" install -q --disable-pip-version-check firebase-admin==7.7.0
}

step "Rust: wasm32 target" install_wasm_target
step "wasm-bindgen CLI (= Cargo.lock)" install_wasm_bindgen_cli
step "wasm-pack" install_cargo_tool wasm-pack wasm-pack
step "Node.js" install_node
step "npm dev dependencies (binaryen's wasm-opt, playwright-core)" install_npm_packages
if [ "$SCOPE" = all ]; then
    step "Chromium, ChromeDriver, Firefox" install_browsers
    step "geckodriver" install_cargo_tool geckodriver geckodriver
    step "coturn (TURN server)" install_coturn
    step "Python firebase-admin (compatibility test)" install_compat_python
fi
echo "==> setup ($SCOPE) complete"
