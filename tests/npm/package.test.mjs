// The npm package as users get it: the packed tarball installed into a fresh Vite app and a
// plain HTML page, each built and opened in Chromium and Firefox, where two pages join one
// call through rtcweb-signal and greet each other. The Vite app's TypeScript is checked with
// `tsc --strict`, and the plain page first survives thousands of hostile calls.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT, startSignal } from "../support/signal.mjs";
import { launchChromium } from "../e2e/harness.mjs";
import { launchFirefox } from "../support/webdriver.mjs";

const VERSION = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).version;
const TARBALL = path.join(ROOT, `target/npm/rtcweb-${VERSION}.tgz`);
const WORK = path.join(ROOT, "target/npm");
const HERE = path.dirname(new URL(import.meta.url).pathname);
// The registry's versions the apps install (TOOLCHAIN.md: vite 8.3.8 installs cleanly).
const VITE = "vite@8.3.8";
const TYPESCRIPT = "typescript@5.9.3";

let chromium;
let firefox;
const servers = [];
before(async () => {
  chromium = await launchChromium();
  firefox = await launchFirefox();
});
after(async () => {
  await chromium?.close();
  await firefox?.close();
  for (const server of servers) await server.stop();
});

const run = (cwd, command, args) =>
  execFileSync(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });

/** A fresh project in target/npm/NAME with the tarball (and `extra` packages) installed. */
function project(name, extra = []) {
  const dir = path.join(WORK, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, private: true, type: "module" }));
  run(dir, "npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", TARBALL, ...extra]);
  return dir;
}

/** Serves `dir` and the database at one origin. */
async function serve(dir) {
  const server = await startSignal("127.0.0.1:0", ["--emulator", "--www", dir]);
  servers.push(server);
  return server.url;
}

/** Opens `url` in a Chromium page and in Firefox (same room), and waits until each has
 *  received the other's greeting; returns the two logs. */
async function greetAcross(url) {
  const room = `npm-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const page = await chromium.newPage();
  const errors = [];
  page.on("pageerror", (err) => errors.push(err.message));
  await page.goto(`${url}?room=${room}`);
  await firefox.goto(`${url}?room=${room}`);
  const waitForGreeting = async () => {
    const log = () => document.querySelector("#log").textContent;
    for (let i = 0; i < 300; i++) {
      const text = log();
      const me = text.match(/as (\S+)/)?.[1];
      const other = text.match(/^(\S+): hello from (\S+)$/m);
      if (me && other && other[1] === other[2] && other[1] !== me) return text;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no greeting; log:\n${log()}`);
  };
  const [chromeLog, firefoxLog] = await Promise.all([
    page.evaluate(waitForGreeting),
    firefox.evaluate(waitForGreeting.toString()),
  ]);
  await page.close();
  assert.deepEqual(errors, []);
  const id = (log) => log.match(/as (\S+)/)[1];
  // Each side got the other's greeting, sent by the other's own id.
  assert.match(chromeLog, new RegExp(`^${id(firefoxLog)}: hello from ${id(firefoxLog)}$`, "m"));
  assert.match(firefoxLog, new RegExp(`^${id(chromeLog)}: hello from ${id(chromeLog)}$`, "m"));
  return { chromeLog, firefoxLog };
}

test("the tarball holds exactly the package's files, typed without any", () => {
  const files = run(ROOT, "tar", ["tzf", TARBALL]).trim().split("\n").sort();
  assert.deepEqual(files, [
    "package/LICENSE", "package/README.md", "package/package.json",
    "package/pkg/index.d.ts", "package/pkg/index.js", "package/pkg/rtcweb.d.ts",
    "package/pkg/rtcweb.js", "package/pkg/rtcweb_bg.wasm",
  ]);
  for (const types of ["package/pkg/index.d.ts", "package/pkg/rtcweb.d.ts"]) {
    const text = run(ROOT, "tar", ["xzOf", TARBALL, types])
      .replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
    assert.doesNotMatch(text, /\bany\b/, `${types} must not use any`);
  }
  const packed = JSON.parse(run(ROOT, "tar", ["xzOf", TARBALL, "package/package.json"]));
  const cargo = readFileSync(path.join(ROOT, "Cargo.toml"), "utf8").match(/^version = "([^"]+)"/m)[1];
  assert.equal(packed.version, cargo);
});

test("the README's JavaScript example is the example app's code", () => {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  assert.ok(readme.includes(readFileSync(path.join(HERE, "app/main.js"), "utf8")),
    "README.md must quote tests/npm/app/main.js verbatim");
});

test("a fresh Vite app: strict TypeScript, built, calls between Chromium and Firefox", async () => {
  const dir = project("vite-app", [`${VITE}`, `${TYPESCRIPT}`]);
  cpSync(path.join(HERE, "vite/index.html"), path.join(dir, "index.html"));
  cpSync(path.join(HERE, "app/main.js"), path.join(dir, "main.js"));
  mkdirSync(path.join(dir, "src"));
  cpSync(path.join(HERE, "consumer.ts"), path.join(dir, "src/consumer.ts"));
  writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({
    compilerOptions: {
      target: "ES2022", module: "ESNext", moduleResolution: "bundler", lib: ["ES2022", "DOM", "ESNext.Disposable"],
      strict: true, noEmit: true, skipLibCheck: false, noUncheckedIndexedAccess: true,
    },
    include: ["src"],
  }));
  run(dir, "npx", ["tsc", "-p", "."]);
  run(dir, "npx", ["vite", "build", "--logLevel", "error"]);
  await greetAcross(await serve(path.join(dir, "dist")));
});

test("a plain HTML page: thousands of hostile calls, then a video call in the same pages", async () => {
  const dir = project("plain-page");
  const html = readFileSync(path.join(HERE, "app/index.html"), "utf8");
  writeFileSync(path.join(dir, "index.html"),
    html.replace("</body>", '  <script type="module" src="./harness.js"></script>\n</body>'));
  for (const file of ["app/main.js", "hostile.js", "harness.js"]) {
    cpSync(path.join(HERE, file), path.join(dir, path.basename(file)));
  }
  const url = await serve(dir);

  const harness = async ([name, arg]) => {
    while (!window.harness) await new Promise((resolve) => setTimeout(resolve, 50));
    return window.harness[name](arg);
  };
  // Both pages have joined a room of their own at load (main.js), so the hostile calls run
  // beside live calls.
  const page = await chromium.newPage();
  await page.goto(`${url}?room=alone-${Date.now()}-a`);
  await firefox.goto(`${url}?room=alone-${Date.now()}-b`);
  const [inChromium, inFirefox] = await Promise.all([
    page.evaluate(harness, ["hostile", 3000]),
    firefox.evaluate(harness.toString(), ["hostile", 3000]),
  ]);
  for (const [browser, seen] of [["Chromium", inChromium], ["Firefox", inFirefox]]) {
    console.log(`hostile calls in ${browser}: ${JSON.stringify(seen)}`);
    assert.equal(seen.calls, 3000);
    assert.equal(seen.names.RuntimeError, undefined, `the module trapped in ${browser}`);
    // Bad arguments are typed errors, unreachable databases signaling errors.
    assert.ok(seen.names.TypeError > 0 && seen.names.SignalingError > 0, JSON.stringify(seen));
  }

  // Every kind of data, by `send` and `trySend`, arrives whole and in order, split or not;
  // messages that waited for the page come first, and before the channel's `close`; `stats()`
  // gives the browser's entries.
  const sent = ["text by send", "0 1 2 3 fa fb fc fd", "2 3 fa fb", "text by trySend", "fa fb fc fd", "0 1"];
  for (const [browser, seen] of [
    ["Chromium", await page.evaluate(harness, ["channels"])],
    ["Firefox", await firefox.evaluate(harness.toString(), ["channels"])],
  ]) {
    assert.deepEqual(seen, {
      plain: sent, split: sent, late: ["before", "1 2", "after"], gone: ["last", "words", "close"],
      stats: { array: true, entries: true, succeededPair: true },
    }, `data channels in ${browser}`);
  }

  // The same pages, the same module: a new call between them works.
  const room = `after-${Date.now()}`;
  const [a, b] = await Promise.all([
    page.evaluate(harness, ["greet", room]),
    firefox.evaluate(harness.toString(), ["greet", room]),
  ]);
  await page.close();
  assert.deepEqual([a.peer, a.data], [b.me, `hello from ${b.me}`]);
  assert.deepEqual([b.peer, b.data], [a.me, `hello from ${a.me}`]);
  // Each side's camera (getUserMedia through the package) arrived on the other.
  assert.deepEqual(a.track, { peer: b.me, kind: "video" });
  assert.deepEqual(b.track, { peer: a.me, kind: "video" });
});
