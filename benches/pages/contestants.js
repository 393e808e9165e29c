// The contestants of benches/pages/index.html: raw JS (raw.js), rtcweb's Rust API (the
// benches/rust/ crate; also with `on_message`, in the transfers only), rtcweb's JS API (the npm
// package in pkg/, imported as its users import it) and simple-peer (its browser bundle, loaded
// by a <script> tag as its README says). Each has the same three exchanges; scripts/bench.sh's
// driver (benches/run.mjs) calls them through `window.bench(contestant, exchange, params)`.
import { bounded, now, raw, timedSetup } from "./raw.js";
import initRust, * as rust from "./rust/rtcweb_bench.js";
import * as rtc from "./pkg/index.js";

await initRust({ module_or_path: new URL("./rust/rtcweb_bench_bg.wasm", import.meta.url) });

const rustApi = {
  transfer: ({ count, size }) => rust.transfer(count, size),
  pingPong: async ({ count, size }) => {
    const { times, total } = await rust.ping_pong(count, size);
    return { times: Array.from(times), total };
  },
  setup: () => rust.setup(),
};

// The Rust API with its messages taken by `on_message` instead of the `messages()` stream.
const rustListener = {
  transfer: ({ count, size }) => rust.transfer_listener(count, size),
};

// rtcweb's JS API: its PeerConnection and DataChannel classes, `await channel.send(data)` for
// backpressure as its docs show.
async function rtcwebConnect() {
  const a = new rtc.PeerConnection(), b = new rtc.PeerConnection();
  a.on("icecandidate", ({ candidate }) => b.addIceCandidate(candidate).catch(() => {}));
  b.on("icecandidate", ({ candidate }) => a.addIceCandidate(candidate).catch(() => {}));
  const remote = new Promise((resolve) => b.on("datachannel", ({ channel }) => resolve(channel)));
  const tx = a.createDataChannel("bench");
  const offer = await a.createOffer();
  await a.setLocalDescription(offer);
  await b.setRemoteDescription(offer);
  const answer = await b.createAnswer();
  await b.setLocalDescription(answer);
  await a.setRemoteDescription(answer);
  const rx = await remote;
  await Promise.all([tx.opened(), rx.opened()]);
  return { tx, rx, close: () => { a.close(); b.close(); } };
}

const rtcwebJs = {
  async transfer({ count, size }) {
    const { tx, rx, close } = await rtcwebConnect();
    let received = 0;
    const done = new Promise((resolve) => rx.on("message", () => ++received === count && resolve()));
    const payload = new Uint8Array(size);
    const start = now();
    for (let i = 0; i < count; i++) await tx.send(payload);
    await done;
    const ms = now() - start;
    close();
    return ms;
  },
  async pingPong({ count, size }) {
    const { tx, rx, close } = await rtcwebConnect();
    rx.on("message", ({ data }) => rx.send(data).catch(() => {}));
    let reply;
    tx.on("message", () => reply());
    const payload = new Uint8Array(size), times = [], begin = now();
    for (let i = 0; i < count; i++) {
      const start = now();
      const replied = new Promise((r) => (reply = r));
      await tx.send(payload);
      await replied;
      times.push(now() - start);
    }
    const total = now() - begin;
    close();
    return { times, total };
  },
  setup: () => timedSetup(rtcwebConnect),
};

// simple-peer: two peers in this page, each one's `signal` events fed to the other; data
// through its stream interface (`write` returns false when its buffer is full: wait for
// `drain`), the backpressure its README recommends.
async function simplePeerConnect() {
  const a = new SimplePeer({ initiator: true }), b = new SimplePeer();
  a.on("signal", (data) => b.signal(data));
  b.on("signal", (data) => a.signal(data));
  await Promise.all([a, b].map((p) => new Promise((r) => p.once("connect", r))));
  return { a, b, close: () => { a.destroy(); b.destroy(); } };
}

const simplePeer = {
  async transfer({ count, size }) {
    const { a, b, close } = await simplePeerConnect();
    let received = 0;
    const done = new Promise((resolve) => b.on("data", () => ++received === count && resolve()));
    const payload = new Uint8Array(size);
    const start = now();
    for (let i = 0; i < count; i++) {
      if (!a.write(payload)) await new Promise((r) => a.once("drain", r));
    }
    await done;
    const ms = now() - start;
    close();
    return ms;
  },
  async pingPong({ count, size }) {
    const { a, b, close } = await simplePeerConnect();
    b.on("data", (data) => b.send(data));
    let reply;
    a.on("data", () => reply());
    const payload = new Uint8Array(size), times = [], begin = now();
    for (let i = 0; i < count; i++) {
      const start = now();
      const replied = new Promise((r) => (reply = r));
      a.send(payload);
      await replied;
      times.push(now() - start);
    }
    const total = now() - begin;
    close();
    return { times, total };
  },
  setup: () => timedSetup(simplePeerConnect),
};

const contestants = { raw, rust: rustApi, "rust-listener": rustListener, js: rtcwebJs, "simple-peer": simplePeer };
window.bench = (contestant, exchange, params) => bounded(contestants[contestant][exchange](params));

// Setup through signaling, between two pages (benches/run.mjs opens two): rtcweb's Call through
// rtcweb-signal. Resolves once this side's channel to the other peer is open.
let call;
window.callSetup = async (db, room) => {
  const start = performance.timeOrigin + now();
  call = await rtc.Call.join(new rtc.Database(db), room);
  await new Promise((resolve) =>
    call.on("peerstate", ({ state }) => state === "connected" && resolve()));
  return { start, open: performance.timeOrigin + now() };
};
window.callEnd = async () => { await call?.hangUp(); call = undefined; };
window.benchReady = true;
