// The call's lifecycle as the demo page shows it, in Chromium: a tab closed without hanging up,
// a reload that rejoins, and rtcweb-signal restarting under an established call.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  WWW, startServer, freePort, dataFile, launchChromium, newPage, openCall, roomName, waitStatus,
  sendChat, waitChat, pageVideosPlay, since,
} from "./harness.mjs";

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** The ids of the remote peers a page shows in `state`. */
const peersIn = (page, state) => page.evaluate((s) => [...document.querySelectorAll("[data-testid=peer-tile]")]
  .filter((tile) => tile.querySelector("[data-testid=peer-state]").textContent === s)
  .map((tile) => tile.dataset.peer), state);

/** Two pages in one new room of `url`, connected. */
async function pair(url, query = {}) {
  const room = roomName("pair");
  const a = await newPage(browser);
  const b = await newPage(browser);
  await openCall(a, url, { room, ...query });
  await openCall(b, url, { room, ...query });
  await Promise.all([waitStatus(a, "connected"), waitStatus(b, "connected")]);
  return { room, a, b };
}

test("a tab closed without hanging up is seen by the other side", async (t) => {
  const server = await startServer();
  try {
    const start = performance.now();
    const { a, b } = await pair(server.url, { media: "0" });
    const [bId] = await peersIn(a, "connected");
    assert.ok(bId);
    t.diagnostic(`connected: ${since(start)}`);
    const closed = performance.now();
    await b.close();
    await waitStatus(a, "closed", 30000);
    t.diagnostic(`closed tab seen after ${since(closed)}`);
    assert.deepEqual(await peersIn(a, "left"), [bId]);
    assert.equal(await a.getByTestId("remote-video").count(), 0);
    assert.deepEqual(a.errors, []);
    await a.context().close();
    await b.context().close();
  } finally {
    await server.stop();
  }
});

test("a reloaded page rejoins the call", async (t) => {
  const server = await startServer();
  try {
    const start = performance.now();
    const { a, b } = await pair(server.url);
    const [oldB] = await peersIn(a, "connected");
    t.diagnostic(`connected: ${since(start)}`);
    const reload = performance.now();
    await b.reload();
    // The old B leaves, a new B (a new peer id) connects, on both sides.
    await waitStatus(b, "connected");
    await a.waitForFunction((old) => {
      const tiles = [...document.querySelectorAll("[data-testid=peer-tile]")];
      const state = (tile) => tile.querySelector("[data-testid=peer-state]").textContent;
      return tiles.some((tile) => tile.dataset.peer !== old && state(tile) === "connected")
        && tiles.every((tile) => tile.dataset.peer !== old || state(tile) === "left");
    }, oldB, { timeout: 20000 });
    t.diagnostic(`rejoined after ${since(reload)}`);
    await waitStatus(a, "connected");
    await sendChat(b, "back after a reload");
    await waitChat(a, "back after a reload");
    await sendChat(a, "welcome back");
    await waitChat(b, "welcome back");
    await Promise.all([a.evaluate(pageVideosPlay, {}), b.evaluate(pageVideosPlay, {})]);
    assert.equal(await a.getByTestId("remote-video").count(), 1);
    t.diagnostic(`chat and video after the reload: ${since(reload)}`);
    assert.deepEqual([...a.errors, ...b.errors], []);
    await a.context().close();
    await b.context().close();
  } finally {
    await server.stop();
  }
});

test("restarting rtcweb-signal mid-call does not break the call", async (t) => {
  // A fixed port and data file, so that the server comes back where the pages know it.
  const listen = `127.0.0.1:${await freePort()}`;
  const args = ["--emulator", "--www", WWW, "--data", dataFile()];
  let server = await startServer(listen, args);
  try {
    const start = performance.now();
    const { room, a, b } = await pair(server.url, { media: "0" });
    t.diagnostic(`connected: ${since(start)}`);
    const restart = performance.now();
    await server.stop();
    // While the server is down, the call carries on peer to peer.
    await sendChat(a, "the server is down");
    await waitChat(b, "the server is down");
    await sendChat(b, "we do not need it");
    await waitChat(a, "we do not need it");
    server = await startServer(listen, args);
    t.diagnostic(`server down for ${since(restart)}, chat both ways meanwhile`);

    // The established call goes on: chat both ways, still connected on both sides.
    await sendChat(a, "still here after the restart?");
    await waitChat(b, "still here after the restart?");
    await sendChat(b, "yes, still here");
    await waitChat(a, "yes, still here");
    for (const page of [a, b]) {
      assert.equal(await page.getByTestId("status").textContent(), "connected");
      assert.equal((await peersIn(page, "connected")).length, 1);
    }
    t.diagnostic(`chat after the restart: ${since(restart)}`);

    // And the room still works through the restarted server: a third page meets both.
    const c = await newPage(browser);
    await openCall(c, server.url, { room, media: "0" });
    await c.waitForFunction(() => document.querySelectorAll("[data-testid=peer-state]").length === 2
      && [...document.querySelectorAll("[data-testid=peer-state]")].every((s) => s.textContent === "connected"), null, { timeout: 30000 });
    await sendChat(c, "hello from a newcomer");
    await Promise.all([waitChat(a, "hello from a newcomer"), waitChat(b, "hello from a newcomer")]);
    t.diagnostic(`a newcomer joined after the restart: ${since(restart)}`);
    assert.deepEqual([...a.errors, ...b.errors, ...c.errors], []);
    for (const page of [a, b, c]) await page.context().close();
  } finally {
    await server.stop();
  }
});
