// The demo page, opened in a real browser, loads and runs the wasm package.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { ROOT, startServer, launchChromium } from "./harness.mjs";

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

test("the demo page loads the wasm package", async () => {
  const cargo = readFileSync(path.join(ROOT, "Cargo.toml"), "utf8");
  const crateVersion = cargo.match(/^version = "([^"]+)"/m)[1];

  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (err) => errors.push(err.message));
  await page.goto(server.url);
  const status = page.getByTestId("status");
  await status.filter({ hasText: /^(ready|failed.*)$/ }).waitFor({ timeout: 15000 });
  assert.equal(await status.textContent(), "ready", `page errors: ${errors.join("; ")}`);
  // Only the wasm module knows its crate version: seeing it proves the module ran.
  assert.equal(await page.getByTestId("wasm-version").textContent(), crateVersion);
  assert.deepEqual(errors, []);
});

test("the server answers database requests beside the page", async () => {
  const put = await fetch(`${server.url}e2e/check.json`, { method: "PUT", body: '{"ok":true}' });
  assert.equal(put.status, 200);
  const get = await fetch(`${server.url}e2e.json`);
  assert.deepEqual(await get.json(), { check: { ok: true } });
});
