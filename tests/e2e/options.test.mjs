// The demo's query parameters and its errors, in Chromium: `media=0`, `db` pointed at another
// server, a camera denied or missing, the signaling server unreachable.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  startServer, freePort, launchChromium, newPage, openCall, roomName, waitStatus, sendChat,
  waitChat, pageVideosPlay, since,
} from "./harness.mjs";

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Makes the page's getUserMedia fail with `name` (as a denied or missing camera does), and count its calls. */
async function failGetUserMedia(page, name) {
  await page.addInitScript((errorName) => {
    window.gumCalls = 0;
    navigator.mediaDevices.getUserMedia = async () => {
      window.gumCalls++;
      throw new DOMException(`getUserMedia failed (${errorName}, from the test)`, errorName);
    };
  }, name);
}
async function countGetUserMedia(page) {
  await page.addInitScript(() => {
    window.gumCalls = 0;
    const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = (c) => {
      window.gumCalls++;
      return real(c);
    };
  });
}
const notice = (page) => page.getByTestId("notice").evaluate((el) => (el.hidden ? "" : el.textContent.trim()));

test("media=0 joins with chat only, receives the other's video, and can add its screen", async (t) => {
  const start = performance.now();
  const room = roomName("data");
  const data = await newPage(browser);
  const video = await newPage(browser);
  await countGetUserMedia(data);
  await openCall(data, server.url, { room, media: "0" });
  await openCall(video, server.url, { room });
  await Promise.all([waitStatus(data, "connected"), waitStatus(video, "connected")]);
  t.diagnostic(`connected: ${since(start)}`);
  assert.equal(await data.evaluate(() => window.gumCalls), 0);
  assert.equal(await data.getByTestId("local-video").evaluate((v) => v.srcObject), null);
  assert.equal(await data.getByTestId("mute-camera").isDisabled(), true);
  await sendChat(data, "chat only here");
  await waitChat(video, "chat only here");
  await sendChat(video, "and video here");
  await waitChat(data, "and video here");
  await data.evaluate(pageVideosPlay, {});
  // The other side gets no video from the data-only page: its tile shows the avatar.
  assert.equal(await video.getByTestId("remote-video").evaluate((v) => v.videoWidth), 0);
  assert.equal(await video.getByTestId("peer-tile").evaluate((tile) => tile.classList.contains("has-video")), false);
  t.diagnostic(`chat and one-way video: ${since(start)}`);
  // With no camera to replace, sharing the screen adds a track (a renegotiation): now the
  // other side sees it.
  await data.getByTestId("share-screen").click();
  await data.waitForFunction(() => document.querySelector("[data-testid=share-screen]").getAttribute("aria-pressed") === "true", null, { timeout: 10000 });
  await video.evaluate(pageVideosPlay, {});
  await video.getByTestId("peer-tile").filter({ hasText: "sharing screen" }).waitFor({ timeout: 5000 });
  t.diagnostic(`screen added and seen: ${since(start)}`);
  assert.deepEqual([...data.errors, ...video.errors], []);
  await data.context().close();
  await video.context().close();
});

test("a denied camera and a missing one: both said in words, and the call goes on with chat", async (t) => {
  const start = performance.now();
  const room = roomName("nocam");
  const denied = await newPage(browser);
  const missing = await newPage(browser);
  await failGetUserMedia(denied, "NotAllowedError");
  await failGetUserMedia(missing, "NotFoundError");
  await openCall(denied, server.url, { room });
  await openCall(missing, server.url, { room });
  await Promise.all([waitStatus(denied, "connected"), waitStatus(missing, "connected")]);
  t.diagnostic(`connected: ${since(start)}`);
  assert.match(await notice(denied), /Camera and microphone access was denied: you are in the call with chat only/);
  // A missing camera: the page tried video and audio, then audio alone.
  assert.match(await notice(missing), /No camera or microphone found: you are in the call with chat only/);
  assert.equal(await missing.evaluate(() => window.gumCalls), 2);
  await sendChat(denied, "no camera allowed here");
  await waitChat(missing, "no camera allowed here");
  await sendChat(missing, "no camera at all here");
  await waitChat(denied, "no camera at all here");
  assert.deepEqual([...denied.errors, ...missing.errors], []);
  await denied.context().close();
  await missing.context().close();
});

test("an unreachable signaling server is said in words, and the page stays usable", async (t) => {
  const dead = `http://127.0.0.1:${await freePort()}`;
  const page = await newPage(browser);
  const start = performance.now();
  await openCall(page, server.url, { room: roomName("dead"), db: dead, media: "0" });
  t.diagnostic(`failed in ${since(start)}`);
  assert.equal(await page.getByTestId("status").textContent(), "not connected");
  assert.match(await notice(page), new RegExp(`Cannot reach the signaling server at ${dead}`));
  // Still usable: the lobby is there, and trying again says the same, not a crash.
  assert.equal(await page.getByTestId("join-button").isEnabled(), true);
  await page.getByTestId("notice").getByRole("button").click();
  await page.getByTestId("join-button").click();
  await page.getByTestId("notice").filter({ hasText: "Cannot reach the signaling server" }).waitFor({ timeout: 20000 });
  assert.equal(await page.getByTestId("join-button").isEnabled(), true);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("db: the page meets through the database it is given, not its own origin", async (t) => {
  const other = await startServer();
  try {
    const start = performance.now();
    const room = roomName("db");
    const a = await newPage(browser);
    const b = await newPage(browser);
    await openCall(a, server.url, { room, db: other.url, media: "0" });
    await openCall(b, server.url, { room, db: other.url, media: "0" });
    await Promise.all([waitStatus(a, "connected"), waitStatus(b, "connected")]);
    t.diagnostic(`connected through ${other.url}: ${since(start)}`);
    const inOther = await (await fetch(`${other.url}rooms/${room}.json`)).json();
    const inOwn = await (await fetch(`${server.url}rooms/${room}.json`)).json();
    assert.equal(Object.keys(inOther.presence ?? {}).length, 2, JSON.stringify(inOther));
    assert.equal(inOwn, null);
    // The room's address, to share, keeps the database.
    assert.equal(new URL(a.url()).searchParams.get("db"), other.url);
    await sendChat(a, "through the other server");
    await waitChat(b, "through the other server");
    assert.deepEqual([...a.errors, ...b.errors], []);
    await a.context().close();
    await b.context().close();
  } finally {
    await other.stop();
  }
});
