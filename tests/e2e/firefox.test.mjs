// One call between Chromium (playwright-core) and Debian's Firefox (WebDriver through
// geckodriver: Playwright cannot drive it): chat and video both ways.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchFirefox } from "../support/webdriver.mjs";
import {
  startServer, launchChromium, newPage, openCall, roomName, waitStatus, sendChat, waitChat,
  pageWaitStatus, pageSendChat, pageWaitChat, pageVideosPlay, since,
} from "./harness.mjs";

let server;
let browser;
let firefox;
before(async () => {
  server = await startServer();
  [browser, firefox] = await Promise.all([launchChromium(), launchFirefox()]);
});
after(async () => {
  await firefox?.close();
  await browser?.close();
  await server?.stop();
});

test("a call between Chromium and Firefox: chat and video both ways", async (t) => {
  const start = performance.now();
  const room = roomName("firefox");
  const chromium = await newPage(browser);
  await openCall(chromium, server.url, { room });
  await firefox.goto(`${server.url}?room=${room}`);
  await Promise.all([
    waitStatus(chromium, "connected", 30000),
    firefox.evaluate(String(pageWaitStatus), { text: "connected", timeout: 30000 }),
  ]);
  t.diagnostic(`connected: ${since(start)}`);

  await sendChat(chromium, "hello Firefox, from Chromium");
  await firefox.evaluate(String(pageWaitChat), { text: "hello Firefox, from Chromium" });
  await firefox.evaluate(String(pageSendChat), { text: "hello Chromium, from Firefox" });
  await waitChat(chromium, "hello Chromium, from Firefox");
  t.diagnostic(`chat both ways: ${since(start)}`);

  const [inChromium, inFirefox] = await Promise.all([
    chromium.evaluate(pageVideosPlay, {}),
    firefox.evaluate(String(pageVideosPlay), {}),
  ]);
  t.diagnostic(`video both ways: ${since(start)} (Chromium sees ${inChromium[0].width}x${inChromium[0].height}, Firefox ${inFirefox[0].width}x${inFirefox[0].height})`);
  assert.equal(inChromium.length, 1);
  assert.equal(inFirefox.length, 1);

  // Firefox hangs up; Chromium sees it.
  await firefox.evaluate(String(async () => {
    document.querySelector("[data-testid=hangup-button]").click();
    return true;
  }));
  await waitStatus(chromium, "closed");
  assert.equal(await chromium.getByTestId("peer-state").textContent(), "left");
  t.diagnostic(`hang-up seen: ${since(start)}`);
  assert.deepEqual(chromium.errors, []);
  await chromium.context().close();
});
