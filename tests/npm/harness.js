// Added to the plain page by the package test: the hostile calls and a second call, reached
// by the test as window.harness (scripts run through WebDriver cannot import the package
// themselves: Firefox 153 leaves their dynamic imports pending).
import * as rtcweb from "rtcweb";
import { hostile } from "./hostile.js";

// A call with the fake camera: resolves to the other peer's greeting and the kind of the
// first track it sent.
async function greet(room) {
  const media = await rtcweb.getUserMedia({ video: true, audio: false });
  const call = await rtcweb.Call.join(new rtcweb.Database(location.origin), room, { media });
  const greeting = new Promise((resolve) => {
    call.on("message", ({ peer, data }) => resolve({ peer, data }));
  });
  const track = new Promise((resolve) => {
    call.on("track", ({ peer, track }) => resolve({ peer, kind: track.kind }));
  });
  call.on("peerstate", ({ peer, state }) => {
    if (state === "connected") call.send(peer, `hello from ${call.id}`);
  });
  const result = { me: call.id, ...(await greeting), track: await track };
  // Let the other side's greeting go out before this one hangs up.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await call.hangUp();
  return result;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
// A received message as text, or its bytes in hex.
const show = (data) => typeof data === "string" ? data : Array.from(data, (x) => x.toString(16)).join(" ");

// Two connections in this page: what each way of sending gives the receiver, on a plain
// channel and on a splitting one (`split: true`), as text and hex.
async function channels() {
  const a = new rtcweb.PeerConnection(), b = new rtcweb.PeerConnection();
  a.on("icecandidate", ({ candidate }) => b.addIceCandidate(candidate).catch(() => {}));
  b.on("icecandidate", ({ candidate }) => a.addIceCandidate(candidate).catch(() => {}));
  const remote = [];
  b.on("datachannel", ({ channel }) => remote.push(channel));
  const senders = [a.createDataChannel("plain"), a.createDataChannel("split", { split: true })];
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription();
  await a.setRemoteDescription(b.localDescription);
  await Promise.all(senders.map((channel) => channel.opened()));
  const bytes = new Uint8Array([0, 1, 2, 3, 250, 251, 252, 253]);
  const result = {};
  for (const tx of senders) {
    while (!remote.some((channel) => channel.label === tx.label)) await sleep(10);
    const rx = remote.find((channel) => channel.label === tx.label);
    const received = [];
    const all = new Promise((resolve) => rx.on("message", ({ data }) => received.push(show(data)) === 6 && resolve()));
    await tx.send("text by send");
    await tx.send(bytes);
    await tx.send(new DataView(bytes.buffer, 2, 4));
    tx.trySend("text by trySend");
    tx.trySend(bytes.subarray(4));
    tx.trySend(bytes.buffer.slice(0, 2));
    // A lost message shows as a shorter list, not a test that hangs.
    await Promise.race([all, sleep(10000)]);
    result[tx.label] = received;
  }
  // The report's entries as plain objects, the same ones the browser's own report has.
  const stats = await a.stats(), raw = await a.raw.getStats();
  result.stats = {
    array: Array.isArray(stats) && stats.length > 0,
    entries: stats.every((e) => typeof e.id === "string" && raw.has(e.id) && raw.get(e.id).type === e.type
      && typeof e.timestamp === "number"),
    succeededPair: stats.some((e) => e.type === "candidate-pair" && e.state === "succeeded"),
  };
  a.close();
  b.close();
  return { ...result, ...(await late()) };
}

// A receiving connection with no listener until its channels have had messages: they wait in
// the package for the page, and come before the later ones; on a channel closed meanwhile,
// before its `close` event.
async function late() {
  const a = new rtcweb.PeerConnection(), b = new rtcweb.PeerConnection();
  // Candidates in the descriptions, since nobody listens for them on `b`.
  const gathered = async (pc) => {
    while (pc.iceGatheringState !== "complete") await sleep(10);
    return pc.localDescription;
  };
  // A browser drops what a channel has not delivered when it closes: `gone` closes once `b`
  // has its messages (seen by a listener of the browser's own, which takes nothing away).
  let arrived = 0;
  b.raw.addEventListener("datachannel", ({ channel }) => {
    if (channel.label === "gone") channel.addEventListener("message", () => arrived++);
  });
  const tx = a.createDataChannel("late");
  const gone = a.createDataChannel("gone");
  await a.setLocalDescription();
  await b.setRemoteDescription(await gathered(a));
  await b.setLocalDescription();
  await a.setRemoteDescription(await gathered(b));
  await Promise.all([tx.opened(), gone.opened()]);
  await tx.send("before");
  await tx.send(new Uint8Array([1, 2]));
  await gone.send("last");
  await gone.send("words");
  for (let i = 0; arrived < 2 && i < 500; i++) await sleep(10);
  gone.close();
  await sleep(300);
  const remote = {};
  await new Promise((resolve) => b.on("datachannel", ({ channel }) => {
    remote[channel.label] = channel;
    if (remote.late && remote.gone) resolve();
  }));
  const received = [], ended = [];
  const all = new Promise((resolve) => remote.late.on("message", ({ data }) => received.push(show(data)) === 3 && resolve()));
  const closed = new Promise((resolve) => remote.gone.on("*", (event) => {
    ended.push(event.type === "message" ? show(event.data) : event.type);
    if (event.type === "close") resolve();
  }));
  await tx.send("after");
  await Promise.race([Promise.all([all, closed]), sleep(10000)]);
  a.close();
  b.close();
  return { late: received, gone: ended };
}

window.harness = { hostile: (rounds) => hostile(rtcweb, rounds), greet, channels };
