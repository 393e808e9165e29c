// The browser's own API, as a JS app would write it: two connections in this page, trickled
// candidates, and a sender that pauses on `bufferedamountlow` when the buffer is above `high`.
// Every other contestant is compared with this one at its own thresholds.
export const now = () => performance.now();

/**
 * `exchange`'s result, or an error after a minute: a run that hangs (one of raw JS's small-
 * message runs in Firefox did, once) costs a minute, not the driver's five.
 */
export function bounded(exchange) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error("no result within 60 s")), 60000);
  });
  return Promise.race([exchange, limit]).finally(() => clearTimeout(timer));
}

/** How long `connect()` takes to give two open channels (the setup exchange), closing them. */
export async function timedSetup(connect) {
  const start = now();
  const { close } = await connect();
  const ms = now() - start;
  close();
  return ms;
}

async function connect() {
  const a = new RTCPeerConnection(), b = new RTCPeerConnection();
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  const tx = a.createDataChannel("bench");
  const remote = new Promise((resolve) => (b.ondatachannel = (e) => resolve(e.channel)));
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription);
  const rx = await remote;
  tx.binaryType = rx.binaryType = "arraybuffer";
  await Promise.all([tx, rx].map((c) => c.readyState === "open" || new Promise((r) => (c.onopen = r))));
  return { tx, rx, close: () => { a.close(); b.close(); } };
}

export const raw = {
  async transfer({ count, size, high, low }) {
    const { tx, rx, close } = await connect();
    tx.bufferedAmountLowThreshold = low;
    // Each message's data is read, as every app (and every other contestant) does: browsers
    // make the ArrayBuffer only when `data` is read.
    let received = 0, bytes = 0;
    const done = new Promise((resolve) => (rx.onmessage = (e) => {
      bytes += e.data.byteLength;
      if (++received === count) resolve(bytes);
    }));
    const payload = new Uint8Array(size);
    const start = now();
    for (let i = 0; i < count; i++) {
      tx.send(payload);
      if (tx.bufferedAmount > high) await new Promise((r) => (tx.onbufferedamountlow = r));
    }
    await done;
    const ms = now() - start;
    close();
    return ms;
  },

  async pingPong({ count, size }) {
    const { tx, rx, close } = await connect();
    rx.onmessage = (e) => rx.send(e.data);
    const payload = new Uint8Array(size), times = [], begin = now();
    for (let i = 0; i < count; i++) {
      const start = now();
      const reply = new Promise((r) => (tx.onmessage = r));
      tx.send(payload);
      await reply;
      times.push(now() - start);
    }
    const total = now() - begin;
    close();
    return { times, total };
  },

  setup: () => timedSetup(connect),
};
