// The demo page in Chromium: it loads the package, and two people meet through the lobby, chat,
// see each other, mute, share the screen and hang up. With RTCWEB_SCREENSHOT=1 it also writes
// the README's screenshot (docs/demo.png).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import {
  ROOT, startServer, launchChromium, newPage, waitStatus, sendChat, waitChat,
  pageVideosPlay, since,
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

test("the demo page loads the wasm package and waits in its lobby", async () => {
  const cargo = readFileSync(path.join(ROOT, "Cargo.toml"), "utf8");
  const crateVersion = cargo.match(/^version = "([^"]+)"/m)[1];

  const page = await newPage(browser);
  await page.goto(server.url);
  await waitStatus(page, "(ready|failed.*)", 15000);
  assert.equal(await page.getByTestId("status").textContent(), "ready", `page errors: ${page.errors.join("; ")}`);
  // Only the wasm module knows its crate version: seeing it proves the module ran.
  assert.equal(await page.getByTestId("wasm-version").textContent(), crateVersion);
  // A room name is offered, and joining is possible.
  assert.match(await page.getByTestId("room-input").inputValue(), /^[a-z]+-[a-z]+-\d+$/);
  assert.equal(await page.getByTestId("join-button").isEnabled(), true);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("the server answers database requests beside the page", async () => {
  const put = await fetch(`${server.url}e2e/check.json`, { method: "PUT", body: '{"ok":true}' });
  assert.equal(put.status, 200);
  const get = await fetch(`${server.url}e2e.json`);
  assert.deepEqual(await get.json(), { check: { ok: true } });
});

test("two people meet in a room, chat, see each other, mute, share the screen and hang up", async (t) => {
  // This file's server is fresh: the room's name can be the one the screenshot shows.
  const room = "design-review";
  const start = performance.now();
  const ada = await newPage(browser, { permissions: ["clipboard-read", "clipboard-write"] });
  const grace = await newPage(browser);

  // Ada creates the room from the lobby, and copies its link.
  await ada.goto(server.url);
  await waitStatus(ada, "ready");
  await ada.getByTestId("room-input").fill(room);
  await ada.getByTestId("name-input").fill("Ada");
  await ada.getByTestId("join-button").click();
  await waitStatus(ada, "waiting");
  await ada.getByTestId("copy-link").click();
  const link = await ada.evaluate(() => navigator.clipboard.readText());
  assert.equal(link, `${server.url}?room=${room}`);
  assert.equal(new URL(ada.url()).searchParams.get("room"), room);

  // Grace opens the link (her name typed in the lobby first, as a returning user's is stored).
  await grace.goto(server.url);
  await grace.getByTestId("name-input").fill("Grace");
  await grace.evaluate(() => localStorage.setItem("rtcweb-demo-name", "Grace"));
  await grace.goto(link);
  await Promise.all([waitStatus(ada, "connected"), waitStatus(grace, "connected")]);
  t.diagnostic(`connected: ${since(start)}`);
  for (const page of [ada, grace]) {
    assert.equal(await page.getByTestId("peer-state").textContent(), "connected");
  }

  // Chat both ways: each message is one child of the log, holding its text.
  await sendChat(ada, "Hello Grace!");
  await waitChat(grace, "Hello Grace!");
  await sendChat(grace, "Hi Ada, I can see you.");
  await waitChat(ada, "Hi Ada, I can see you.");
  assert.equal(await ada.getByTestId("chat-log").locator(":scope > *").count(), 2);
  assert.equal(await grace.getByTestId("chat-log").locator(":scope > *").count(), 2);
  t.diagnostic(`chat both ways: ${since(start)}`);

  // Each sees the other's fake camera play.
  const [adaSees, graceSees] = await Promise.all([ada.evaluate(pageVideosPlay, {}), grace.evaluate(pageVideosPlay, {})]);
  t.diagnostic(`videos play: ${since(start)} (Ada sees ${adaSees[0].width}x${adaSees[0].height}, Grace ${graceSees[0].width}x${graceSees[0].height})`);
  assert.equal(await ada.getByTestId("remote-video").count(), 1);
  assert.equal(await grace.getByTestId("remote-video").count(), 1);
  // Names arrive with the peer's state message.
  await grace.getByTestId("peer-tile").filter({ hasText: "Ada" }).waitFor({ timeout: 5000 });

  // The live graph: samples of incoming bitrate from getStats, and a round-trip time.
  for (const page of [ada, grace]) {
    await page.waitForFunction(() => {
      const stats = document.querySelector("[data-testid=peer-stats]");
      return Number(stats.dataset.samples) >= 4 && Number(stats.dataset.kbps) > 0 && stats.dataset.rttMs !== "";
    }, null, { timeout: 15000 });
  }
  const stats = await grace.getByTestId("peer-stats").evaluate((el) => ({ ...el.dataset, text: el.textContent }));
  t.diagnostic(`stats: ${since(start)} (${stats.text})`);
  assert.ok(Number(stats.kbps) > 10, `bitrate ${stats.kbps} kb/s`);
  assert.ok(Number(stats.rttMs) >= 0 && Number(stats.rttMs) < 1000, `rtt ${stats.rttMs} ms`);
  // The graph is drawn: the canvas has non-transparent pixels.
  const drawn = await grace.getByTestId("peer-graph").evaluate((canvas) => {
    const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
    return painted;
  });
  assert.ok(drawn > 50, `${drawn} painted pixels`);

  if (process.env.RTCWEB_SCREENSHOT === "1") {
    await ada.setViewportSize({ width: 1200, height: 720 });
    await ada.waitForFunction(() => Number(document.querySelector("[data-testid=peer-stats]").dataset.samples) >= 12
      && document.querySelector("[data-testid=notice]").hidden, null, { timeout: 20000 });
    const file = path.join(ROOT, "docs/demo.png");
    mkdirSync(path.dirname(file), { recursive: true });
    const png = await ada.screenshot();
    writeFileSync(file, png);
    t.diagnostic(`screenshot: ${file} (${Math.round(png.length / 1024)} KB)`);
    assert.ok(png.length < 300 * 1024, `${png.length} bytes`);
  }

  // Mute: the tracks are disabled here, and the other side is told.
  await ada.getByTestId("mute-mic").click();
  await ada.getByTestId("mute-camera").click();
  const enabled = await ada.getByTestId("local-video").evaluate((v) => v.srcObject.getTracks().map((t) => `${t.kind}:${t.enabled}`).sort());
  assert.deepEqual(enabled, ["audio:false", "video:false"]);
  assert.equal(await ada.getByTestId("mute-mic").getAttribute("aria-pressed"), "true");
  await grace.getByTestId("peer-tile").filter({ hasText: "mic off" }).waitFor({ timeout: 5000 });
  await grace.waitForFunction(() => !document.querySelector("[data-testid=peer-tile]").classList.contains("has-video"), null, { timeout: 5000 });
  await ada.getByTestId("mute-mic").click();
  await ada.getByTestId("mute-camera").click();
  assert.deepEqual(await ada.getByTestId("local-video").evaluate((v) => v.srcObject.getTracks().map((t) => t.enabled)), [true, true]);
  t.diagnostic(`mute and unmute: ${since(start)}`);

  // Screen share: the capture replaces the camera on the connection, and the video still plays.
  await ada.getByTestId("share-screen").click();
  await ada.waitForFunction(() => document.querySelector("[data-testid=share-screen]").getAttribute("aria-pressed") === "true", null, { timeout: 10000 });
  const senders = await ada.evaluate(() => window.rtcwebDemo.videoSenderLabels());
  const screenLabel = await ada.getByTestId("local-video").evaluate((v) => v.srcObject.getVideoTracks()[0].label);
  assert.deepEqual(senders, [screenLabel]);
  await grace.getByTestId("peer-tile").filter({ hasText: "sharing screen" }).waitFor({ timeout: 5000 });
  await grace.evaluate(pageVideosPlay, {});
  await ada.getByTestId("share-screen").click();
  const camera = await ada.getByTestId("local-video").evaluate((v) => v.srcObject.getVideoTracks()[0].label);
  assert.notEqual(camera, screenLabel);
  assert.deepEqual(await ada.evaluate(() => window.rtcwebDemo.videoSenderLabels()), [camera]);
  t.diagnostic(`screen share on and off: ${since(start)}`);

  // Ada hangs up: Grace sees it, and Ada is back in the lobby.
  await ada.getByTestId("hangup-button").click();
  await waitStatus(grace, "closed");
  assert.equal(await grace.getByTestId("peer-state").textContent(), "left");
  assert.equal(await grace.getByTestId("remote-video").count(), 0);
  await waitStatus(ada, "closed");
  // The lobby comes back once the hang-up has finished (status reads closed a moment before).
  await ada.getByTestId("join-button").waitFor({ state: "visible", timeout: 5000 });
  t.diagnostic(`hang-up seen: ${since(start)}`);
  assert.deepEqual([...ada.errors, ...grace.errors], []);
  await ada.context().close();
  await grace.context().close();
});
