// Type-checked with `tsc --strict` against the installed package (tests/npm/package.test.mjs):
// every export used as a TypeScript user would, so the package's types stay precise.
import {
  Call, Database, DataChannel, PeerConnection, Room, version, implementation, getUserMedia, enumerateDevices,
  type CallEvent, type CallOptions, type Implementation, type PeerConnectionEvent, type SignalingError,
} from "rtcweb";

export async function lowLevel(): Promise<number> {
  using pc = new PeerConnection({ iceServers: [{ urls: ["stun:stun.example.org"] }] });
  const channel: DataChannel = pc.createDataChannel("chat", { ordered: false, maxRetransmits: 2, split: true });
  pc.on("icecandidate", ({ candidate }) => console.log(candidate.candidate, candidate.sdpMid));
  pc.on("connectionstatechange", ({ state }) => console.log(state === "connected"));
  pc.on("datachannel", ({ channel }) => channel.on("message", ({ data }) => console.log(data)));
  const offer: RTCSessionDescriptionInit = await pc.setLocalDescription();
  await pc.setRemoteDescription({ type: "answer", sdp: offer.sdp ?? "" });
  await pc.addIceCandidate({ candidate: "", sdpMid: "0" });
  const state: RTCPeerConnectionState = pc.connectionState;
  const raw: RTCPeerConnection = pc.raw;
  channel.on("open", () => channel.trySend("now"));
  await channel.opened();
  await channel.send(new Uint8Array([1]));
  const buffered: number = channel.bufferedAmount;
  const ready: RTCDataChannelState = channel.readyState;
  for await (const event of pc.events()) {
    const e: PeerConnectionEvent = event;
    if (e.type === "track") console.log(e.track.kind);
  }
  console.log(state, raw.connectionState, ready, await pc.stats());
  return buffered;
}

export async function typed(): Promise<string> {
  const v: string = version();
  const found: Implementation = implementation();
  const name: string | null = found.peerConnection;

  const db = new Database("http://127.0.0.1:8080", { auth: "token" });
  const url: string = db.url;
  await db.set("notes/1", { text: "hi" });
  const value: unknown = await db.get("notes/1");
  const key: string = await db.push("notes", 1);
  await db.update("notes", { a: 1 });
  await db.remove("notes");
  const room: Room = db.room("abc");
  await room.send("offer", { type: "offer", sdp: "" });
  const peers: string[] = await room.peers();

  const media: MediaStream = await getUserMedia({ video: { width: { ideal: 640 } } });
  const cameras = (await enumerateDevices()).filter((d) => d.kind === "videoinput").map((d) => d.label);
  console.log(cameras.join());
  const options: CallOptions = {
    media,
    channels: ["chat", { label: "state", ordered: false, maxRetransmits: 0 }],
    configuration: { iceServers: [{ urls: "stun:stun.example.org" }], iceTransportPolicy: "all" },
    peerId: "alice",
    reconnect: { delaysMs: [0, 1000], jitterPercent: 10 },
  };
  using call = await Call.join(db, "abc", options);
  const off: () => void = call.on("peerstate", (event) => {
    if (event.state === "reconnecting") {
      const attempt: number = event.attempt;
      console.log(attempt);
    } else if (event.state === "left") {
      const reason: "hungup" | "timedout" | "failed" | "rejoined" = event.reason;
      console.log(reason);
    }
  });
  off();
  call.on("message", ({ peer, channel, data }) => {
    const text: string = typeof data === "string" ? data : new TextDecoder().decode(data);
    console.log(peer, channel, text);
  });
  call.on("track", ({ track, streams }) => console.log(track.kind, streams.length));
  call.on("*", (event: CallEvent) => console.log(event.type, event.peer));
  await call.send("bob", "hello", { channel: "chat" });
  await call.send("bob", new Uint8Array([1, 2, 3]));
  const missed: string[] = await call.broadcast(new ArrayBuffer(4));
  const pc: RTCPeerConnection | undefined = call.peerConnection("bob");
  for (const track of media.getTracks()) call.addTrack(track, media);
  for await (const event of call.events()) {
    if (event.type === "message") break;
  }
  try {
    await call.hangUp();
  } catch (err) {
    if (err instanceof Error && err.name === "SignalingError") {
      const reason: SignalingError["reason"] = (err as SignalingError).reason;
      console.log(reason);
    }
  }
  return `${v} ${name} ${url} ${String(value)} ${key} ${peers.length} ${missed.length} ${pc?.connectionState} ${call.id} ${call.peers.length}`;
}
