// The Yew example (examples/yew-call/, built into target/yew-call/ by its build.sh) in Chromium:
// two pages join one room through its use_call hook, see each other connected, chat both ways,
// a hang-up (which unmounts the hook's component) and a closed page are each seen to leave.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { existsSync } from "node:fs";
import { ROOT, startServer, launchChromium, newPage, roomName, sendChat, waitChat, since } from "./harness.mjs";

const APP = path.join(ROOT, "target/yew-call");

let browser;
before(async () => {
  assert.ok(existsSync(path.join(APP, "index.html")), `no ${APP}/index.html: run examples/yew-call/build.sh`);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** Opens the app in `room` and waits until it has joined; resolves to its own peer id. */
async function join(page, url, room) {
  const response = await page.goto(`${url}?${new URLSearchParams({ room })}`);
  assert.ok(response.ok(), `HTTP ${response.status()}`);
  await page.locator("[data-testid=status][data-state=joined]").waitFor({ timeout: 20000 });
  const status = await page.getByTestId("status").textContent();
  const me = status.match(/^in the room as (\S+)$/)?.[1];
  assert.ok(me, `status: ${status}`);
  return me;
}

/** Waits until `page` lists `peer` in `state`. */
async function waitPeer(page, peer, state, timeout = 20000) {
  await page.locator(`[data-testid=peer][data-peer="${peer}"][data-state="${state}"]`).waitFor({ timeout });
}

test("two Yew pages connect, chat both ways, and a hang-up and a closed page are seen", async (t) => {
  const server = await startServer(undefined, ["--emulator", "--www", APP]);
  try {
    const room = roomName("yew");
    const a = await newPage(browser);
    const b = await newPage(browser);
    const start = performance.now();
    const aId = await join(a, server.url, room);
    const bId = await join(b, server.url, room);
    assert.notEqual(aId, bId);
    assert.equal(await a.getByTestId("room").textContent(), room);

    await Promise.all([waitPeer(a, bId, "connected"), waitPeer(b, aId, "connected")]);
    t.diagnostic(`connected: ${since(start)}`);
    // Each lists exactly the other.
    assert.deepEqual(await a.locator("[data-testid=peer]").evaluateAll((ls) => ls.map((l) => l.dataset.peer)), [bId]);
    assert.deepEqual(await b.locator("[data-testid=peer]").evaluateAll((ls) => ls.map((l) => l.dataset.peer)), [aId]);

    await sendChat(a, "hello from a");
    await waitChat(b, `${aId}: hello from a`);
    await waitChat(a, "me: hello from a");
    await sendChat(b, "hi back from b");
    await waitChat(a, `${bId}: hi back from b`);
    await waitChat(b, "me: hi back from b");
    // Data only by default: no video elements.
    assert.equal(await a.getByTestId("remote-video").count(), 0);

    // Hang up unmounts b's call component: the hook's teardown drops the call, which hangs up.
    const hungUp = performance.now();
    await b.getByTestId("hangup").click();
    await b.locator("[data-testid=status][data-state=left]").waitFor({ timeout: 5000 });
    await waitPeer(a, bId, "left", 30000);
    t.diagnostic(`hang-up (unmount) seen after ${since(hungUp)}`);

    // Joining again mounts a new call (a new peer id); then closing the page is seen.
    await b.getByTestId("rejoin").click();
    await b.locator("[data-testid=status][data-state=joined]").waitFor({ timeout: 20000 });
    const bId2 = (await b.getByTestId("status").textContent()).match(/^in the room as (\S+)$/)?.[1];
    assert.ok(bId2 && bId2 !== bId, `b rejoined as ${bId2}`);
    await Promise.all([waitPeer(a, bId2, "connected"), waitPeer(b, aId, "connected")]);
    const closed = performance.now();
    await b.close();
    await waitPeer(a, bId2, "left", 30000);
    t.diagnostic(`closed page seen after ${since(closed)}`);
    assert.equal(await a.getByTestId("notice").count(), 0, "a notice on page a");
    assert.deepEqual(a.errors, []);
    assert.deepEqual(b.errors, []);
    await a.context().close();
    await b.context().close();
  } finally {
    await server.stop();
  }
});
