// A second page for the call tests: a same-origin <iframe> that loads this test binary's own
// module (wasm-bindgen-test-runner serves its glue at /wasm-bindgen-test.js, its Wasm beside
// it) as a fresh instance, and joins a call there through an exported helper. Removing the
// iframe runs its document's unload steps, which fire `pagehide`, as closing a tab does.

const frames = new Map();

// Opens a page that joins `room` of `db` as `peer` (the helper is `tab_peer_join`, exported by
// tests/call.rs), and resolves once it has joined.
export async function open_tab_peer(db, room, peer) {
  const glue = new URL("/wasm-bindgen-test.js", location.href).href;
  const wasm = new URL("/wasm-bindgen-test_bg.wasm", location.href).href;
  const frame = document.createElement("iframe");
  const joined = new Promise((resolve, reject) => {
    const onMessage = (event) => {
      if (event.source !== frame.contentWindow || event.data?.tabPeer !== peer) return;
      window.removeEventListener("message", onMessage);
      if (event.data.error) reject(new Error(`the tab's peer did not join: ${event.data.error}`));
      else resolve();
    };
    window.addEventListener("message", onMessage);
  });
  const args = JSON.stringify([db, room, peer]);
  frame.srcdoc = `<!DOCTYPE html><script type="module">
    import init, { tab_peer_join } from ${JSON.stringify(glue)};
    const [db, room, peer] = ${args};
    try {
      await init({ module_or_path: ${JSON.stringify(wasm)} });
      await tab_peer_join(db, room, peer);
      parent.postMessage({ tabPeer: peer }, "*");
    } catch (e) {
      parent.postMessage({ tabPeer: peer, error: String(e) }, "*");
    }
  </script>`;
  document.body.appendChild(frame);
  frames.set(peer, frame);
  await joined;
}

// Closes that page without a hang-up: the iframe is removed (its `pagehide` fires).
export function close_tab_peer(peer) {
  const frame = frames.get(peer);
  frames.delete(peer);
  frame?.remove();
}
