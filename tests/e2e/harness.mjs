// Shared by the end-to-end tests: starts rtcweb-signal serving www/, launches the system
// Chromium through playwright-core (which cannot download browsers on our machines), and
// drives the demo page through its data-testid hooks (../shared/DESIGN.md, "The demo page").
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { mkdtempSync } from "node:fs";
import { chromium } from "playwright-core";
import { ROOT, startSignal } from "../support/signal.mjs";

export { ROOT };
export const WWW = path.join(ROOT, "www");

/**
 * Starts the release server on `listen` (a free port by default); resolves to { url, stop }.
 * The URL is made from the address: startSignal's own can be cut short when the server's
 * "listening on" line arrives in two chunks.
 */
export async function startServer(listen, args = ["--emulator", "--www", WWW]) {
  listen ??= `127.0.0.1:${await freePort()}`;
  const server = await startSignal(listen, args);
  return { ...server, url: `http://${listen}/`, stop: () => server.stop() };
}

/** A free TCP port on loopback (for a server that must come back on the same port). */
export async function freePort() {
  const server = net.createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A fresh data file for `--data`. */
export function dataFile() {
  return path.join(mkdtempSync(path.join(os.tmpdir(), "rtcweb-e2e-")), "db.json");
}

/** Launches headless Chromium with fake camera and microphone. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROME || "/usr/bin/chromium",
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
      "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
      "--disable-background-networking", "--disable-component-update", "--no-first-run",
      "--disable-sync", "--disable-quic",
    ],
  });
}

let rooms = 0;
/** A room name of its own for each test. */
export function roomName(label) {
  return `${label}-${process.pid}-${++rooms}-${Math.random().toString(36).slice(2, 6)}`;
}

/** A new page (its own context, so its own storage) that records its errors. */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 760 }, ...options });
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (err) => page.errors.push(err.message));
  return page;
}

/** Opens the demo at `query` and waits until it is in the call (status past `joining`). */
export async function openCall(page, url, query) {
  const response = await page.goto(`${url}?${new URLSearchParams(query)}`);
  if (!response.ok()) throw new Error(`${page.url()}: HTTP ${response.status()}: ${await response.text()}`);
  await page.waitForFunction(() => !["loading", "ready", "joining"].includes(document.querySelector("[data-testid=status]")?.dataset.state), null, { timeout: 20000 });
}

export async function waitStatus(page, text, timeout = 20000) {
  await page.getByTestId("status").filter({ hasText: new RegExp(`^${text}$`) }).waitFor({ timeout });
}

export async function sendChat(page, text) {
  await page.getByTestId("chat-input").fill(text);
  await page.getByTestId("chat-send").click();
}

/** Waits for a chat-log child holding exactly `text`. */
export async function waitChat(page, text, timeout = 10000) {
  await page.getByTestId("chat-log").locator(":scope > *").filter({ hasText: new RegExp(`^${escape(text)}$`) }).waitFor({ timeout });
}
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// In-page functions, self-contained so that they run through Playwright (`page.evaluate(fn,
// arg)`) and through WebDriver (`firefox.evaluate(String(fn), arg)`) alike. Each polls the
// page until its condition holds or its deadline passes, and then throws saying what it saw.

/** Waits until `[data-testid=status]` reads `text`. */
export async function pageWaitStatus({ text, timeout = 20000 }) {
  const end = Date.now() + timeout;
  const read = () => document.querySelector("[data-testid=status]")?.textContent;
  while (read() !== text) {
    if (Date.now() > end) throw new Error(`status is "${read()}", not "${text}"`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/** Types `text` into the chat and sends it with the send button. */
export async function pageSendChat({ text }) {
  const input = document.querySelector("[data-testid=chat-input]");
  input.value = text;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  document.querySelector("[data-testid=chat-send]").click();
  return true;
}

/** Waits until a child of the chat log holds exactly `text`. */
export async function pageWaitChat({ text, timeout = 10000 }) {
  const end = Date.now() + timeout;
  const items = () => [...document.querySelector("[data-testid=chat-log]").children].map((c) => c.textContent);
  while (!items().includes(text)) {
    if (Date.now() > end) throw new Error(`no chat message "${text}" in ${JSON.stringify(items())}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/**
 * Waits until every remote video (at least `count`) has frames (videoWidth > 0) and plays
 * (its currentTime moves by more than `advance` seconds); resolves to their sizes and times.
 */
export async function pageVideosPlay({ count = 1, advance = 0.5, timeout = 20000 }) {
  const end = Date.now() + timeout;
  const tick = () => new Promise((r) => setTimeout(r, 50));
  const videos = () => [...document.querySelectorAll("[data-testid=remote-video]")];
  const describe = () => JSON.stringify(videos().map((v) => ({ w: v.videoWidth, t: v.currentTime, paused: v.paused, ready: v.readyState })));
  while (videos().length < count || videos().some((v) => v.videoWidth === 0)) {
    if (Date.now() > end) throw new Error(`remote videos without frames: ${describe()}`);
    await tick();
  }
  const start = videos().map((v) => v.currentTime);
  while (videos().some((v, i) => !(v.currentTime > start[i] + advance))) {
    if (Date.now() > end) throw new Error(`remote videos not playing: ${describe()} from ${JSON.stringify(start)}`);
    await tick();
  }
  return videos().map((v, i) => ({ width: v.videoWidth, height: v.videoHeight, from: start[i], to: v.currentTime }));
}

/** Milliseconds since `start`, for the printed timings. */
export const since = (start) => `${Math.round(performance.now() - start)} ms`;
