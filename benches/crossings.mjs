// Counts the calls across the wasm boundary per message (BENCHMARKS.md, "The small-message
// gap"): the Rust contestant's glue (target/bench/rust, built by scripts/bench.sh browsers, or
// the directory given) with every import (wasm -> JS) and export (JS -> wasm) call counted,
// over transfer(20000, 64), the calls of a connection setup subtracted:
//   node benches/crossings.mjs [DIR]
import fs from "node:fs";
import path from "node:path";
import { ROOT, launchChromium, startServer } from "../tests/e2e/harness.mjs";
const dir = process.argv[2] || path.join(ROOT, "target/bench/rust");
const www = path.join(ROOT, "target/bench/www-count");
fs.rmSync(www, { recursive: true, force: true });
fs.cpSync(path.resolve(dir), www, { recursive: true });
let glue = fs.readFileSync(path.join(www, "rtcweb_bench.js"), "utf8");
glue = glue.replace('"./rtcweb_bench_bg.js": import0,', `"./rtcweb_bench_bg.js": Object.fromEntries(Object.entries(import0).map(([k, f]) => [k, typeof f === "function" ? function (...a) { const c = globalThis.calls; c[k] = (c[k] || 0) + 1; return f.apply(this, a); } : f])),`);
glue = glue.replace("wasm = instance.exports;", `wasm = Object.fromEntries(Object.entries(instance.exports).map(([k, f]) => [k, typeof f === "function" ? (...a) => { const c = globalThis.calls; c["export " + k] = (c["export " + k] || 0) + 1; return f(...a); } : f]));`);
fs.writeFileSync(path.join(www, "rtcweb_bench.js"), glue);
fs.writeFileSync(path.join(www, "index.html"), `<script type="module">globalThis.calls = {}; import init, * as b from "./rtcweb_bench.js"; await init({ module_or_path: "./rtcweb_bench_bg.wasm" }); window.b = b; window.ready = true;</script>`);
const server = await startServer(undefined, ["--emulator", "--www", www]);
const browser = await launchChromium();
const page = await (await browser.newContext()).newPage(); page.on("pageerror", (e) => console.error(e.message));
await page.goto(`${server.url}index.html`);
await page.waitForFunction(() => window.ready);
const N = 20000;
const calls = await page.evaluate(async (n) => { await b.setup(); globalThis.calls = {}; await b.transfer(n, 64); const c = globalThis.calls; globalThis.calls = {}; await b.setup(); const s = globalThis.calls; return { c, s }; }, N);
const rows = Object.entries(calls.c).map(([k, v]) => [k, (v - (calls.s[k] || 0)) / N]).filter(([, v]) => v >= 0.01).sort((a, b) => b[1] - a[1]);
let total = 0;
for (const [k, v] of rows) { total += v; console.log(v.toFixed(2).padStart(6), k); }
console.log(total.toFixed(2).padStart(6), "total per message (send + receive), setup's own calls subtracted");
await browser.close(); await server.stop();
