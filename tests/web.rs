//! The browser tests, one binary: each module is one concept, run in headless Chromium and
//! Firefox by `scripts/test.sh chromium firefox` (or `wasm-pack test --headless --chrome
//! --firefox`; the signaling tests need `rtcweb-signal` running, see the README). JS fixtures
//! live in `tests/js/`. Two binaries stand apart: old browsers (`tests/legacy.rs`), because
//! they swap the page's globals, and the call (`tests/call.rs`), because its meshes and
//! outages would share the page's six connections per host and its timing with these tests.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::wasm_bindgen_test_configure;

wasm_bindgen_test_configure!(run_in_browser);

mod common;

mod web {
    mod data_channel;
    mod media;
    mod peer_connection;
    mod signaling;
}
