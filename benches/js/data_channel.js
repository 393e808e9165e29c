// The same exchange written directly against the browser API, as a JS app would: two
// connections, trickled candidates, and a sender that pauses on bufferedAmountLowThreshold.
export async function raw_run(count, size) {
  const a = new RTCPeerConnection(), b = new RTCPeerConnection();
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  const channel = a.createDataChannel("bench");
  channel.binaryType = "arraybuffer";
  const remote = new Promise((resolve) => (b.ondatachannel = (e) => resolve(e.channel)));
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription);
  const rx = await remote;
  rx.binaryType = "arraybuffer";
  if (channel.readyState !== "open") await new Promise((r) => (channel.onopen = r));
  channel.bufferedAmountLowThreshold = 256 * 1024;
  let received = 0;
  const done = new Promise((resolve) => {
    rx.onmessage = (e) => { if (++received === count) resolve(); };
  });
  const payload = new Uint8Array(size);
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    if (channel.bufferedAmount + size > 1024 * 1024) {
      await new Promise((r) => (channel.onbufferedamountlow = r));
    }
    payload[0] = i & 255;
    channel.send(payload);
  }
  await done;
  const ms = performance.now() - start;
  a.close(); b.close();
  return ms;
}
export function now() { return performance.now(); }
