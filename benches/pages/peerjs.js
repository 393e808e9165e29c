// PeerJS (its browser bundle, loaded by a <script> tag: it patches the page's WebRTC globals,
// so it has a page of its own) and raw JS in the same page, through a local PeerServer (the
// npm `peer` package, started by benches/run.mjs) whose address is in the query string.
// `iceServers: []` as rtcweb's default: PeerJS's own default names public STUN and TURN
// hosts, which this machine cannot reach. Binary data with `serialization: "raw"`, which
// sends each ArrayBuffer as it is (the default, binarypack, re-encodes and chunks it).
import { bounded, now, raw } from "./raw.js";

const query = new URLSearchParams(location.search);
const server = {
  host: query.get("host"), port: Number(query.get("port")), path: "/peerjs",
  config: { iceServers: [] }, debug: 0,
};
const freshId = (side) => `${side}-${Math.random().toString(36).slice(2, 10)}`;

function openPeer(id) {
  return new Promise((resolve, reject) => {
    const peer = new peerjs.Peer(id, server);
    peer.once("open", () => resolve(peer));
    peer.once("error", reject);
  });
}
const opened = (conn) => conn.open || new Promise((r) => conn.once("open", r));

async function connect() {
  const [a, b] = await Promise.all([openPeer(freshId("a")), openPeer(freshId("b"))]);
  const incoming = new Promise((r) => b.once("connection", r));
  const tx = a.connect(b.id, { serialization: "raw", reliable: true });
  const rx = await incoming;
  await Promise.all([opened(tx), opened(rx)]);
  return { tx, rx, close: () => { a.destroy(); b.destroy(); } };
}

const peerJs = {
  // PeerJS's `send` never waits: above 8 MiB of bufferedAmount it queues in JS and retries
  // every 50 ms. That queue is its backpressure.
  async transfer({ count, size }) {
    const { tx, rx, close } = await connect();
    let received = 0;
    const done = new Promise((resolve) => rx.on("data", () => ++received === count && resolve()));
    const payload = new Uint8Array(size).buffer;
    const start = now();
    for (let i = 0; i < count; i++) tx.send(payload);
    await done;
    const ms = now() - start;
    close();
    return ms;
  },
  async pingPong({ count, size }) {
    const { tx, rx, close } = await connect();
    rx.on("data", (data) => rx.send(data));
    let reply;
    tx.on("data", () => reply());
    const payload = new Uint8Array(size).buffer, times = [], begin = now();
    for (let i = 0; i < count; i++) {
      const start = now();
      const replied = new Promise((r) => (reply = r));
      tx.send(payload);
      await replied;
      times.push(now() - start);
    }
    const total = now() - begin;
    close();
    return { times, total };
  },
};

const contestants = { raw, peerjs: peerJs };
window.bench = (contestant, exchange, params) => bounded(contestants[contestant][exchange](params));

// Setup through signaling between two pages: both register with the PeerServer at once, and
// the `dial` side connects to the other once registered. Resolves once this side's connection
// is open.
let peer;
window.callSetup = async (me, other, dial) => {
  const start = performance.timeOrigin + now();
  peer = await openPeer(me);
  const conn = dial
    ? peer.connect(other, { serialization: "raw", reliable: true })
    : await new Promise((r) => peer.once("connection", r));
  await opened(conn);
  return { start, open: performance.timeOrigin + now() };
};
window.callEnd = async () => { peer?.destroy(); peer = undefined; };
window.benchReady = true;
