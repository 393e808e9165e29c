# Shared by the project's scripts: paths, the wasm toolchain, and step timing.
# Sourced, never run.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WASM_TARGET=wasm32-unknown-unknown
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"

# Prints a step's name, runs it, then prints how long it took.
step() {
    local name="$1"
    shift
    local start=$SECONDS
    echo "==> $name"
    "$@"
    local rc=$?
    if [ $rc -ne 0 ]; then
        echo "==> $name: FAILED after $((SECONDS - start)) s" >&2
        exit $rc
    fi
    echo "==> $name: done in $((SECONDS - start)) s"
}

# True when `rustup run $1 rustc` has a wasm32 standard library installed.
toolchain_has_wasm_std() {
    local libdir
    libdir="$(rustup run "$1" rustc --print target-libdir --target "$WASM_TARGET" 2>/dev/null)" || return 1
    compgen -G "$libdir/libstd-*.rlib" >/dev/null
}

# The rustup toolchain that builds wasm32: the default one when it has the target,
# otherwise `web` (Debian's rustc with a sysroot built by setup.sh; see TOOLCHAIN.md).
wasm_toolchain() {
    local default
    default="$(rustup show active-toolchain 2>/dev/null | cut -d' ' -f1)"
    if [ -n "$default" ] && toolchain_has_wasm_std "$default"; then
        echo "$default"
    elif toolchain_has_wasm_std web; then
        echo web
    else
        return 1
    fi
}

# Exports RUSTUP_TOOLCHAIN so that cargo, wasm-pack and clippy build wasm32 with the right
# compiler. Call only in a subshell or for wasm-only work: it also changes host builds.
use_wasm_toolchain() {
    local tc
    tc="$(wasm_toolchain)" || {
        echo "no Rust toolchain with the $WASM_TARGET standard library: run scripts/setup.sh" >&2
        return 1
    }
    export RUSTUP_TOOLCHAIN="$tc"
    # wasm-pack and wasm-bindgen-test-runner must not build a separate target dir per toolchain
    # switch: keep wasm builds in their own directory so host builds stay cached.
    export CARGO_TARGET_DIR="$ROOT/target/wasm"
}

# The wasm-bindgen version that Cargo.lock pins; the CLI must match it exactly.
locked_wasm_bindgen_version() {
    awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

# Sets up wasm-bindgen-test-runner to run wasm32 tests in one headless browser (chromium or
# firefox): the wasm toolchain, the runner, and only that browser's driver. Call in a subshell.
use_browser_runner() {
    use_wasm_toolchain || return 1
    export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
    unset CHROMEDRIVER GECKODRIVER SAFARIDRIVER
    # The runner gives the driver 5 s to bind its port; a fresh machine's first chromedriver
    # start took longer and failed CI.
    export WASM_BINDGEN_TEST_DRIVER_TIMEOUT=60
    case "$1" in
        chromium) export CHROMEDRIVER="$(command -v chromedriver)" ;;
        firefox) export GECKODRIVER="$(command -v geckodriver)" ;;
        *) echo "unknown browser '$1'" >&2; return 1 ;;
    esac
}
