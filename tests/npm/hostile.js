// Calls every export of the package with hostile arguments, many times: each call must throw
// or reject a JS error (never trap the wasm module). Resolves to what was seen, by error name.
const HUGE = "x".repeat(5_000_000);

function values(rtcweb) {
  const closedDb = new rtcweb.Database("http://127.0.0.1:9");
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const throwing = { get auth() { throw new Error("getter"); }, get peerId() { throw new Error("getter"); } };
  const cyclic = {};
  cyclic.self = cyclic;
  return [
    undefined, null, 0, -1, NaN, Infinity, 2 ** 53, 1n, true, "", "a/b", "\u0000", ".", "$x", "[", HUGE,
    Symbol("s"), {}, [], [1, [2]], { peerId: 5 }, { channels: "nope" }, { channels: [{}] },
    { configuration: { iceServers: [{ urls: "http://x" }] } }, { configuration: { iceServers: "x" } },
    { reconnect: { delaysMs: [-1] } }, { media: "camera" }, { media: {} }, { heartbeatMs: 1e12 },
    throwing, cyclic, revoked.proxy, () => {}, new ArrayBuffer(8), new Uint8Array(3),
    new DataView(new ArrayBuffer(4)), closedDb, Object.create(null), new Date(), /re/,
  ];
}

const settled = (promises) =>
  Promise.race([Promise.all(promises), new Promise((resolve) => setTimeout(resolve, 3000))]);

const pick = (list) => list[Math.floor(Math.random() * list.length)];

/** Runs `rounds` random hostile calls; resolves to `{ calls, names }` (error names counted). */
export async function hostile(rtcweb, rounds) {
  const pool = values(rtcweb);
  const args = () => Array.from({ length: Math.floor(Math.random() * 4) }, () => pick(pool));
  const db = new rtcweb.Database("http://127.0.0.1:9");
  const room = db.room("hostile");
  const pc = new rtcweb.PeerConnection();
  const channel = pc.createDataChannel("hostile");
  // A live call in a room of its own, on the page's server, then one that has hung up.
  const live = new rtcweb.Database(location.origin);
  const call = await rtcweb.Call.join(live, `hostile-${Math.random().toString(36).slice(2)}`);
  const ended = await rtcweb.Call.join(live, `hostile-${Math.random().toString(36).slice(2)}`);
  await ended.hangUp();
  const targets = [
    () => rtcweb.version(...args()),
    () => rtcweb.implementation(...args()),
    () => new rtcweb.Database(...args()),
    () => db.get(...args()), () => db.set(...args()), () => db.update(...args()),
    () => db.push(...args()), () => db.remove(...args()), () => db.room(...args()),
    () => room.send(...args()), () => room.peers(...args()),
    () => rtcweb.Call.join(pick([db, ...pool]), ...args()),
    () => rtcweb.getUserMedia(...args()).then((stream) => stream.getTracks().forEach((t) => t.stop())),
    () => rtcweb.enumerateDevices(...args()),
    // Closed at once: browsers slow down (Firefox) or refuse (Chromium) past hundreds of open
    // connections.
    () => new rtcweb.PeerConnection(...args()).close(), () => pc.createDataChannel(...args()),
    () => pc.createOffer(...args()), () => pc.setRemoteDescription(...args()),
    () => pc.addIceCandidate(...args()), () => pc.addTrack(...args()), () => pc.on(...args()),
    () => pc.off(...args()), () => channel.send(...args()), () => channel.trySend(...args()),
    () => channel.on(...args()),
    ...[call, ended].flatMap((c) => [
      () => c.send(...args()), () => c.broadcast(...args()), () => c.addTrack(...args()),
      () => c.peerConnection(...args()), () => c.on(...args()), () => c.off(...args()),
    ]),
  ];
  const names = {};
  const count = (name) => { names[name] = (names[name] ?? 0) + 1; };
  let calls = 0;
  const pending = [];
  for (let i = 0; i < rounds; i++) {
    calls++;
    try {
      const result = pick(targets)();
      if (result instanceof Promise) {
        // Rejections are counted, but not waited for one by one; some promises rightly stay
        // pending (a send on a channel that never opens waits for it), so a batch waits 3 s
        // at most.
        pending.push(result.then(() => count("resolved"), (err) => count(err?.name ?? typeof err)));
      } else {
        count("returned");
      }
    } catch (err) {
      if (err instanceof WebAssembly.RuntimeError) throw err;
      count(err?.name ?? typeof err);
    }
    if (pending.length > 200) await settled(pending.splice(0));
  }
  await settled(pending);
  await call.hangUp();
  pc.close();
  return { calls, names };
}
