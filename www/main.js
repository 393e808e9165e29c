// The rtcweb demo: a video call with chat between the pages of a room, on the npm package
// exactly as a user imports it (scripts/build.sh builds it and copies it into www/pkg).
//
// Query parameters: `room` (join it at load), `db` (the database URL: this page's origin by
// default; any server of the Firebase Realtime Database REST protocol works), `media=0`
// (chat only, no camera or microphone).
import { StatsGraph, readStats, kbpsBetween, formatKbps, formatRtt } from "./stats.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const dbUrl = params.get("db") || location.origin;
const ROOM_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const LEFT_TILE_MS = 8000;

const ui = {
  status: $("status"),
  notice: $("notice"),
  noticeText: $("notice-text"),
  lobby: $("lobby"),
  lobbyHint: $("lobby-hint"),
  joinForm: $("join-form"),
  roomInput: $("room-input"),
  nameInput: $("name-input"),
  mediaCheck: $("media-check"),
  joinButton: $("join-button"),
  callView: $("call"),
  stage: $("stage"),
  waiting: $("waiting"),
  roomInfo: $("room-info"),
  roomName: $("room-name"),
  localTile: $("local-tile"),
  localVideo: $("local-video"),
  localName: $("local-name"),
  localAvatar: $("local-avatar"),
  localBadges: $("local-badges"),
  chatLog: $("chat-log"),
  chatForm: $("chat-form"),
  chatInput: $("chat-input"),
  micButton: $("mute-mic"),
  cameraButton: $("mute-camera"),
  screenButton: $("share-screen"),
  hangupButton: $("hangup-button"),
  peerTemplate: $("peer-template"),
};

let rtc = null; // the package, once loaded
let call = null; // the Call while in a room
let room = null;
let localStream = null;
let screenStream = null;
let screenAdded = false; // screen sent with addTrack (no camera to replace)
let statsTimer = null;
let seenPeer = false;
/** Remote peers by id: { id, name, tile, video, stream, state, graph, last, cam, mic, removeTimer }. */
const peers = new Map();

// ---------------------------------------------------------------- status and notices

function setStatus(state, text = state) {
  ui.status.dataset.state = state;
  ui.status.textContent = text;
}

/** The page's status from the peers: `connected` once one is, `closed` once all have left. */
function updateStatus() {
  if (!call) return;
  const present = [...peers.values()].filter((p) => p.state !== "left");
  if (present.some((p) => p.state === "connected")) setStatus("connected");
  else if (present.some((p) => p.state === "reconnecting")) setStatus("reconnecting");
  else if (present.length > 0) setStatus("connecting");
  else if (seenPeer) setStatus("closed");
  else setStatus("waiting");
}

let noticeTimer = null;
/** Shows `text` above the page; info notices go away by themselves. */
function notify(text, kind = "warn") {
  ui.notice.dataset.kind = kind;
  ui.noticeText.textContent = text;
  ui.notice.hidden = false;
  clearTimeout(noticeTimer);
  if (kind === "info") noticeTimer = setTimeout(clearNotice, 5000);
}
function clearNotice() {
  ui.notice.hidden = true;
}
$("notice-close").onclick = clearNotice;

// ---------------------------------------------------------------- names

function initials(name) {
  return name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0].toUpperCase()).join("") || "?";
}
function myName() {
  return ui.nameInput.value.trim() || `Guest ${call?.id.slice(-4) ?? ""}`.trim();
}
function peerName(peer) {
  return peers.get(peer)?.name || `Guest ${peer.slice(-4)}`;
}

// ---------------------------------------------------------------- local media

async function getMedia() {
  if (!navigator.mediaDevices?.getUserMedia) {
    notify("This browser gives this page no camera or microphone (it needs https or localhost): you are in the call with chat only.");
    return null;
  }
  const gum = (constraints) => navigator.mediaDevices.getUserMedia(constraints);
  try {
    return await gum({ video: { width: { ideal: 1280 }, height: { ideal: 720 } }, audio: true });
  } catch (err) {
    if (err.name === "NotAllowedError" || err.name === "SecurityError") {
      notify("Camera and microphone access was denied: you are in the call with chat only. Allow them in the browser's site settings, then hang up and join again to be seen and heard.");
      return null;
    }
    if (err.name === "NotFoundError" || err.name === "OverconstrainedError" || err.name === "NotReadableError") {
      try {
        const audio = await gum({ audio: true });
        notify(err.name === "NotReadableError"
          ? "The camera is in use by another application: you are in the call with your microphone only."
          : "No camera found: you are in the call with your microphone only.");
        return audio;
      } catch {
        notify("No camera or microphone found: you are in the call with chat only.");
        return null;
      }
    }
    notify(`The camera could not start (${err.name}: ${err.message}): you are in the call with chat only.`);
    return null;
  }
}

const cameraTrack = () => localStream?.getVideoTracks()[0] ?? null;
const micTrack = () => localStream?.getAudioTracks()[0] ?? null;

function showLocalVideo() {
  const shown = screenStream ?? localStream;
  const video = shown?.getVideoTracks()[0];
  const visible = Boolean(video && video.readyState === "live" && (screenStream || video.enabled));
  ui.localVideo.srcObject = shown ?? null;
  ui.localVideo.classList.toggle("mirror", !screenStream);
  ui.localTile.classList.toggle("has-video", visible);
  if (shown) ui.localVideo.play().catch(() => {});
  const badges = [];
  if (micTrack() && !micTrack().enabled) badges.push("mic off");
  if (screenStream) badges.push("sharing screen");
  ui.localBadges.textContent = badges.join(" · ");
}

function updateControls() {
  const mic = micTrack();
  const cam = cameraTrack();
  ui.micButton.disabled = !mic;
  ui.cameraButton.disabled = !cam;
  ui.micButton.setAttribute("aria-pressed", String(Boolean(mic && !mic.enabled)));
  ui.cameraButton.setAttribute("aria-pressed", String(Boolean(cam && !cam.enabled)));
  ui.micButton.querySelector(".label").textContent = mic && !mic.enabled ? "Unmute" : "Mic";
  ui.cameraButton.querySelector(".label").textContent = cam && !cam.enabled ? "Start video" : "Camera";
  ui.screenButton.disabled = !navigator.mediaDevices?.getDisplayMedia;
  ui.screenButton.setAttribute("aria-pressed", String(Boolean(screenStream)));
  ui.screenButton.querySelector(".label").textContent = screenStream ? "Stop share" : "Share";
}

function myMediaState() {
  return {
    t: "state",
    name: myName(),
    cam: Boolean((cameraTrack()?.enabled) || screenStream),
    mic: Boolean(micTrack()?.enabled),
    screen: Boolean(screenStream),
  };
}
function announce(peer) {
  if (!call) return;
  const data = JSON.stringify(myMediaState());
  (peer ? call.send(peer, data) : call.broadcast(data)).catch(() => {});
}

ui.micButton.onclick = () => {
  const mic = micTrack();
  if (!mic) return;
  mic.enabled = !mic.enabled;
  updateControls();
  showLocalVideo();
  announce();
};
ui.cameraButton.onclick = () => {
  const cam = cameraTrack();
  if (!cam) return;
  cam.enabled = !cam.enabled;
  updateControls();
  showLocalVideo();
  announce();
};

// ---------------------------------------------------------------- screen sharing

/** Puts `track` on the video sender to `peer` (the camera's, or the screen's added one). */
async function replaceVideo(peer, track) {
  const pc = call?.peerConnection(peer);
  const sender = pc?.getSenders().find((s) => s.track?.kind === "video");
  if (sender && sender.track !== track) await sender.replaceTrack(track);
}

async function startScreen() {
  let stream;
  try {
    stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
  } catch (err) {
    notify(err.name === "NotAllowedError" ? "Screen sharing was cancelled or is not allowed." : `Screen sharing failed (${err.name}: ${err.message}).`);
    return;
  }
  if (!call) {
    stream.getTracks().forEach((t) => t.stop());
    return;
  }
  const track = stream.getVideoTracks()[0];
  screenStream = stream;
  track.addEventListener("ended", stopScreen);
  if (cameraTrack()) {
    await Promise.all([...peers.keys()].map((peer) => replaceVideo(peer, track).catch(() => {})));
  } else if (!screenAdded) {
    // No camera sender to replace: add the screen (the call renegotiates, and sends it to
    // peers who join later too).
    try {
      call.addTrack(track, stream);
    } catch (err) {
      stream.getTracks().forEach((t) => t.stop());
      screenStream = null;
      notify(`The screen could not be shared (${err.name}: ${err.message}).`);
      return;
    }
    screenAdded = true;
  } else {
    await Promise.all([...peers.keys()].map((peer) => replaceVideo(peer, track).catch(() => {})));
  }
  updateControls();
  showLocalVideo();
  announce();
}

async function stopScreen() {
  if (!screenStream) return;
  const stream = screenStream;
  screenStream = null;
  stream.getTracks().forEach((t) => t.stop());
  const cam = cameraTrack();
  if (cam && call) await Promise.all([...peers.keys()].map((peer) => replaceVideo(peer, cam).catch(() => {})));
  updateControls();
  showLocalVideo();
  announce();
}
ui.screenButton.onclick = () => (screenStream ? stopScreen() : startScreen());

// ---------------------------------------------------------------- remote peers

function layout() {
  const tiles = ui.stage.querySelectorAll(".tile.remote").length;
  ui.stage.dataset.layout = tiles === 0 ? "solo" : tiles === 1 ? "pair" : "grid";
  ui.stage.style.setProperty("--cols", String(Math.ceil(Math.sqrt(tiles + 1))));
  ui.waiting.hidden = tiles > 0;
}

function ensurePeer(id) {
  let peer = peers.get(id);
  if (peer) return peer;
  seenPeer = true;
  const tile = ui.peerTemplate.content.firstElementChild.cloneNode(true);
  tile.dataset.peer = id;
  const video = document.createElement("video");
  video.dataset.testid = "remote-video";
  video.autoplay = true;
  video.playsInline = true;
  tile.prepend(video);
  peer = {
    id, tile, video, name: "", state: "connecting", stream: new MediaStream(),
    graph: new StatsGraph(tile.querySelector(".graph")), last: null, cam: true, mic: true, removeTimer: null,
  };
  peers.set(id, peer);
  const unmute = tile.querySelector(".unmute");
  unmute.onclick = () => {
    video.muted = false;
    video.play().catch(() => {});
    unmute.hidden = true;
  };
  for (const event of ["loadeddata", "resize", "playing"]) video.addEventListener(event, () => refreshTile(peer));
  ui.stage.insertBefore(tile, ui.waiting);
  refreshTile(peer);
  layout();
  return peer;
}

function refreshTile(peer) {
  const { tile } = peer;
  const name = peerName(peer.id);
  tile.querySelector("figcaption .name").textContent = name;
  tile.querySelector(".avatar").textContent = initials(name);
  const stateEl = tile.querySelector(".peer-state");
  stateEl.dataset.state = peer.state;
  stateEl.textContent = peer.state;
  tile.classList.toggle("left", peer.state === "left");
  const liveVideo = peer.stream.getVideoTracks().some((t) => t.readyState === "live" && !t.muted);
  tile.classList.toggle("has-video", peer.state !== "left" && liveVideo && peer.cam && peer.video.videoWidth > 0);
  const badges = [];
  if (!peer.mic) badges.push("mic off");
  if (peer.sharing) badges.push("sharing screen");
  tile.querySelector(".badges").textContent = badges.join(" · ");
}

function playRemote(peer) {
  const { video } = peer;
  video.play().catch((err) => {
    if (err.name !== "NotAllowedError") return;
    // Autoplay with sound was blocked: play muted, and offer to unmute.
    video.muted = true;
    video.play().catch(() => {});
    peer.tile.querySelector(".unmute").hidden = false;
  });
}

function onTrack(peerId, track) {
  const peer = ensurePeer(peerId);
  if (peer.state === "left") return;
  // A new stream each time, so that the element takes the new set of tracks.
  peer.stream = new MediaStream([...peer.stream.getTracks().filter((t) => t.kind !== track.kind || t.readyState === "live"), track]);
  peer.video.srcObject = peer.stream;
  for (const event of ["mute", "unmute", "ended"]) track.addEventListener(event, () => refreshTile(peer));
  playRemote(peer);
  refreshTile(peer);
}

/** Forgets a peer that left (its tile goes now). */
function dropPeer(peerId) {
  const peer = peers.get(peerId);
  if (!peer) return;
  clearTimeout(peer.removeTimer);
  peer.tile.remove();
  peers.delete(peerId);
  layout();
}

function setPeerState(peerId, state, detail) {
  // A peer id seen again after it left (a peer that rejoins with a fixed id): a new tile.
  if (peers.get(peerId)?.state === "left" && state !== "left") dropPeer(peerId);
  const peer = ensurePeer(peerId);
  if (peer.state === "left") return;
  peer.state = state;
  const stateEl = peer.tile.querySelector(".peer-state");
  if (state === "connected") {
    announce(peerId);
    if (screenStream) replaceVideo(peerId, screenStream.getVideoTracks()[0]).catch(() => {});
  }
  if (state === "left") {
    // The tile stays a moment, greyed, saying so; its video goes now.
    peer.video.srcObject = null;
    peer.video.remove();
    peer.removeTimer = setTimeout(() => {
      dropPeer(peerId);
      updateStatus();
    }, LEFT_TILE_MS);
  }
  refreshTile(peer);
  stateEl.title = state === "reconnecting" ? `ICE restart, attempt ${detail.attempt}` : state === "left" ? `left: ${detail.reason}` : "";
  updateStatus();
}

// ---------------------------------------------------------------- chat

function addChat(author, text, mine = false) {
  const item = document.createElement("li");
  // The author is shown by CSS from the attribute: the element holds only the message's text.
  item.dataset.author = author;
  item.textContent = text;
  if (mine) item.classList.add("mine");
  ui.chatLog.append(item);
  item.scrollIntoView({ block: "end", behavior: "smooth" });
}

function onMessage(peerId, data) {
  const peer = ensurePeer(peerId);
  if (typeof data !== "string") {
    addChat(peerName(peerId), `(${data.byteLength} bytes)`);
    return;
  }
  let message = null;
  if (data.startsWith("{")) {
    try {
      message = JSON.parse(data);
    } catch {
      message = null;
    }
  }
  if (message?.t === "chat" && typeof message.text === "string") {
    if (typeof message.name === "string") peer.name = message.name.slice(0, 32);
    addChat(peerName(peerId), message.text);
  } else if (message?.t === "state") {
    if (typeof message.name === "string") peer.name = message.name.slice(0, 32);
    peer.cam = message.cam !== false;
    peer.mic = message.mic !== false;
    peer.sharing = message.screen === true;
    refreshTile(peer);
  } else {
    // Plain text, as other rtcweb apps send it.
    addChat(peerName(peerId), data);
  }
}

ui.chatForm.onsubmit = async (event) => {
  event.preventDefault();
  const text = ui.chatInput.value.trim();
  if (!text || !call) return;
  ui.chatInput.value = "";
  addChat(myName(), text, true);
  const missed = await call.broadcast(JSON.stringify({ t: "chat", name: myName(), text })).catch(() => null);
  const connected = [...peers.values()].filter((p) => p.state === "connected").length;
  if (connected === 0) notify("No one else is connected yet: your message was not delivered.", "info");
  else if (missed && missed.length > 0) notify(`The message did not reach ${missed.map(peerName).join(", ")}.`);
};

// ---------------------------------------------------------------- stats

async function sampleStats() {
  if (!call) return;
  await Promise.all([...peers.values()].filter((p) => p.state !== "left").map(async (peer) => {
    const pc = call?.peerConnection(peer.id);
    if (!pc) return;
    let sample;
    try {
      sample = await readStats(pc);
    } catch {
      return;
    }
    const kbps = kbpsBetween(peer.last, sample);
    peer.last = sample;
    peer.graph.push(kbps, sample.rttMs);
    const text = peer.tile.querySelector(".stats-text");
    // Coloured as the graph's lines: the legend.
    const [rate, rtt] = text.children.length ? text.children : [document.createElement("span"), document.createElement("span")];
    rate.className = "kbps";
    rate.textContent = formatKbps(kbps);
    rtt.className = "rtt";
    rtt.textContent = formatRtt(sample.rttMs);
    if (!text.children.length) text.replaceChildren(rate, " · ", rtt);
    text.dataset.kbps = kbps.toFixed(1);
    text.dataset.samples = String(peer.graph.kbps.length);
    text.dataset.rttMs = sample.rttMs == null ? "" : sample.rttMs.toFixed(2);
  }));
}

// ---------------------------------------------------------------- joining and leaving

function describeJoinError(err) {
  if (err?.name === "SignalingError") {
    switch (err.reason) {
      case "unreachable":
        return `Cannot reach the signaling server at ${dbUrl}: is it running? Check the address and try again.`;
      case "permission-denied":
        return `The signaling server at ${dbUrl} refused to let this page into the room (its security rules deny it).`;
      case "http":
        return `The signaling server at ${dbUrl} answered with an error (HTTP ${err.status}). Try again in a moment.`;
      default:
        return `Signaling with ${dbUrl} failed (${err.reason}): ${err.message}`;
    }
  }
  if (err?.name === "TypeError" || err?.name === "RangeError" || err?.name === "SyntaxError") {
    return `Cannot join with these settings: ${err.message}`;
  }
  return `Could not join the room: ${err?.message ?? err}`;
}

function roomLink(name) {
  const link = new URL(location.pathname, location.origin);
  link.searchParams.set("room", name);
  if (params.get("db")) link.searchParams.set("db", params.get("db"));
  return link.href;
}

async function copyLink() {
  const link = roomLink(room ?? ui.roomInput.value);
  try {
    await navigator.clipboard.writeText(link);
    notify(`Link copied: ${link}`, "info");
  } catch {
    notify(`Copy this link to invite someone: ${link}`, "info");
  }
}
$("copy-link").onclick = copyLink;
$("copy-link-2").onclick = copyLink;

async function join(name) {
  if (!ROOM_NAME.test(name)) {
    notify("A room name is 1 to 64 letters, digits, - or _.", "error");
    return;
  }
  clearNotice();
  ui.joinButton.disabled = true;
  setStatus("joining");
  localStorage.setItem("rtcweb-demo-name", ui.nameInput.value.trim());
  const media = ui.mediaCheck.checked ? await getMedia() : null;
  let joined;
  try {
    joined = await rtc.Call.join(new rtc.Database(dbUrl), name, media ? { media } : {});
  } catch (err) {
    media?.getTracks().forEach((t) => t.stop());
    notify(describeJoinError(err), "error");
    setStatus("error", "not connected");
    ui.joinButton.disabled = false;
    return;
  }
  call = joined;
  room = name;
  localStream = media;
  seenPeer = false;
  screenAdded = false;
  ui.chatLog.replaceChildren();
  const url = new URL(location.href);
  url.searchParams.set("room", name);
  history.replaceState(null, "", url);
  document.title = `${name} · rtcweb`;
  ui.roomName.textContent = name;
  ui.roomInfo.hidden = false;
  ui.localName.textContent = `${myName()} (you)`;
  ui.localAvatar.textContent = initials(myName());
  ui.lobby.hidden = true;
  ui.callView.hidden = false;
  ui.joinButton.disabled = false;
  showLocalVideo();
  updateControls();
  layout();
  updateStatus();
  call.on("*", (event) => {
    if (call !== joined) return;
    switch (event.type) {
      case "peerjoined":
        if (peers.get(event.peer)?.state === "left") dropPeer(event.peer);
        ensurePeer(event.peer);
        updateStatus();
        break;
      case "peerstate":
        setPeerState(event.peer, event.state, event);
        break;
      case "message":
        onMessage(event.peer, event.data);
        break;
      case "track":
        onTrack(event.peer, event.track);
        break;
      case "error":
        console.warn(`rtcweb: from ${event.peer}:`, event.error);
        break;
    }
  });
  statsTimer = setInterval(sampleStats, 1000);
}

async function hangUp() {
  if (!call) return;
  const ending = call;
  call = null;
  clearInterval(statsTimer);
  if (screenStream) {
    screenStream.getTracks().forEach((t) => t.stop());
    screenStream = null;
  }
  setStatus("closed");
  try {
    await ending.hangUp();
    notify("You left the call. Join again whenever you like.", "info");
  } catch (err) {
    notify(`You left the call, but the room could not be cleaned up (${err.message}); it will be swept later.`);
  }
  localStream?.getTracks().forEach((t) => t.stop());
  localStream = null;
  for (const peer of peers.values()) {
    clearTimeout(peer.removeTimer);
    peer.tile.remove();
  }
  peers.clear();
  ui.localVideo.srcObject = null;
  ui.callView.hidden = true;
  ui.roomInfo.hidden = true;
  ui.lobby.hidden = false;
  ui.roomInput.value = room;
  ui.lobbyHint.textContent = `You left room ${room}.`;
  ui.joinButton.textContent = "Join again";
}
ui.hangupButton.onclick = hangUp;

ui.joinForm.onsubmit = (event) => {
  event.preventDefault();
  if (!call) join(ui.roomInput.value.trim());
};

// ---------------------------------------------------------------- start

// For the console (and the end-to-end tests): the call, and what each connection sends.
window.rtcwebDemo = {
  get call() {
    return call;
  },
  /** The labels of the video tracks sent, over every connection (deduplicated). */
  videoSenderLabels() {
    const labels = new Set();
    for (const id of peers.keys()) {
      for (const sender of call?.peerConnection(id)?.getSenders() ?? []) {
        if (sender.track?.kind === "video") labels.add(sender.track.label);
      }
    }
    return [...labels];
  },
};

function randomRoom() {
  const words = ["amber", "brisk", "cedar", "delta", "ember", "fjord", "gale", "harbor", "iris", "juniper", "kestrel", "lumen", "maple", "nova", "orbit", "pixel"];
  const pick = () => words[Math.floor(Math.random() * words.length)];
  return `${pick()}-${pick()}-${Math.floor(100 + Math.random() * 900)}`;
}

ui.nameInput.value = localStorage.getItem("rtcweb-demo-name") ?? "";
ui.mediaCheck.checked = params.get("media") !== "0";
ui.roomInput.value = params.get("room") ?? randomRoom();
ui.callView.hidden = true;
setStatus("loading", "loading…");
try {
  rtc = await import("./pkg/index.js");
  $("version").textContent = rtc.version();
} catch (err) {
  setStatus("error", "failed to load");
  notify(`The rtcweb package could not load (${err.message}). Build it with scripts/build.sh.`, "error");
  throw err;
}
ui.joinButton.disabled = false;
setStatus("ready");
if (params.get("room")) join(params.get("room"));
