// The browser benchmarks' driver (scripts/bench.sh browsers runs it after building): serves
// benches/pages/ with rtcweb-signal, starts a PeerServer, runs every exchange in headless
// Chromium (playwright-core) and Firefox (WebDriver), and prints a JSON summary and Markdown
// tables; writes the full JSON and the plot of the ratios to raw JS. Figures only: it asserts
// nothing.
//
//   node benches/run.mjs [--browsers chromium,firefox] [--runs 5] [--setups 20]
//                        [--exchanges bulk,small,latency,setup,signaling]
//                        [--contestants rust,rust-listener,js,simple-peer,peerjs]
//                        [--sizes FILE] [--json FILE] [--svg FILE]
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { parseArgs } from "node:util";
import { PeerServer } from "peer";
import { ROOT, freePort, launchChromium, startServer } from "../tests/e2e/harness.mjs";
import { launchFirefox } from "../tests/support/webdriver.mjs";
import { svg } from "./plot.mjs";

const { values: opts } = parseArgs({
  options: {
    browsers: { type: "string", default: "chromium,firefox" },
    runs: { type: "string", default: "5" },
    setups: { type: "string", default: "20" },
    exchanges: { type: "string", default: "bulk,small,latency,setup,signaling" },
    contestants: { type: "string", default: "rust,rust-listener,js,simple-peer,peerjs" },
    sizes: { type: "string" },
    json: { type: "string", default: path.join(ROOT, "target/bench/results.json") },
    svg: { type: "string", default: path.join(ROOT, "docs/bench-ratios.svg") },
  },
});
const RUNS = Number(opts.runs), SETUPS = Number(opts.setups);
const KiB = 1024, MiB = 1024 * KiB;

// What each contestant's sender waits on: pause above `high`, resume at `low`. Raw JS runs at
// each of these, and every contestant is compared with raw JS at its own.
const THRESHOLDS = {
  rtcweb: { high: MiB, low: 256 * KiB, text: "1 MiB / 256 KiB" },
  "simple-peer": { high: 64 * KiB, low: 64 * KiB, text: "64 KiB / 64 KiB" },
  peerjs: { high: 8 * MiB, low: 8 * MiB, text: "8 MiB (PeerJS polls every 50 ms)" },
};
const version = (pkg) => JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", pkg, "package.json"))).version;
// `kinds`: the kinds of exchange a contestant runs, when not all.
const CONTESTANTS = [
  { id: "rust", label: "rtcweb, Rust API", page: "main", thresholds: "rtcweb" },
  // The Rust API with a callback receiver (`on_message`).
  { id: "rust-listener", label: "rtcweb, Rust API, on_message", page: "main", thresholds: "rtcweb", kinds: ["transfer"] },
  { id: "js", label: "rtcweb, JS API", page: "main", thresholds: "rtcweb" },
  { id: "simple-peer", label: `simple-peer ${version("simple-peer")}`, page: "main", thresholds: "simple-peer" },
  // Its setup needs its server: the two-page setup below.
  { id: "peerjs", label: `PeerJS ${version("peerjs")}`, page: "peerjs", thresholds: "peerjs", kinds: ["transfer", "pingPong"] },
];
const EXCHANGES = {
  bulk: { text: "64 MiB as 16 KiB messages", params: { count: 4096, size: 16 * KiB }, kind: "transfer" },
  small: { text: "20,000 × 64 B messages", params: { count: 20000, size: 64 }, kind: "transfer" },
  latency: { text: "1,000 × 32 B ping-pongs", params: { count: 1000, size: 32 }, kind: "pingPong" },
  setup: { text: "setup to an open channel, one page", params: {}, kind: "setup" },
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const round = (x, digits = 2) => Number(x.toFixed(digits));

// --- pages --------------------------------------------------------------------------------

/** benches/pages/ with what it loads, in target/bench/www (served by rtcweb-signal). */
function stage() {
  const www = path.join(ROOT, "target/bench/www");
  fs.rmSync(www, { recursive: true, force: true });
  fs.cpSync(path.join(ROOT, "benches/pages"), www, { recursive: true });
  fs.cpSync(path.join(ROOT, "pkg"), path.join(www, "pkg"), { recursive: true });
  fs.cpSync(path.join(ROOT, "target/bench/rust"), path.join(www, "rust"), { recursive: true });
  fs.mkdirSync(path.join(www, "vendor"));
  for (const file of BUNDLES) fs.copyFileSync(path.join(ROOT, file.path), path.join(www, "vendor", path.basename(file.path)));
  return www;
}
const BUNDLES = [
  { name: `simple-peer ${version("simple-peer")}`, path: "node_modules/simple-peer/simplepeer.min.js" },
  { name: `PeerJS ${version("peerjs")}`, path: "node_modules/peerjs/dist/peerjs.min.js" },
];

/** A page of either browser as `{ call(fn, ...args), close() }`, `fn` a global of the page. */
async function openPage(browser, url) {
  if (browser.kind === "chromium") {
    const context = await browser.chromium.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (err) => errors.push(err.message));
    await page.goto(url);
    await page.waitForFunction(() => window.benchReady, null, { timeout: 30000 }).catch((err) => {
      throw new Error(`${url}: ${errors.join("; ") || err.message}`);
    });
    return {
      call: (fn, ...args) => page.evaluate(([fn, args]) => window[fn](...args), [fn, args]),
      close: () => context.close(),
    };
  }
  const page = await launchFirefox();
  await page.goto(url);
  await page.evaluate(String(async () => {
    for (let i = 0; !window.benchReady; i++) {
      if (i > 300) throw new Error("the page did not load");
      await new Promise((r) => setTimeout(r, 100));
    }
  }));
  return {
    call: (fn, ...args) => page.evaluate(String(async (fn, args) => window[fn](...args)), fn, args),
    close: () => page.close(),
  };
}

async function launch(kind) {
  if (kind === "chromium") {
    const chromium = await launchChromium();
    return { kind, chromium, version: `Chromium ${chromium.version()}`, close: () => chromium.close() };
  }
  return { kind, version: "", close: async () => {} };
}

// --- exchanges ----------------------------------------------------------------------------

/**
 * One browser: every exchange, RUNS alternating runs (raw JS first in even runs, last in odd
 * ones), each contestant compared with raw JS at its thresholds in its page in the same run.
 */
async function benchBrowser(kind, urls) {
  const browser = await launch(kind);
  const pages = { main: await openPage(browser, urls.main), peerjs: await openPage(browser, urls.peerjs) };
  if (kind === "firefox") {
    // The full version (the user agent says only 153.0); Debian's binary is firefox-esr.
    const ua = await pages.main.call("eval", "navigator.userAgent");
    browser.version = `Firefox ${ua.match(/Firefox\/([\d.]+)/)?.[1] ?? "?"}`;
    for (const binary of ["firefox-esr", "firefox"]) {
      try {
        browser.version = execFileSync(binary, ["--version"], { encoding: "utf8" }).replace(/^Mozilla /, "").trim();
        break;
      } catch {}
    }
  }
  console.error(`==> ${browser.version}`);
  const results = {};
  for (const [exchange, spec] of Object.entries(EXCHANGES)) {
    if (!opts.exchanges.split(",").includes(exchange)) continue;
    results[exchange] = {};
    const runs = spec.kind === "setup" ? SETUPS : RUNS;
    for (const contestant of CONTESTANTS) {
      if (!opts.contestants.split(",").includes(contestant.id)) continue;
      if (contestant.kinds && !contestant.kinds.includes(spec.kind)) continue;
      const page = pages[contestant.page];
      const thresholds = THRESHOLDS[contestant.thresholds];
      const params = { ...spec.params, high: thresholds.high, low: thresholds.low };
      const ours = [], raw = [];
      for (let run = 0; run < runs; run++) {
        const order = run % 2 ? [contestant.id, "raw"] : ["raw", contestant.id];
        for (const who of order) {
          const value = await page.call("bench", who, spec.kind, params).catch((err) => {
            console.error(`${kind} ${exchange} ${who}: ${err.message.split("\n")[0]}`);
            return null;
          });
          (who === "raw" ? raw : ours).push(value);
        }
      }
      results[exchange][contestant.id] = summarize(spec, contestant, thresholds, raw, ours);
      console.error(`    ${exchange} ${contestant.id}: ${JSON.stringify(results[exchange][contestant.id].summary)}`);
    }
  }
  if (opts.exchanges.split(",").includes("signaling")) results.signaling = await signalingSetup(browser, urls, pages);
  await Promise.all(Object.values(pages).map((p) => p.close()));
  await browser.close();
  return { version: browser.version, results };
}

/** The figures of one contestant in one exchange, beside raw JS's from the same runs. */
function summarize(spec, contestant, thresholds, raw, ours) {
  const pairs = raw.map((r, i) => [r, ours[i]]).filter(([r, o]) => r != null && o != null);
  const entry = { label: contestant.label, thresholds: spec.kind === "transfer" ? thresholds.text : null, runs: pairs.length };
  if (!pairs.length) return { ...entry, summary: { failed: true } };
  // Speed relative to raw JS: raw JS's time / the contestant's (1 = as fast, higher = faster).
  // Ping-pongs by their total: the browsers coarsen performance.now() (Firefox to 1 ms outside
  // cross-origin isolation), which single round trips are close to.
  const time = spec.kind === "pingPong" ? (r) => r.total : (x) => x;
  const ratios = pairs.map(([r, o]) => time(r) / time(o));
  const summary = { ratio: round(median(ratios)), ratioRange: [round(Math.min(...ratios)), round(Math.max(...ratios))] };
  const { count, size } = spec.params;
  if (spec.kind === "transfer") {
    const rate = (ms) => (size >= KiB ? (count * size) / 1e3 / ms : (count / ms) * 1e3);
    summary.unit = size >= KiB ? "MB/s" : "msg/s";
    summary.value = round(rate(median(pairs.map(([, o]) => o))), size >= KiB ? 1 : 0);
    summary.raw = round(rate(median(pairs.map(([r]) => r))), size >= KiB ? 1 : 0);
  } else if (spec.kind === "pingPong") {
    const all = (i) => pairs.flatMap((p) => p[i].times);
    const mean = (i) => median(pairs.map((p) => p[i].total)) / count;
    const figures = (i) => ({ mean: round(mean(i), 3), median: round(median(all(i)), 2), p99: round(percentile(all(i), 99), 2) });
    summary.unit = "ms";
    summary.value = figures(1);
    summary.raw = figures(0);
  } else {
    summary.unit = "ms";
    summary.value = round(median(pairs.map(([, o]) => o)), 1);
    summary.raw = round(median(pairs.map(([r]) => r)), 1);
    // Setup ratio: of the medians (single setups vary too much to pair).
    summary.ratio = round(summary.raw / summary.value);
  }
  return { ...entry, summary, samples: { raw: pairs.map(([r]) => r), contestant: pairs.map(([, o]) => o) } };
}

/**
 * Setup between two pages through signaling, SETUPS times, alternating: rtcweb's Call through
 * rtcweb-signal, and PeerJS through the PeerServer. From the first page's start to the later
 * of the two channels open.
 */
async function signalingSetup(browser, urls, pages) {
  const second = { main: await openPage(browser, urls.main), peerjs: await openPage(browser, urls.peerjs) };
  const times = { rtcweb: [], peerjs: [] };
  for (let run = 0; run < SETUPS; run++) {
    for (const who of run % 2 ? ["peerjs", "rtcweb"] : ["rtcweb", "peerjs"]) {
      const key = who === "rtcweb" ? "main" : "peerjs";
      const [a, b] = [pages[key], second[key]];
      const tag = `${browser.kind}-${process.pid}-${run}`;
      const args = who === "rtcweb"
        ? [[urls.db, `bench-${tag}`], [urls.db, `bench-${tag}`]]
        : [[`a-${tag}`, `b-${tag}`, false], [`b-${tag}`, `a-${tag}`, true]];
      try {
        const [x, y] = await Promise.all([a.call("callSetup", ...args[0]), b.call("callSetup", ...args[1])]);
        times[who].push(Math.max(x.open, y.open) - Math.min(x.start, y.start));
      } catch (err) {
        console.error(`${browser.kind} two-page setup ${who}: ${err.message.split("\n")[0]}`);
      }
      await Promise.all([a.call("callEnd"), b.call("callEnd")]).catch(() => {});
    }
  }
  await Promise.all(Object.values(second).map((p) => p.close()));
  const summary = {
    unit: "ms",
    rtcweb: times.rtcweb.length ? round(median(times.rtcweb), 1) : null,
    peerjs: times.peerjs.length ? round(median(times.peerjs), 1) : null,
  };
  if (summary.rtcweb && summary.peerjs) summary.ratio = round(summary.peerjs / summary.rtcweb);
  console.error(`    two-page setup: ${JSON.stringify(summary)}`);
  return { summary, samples: times };
}

// --- report -------------------------------------------------------------------------------

function bundleSizes() {
  return BUNDLES.map(({ name, path: file }) => {
    const bytes = fs.readFileSync(path.join(ROOT, file));
    return { name, file, minified: bytes.length, gzipped: zlib.gzipSync(bytes, { level: 9 }).length };
  });
}

const fmt = (x) => (typeof x === "number" ? x.toLocaleString("en-US") : x);
function markdown(report) {
  const m = report.machine;
  const lines = [`${report.date}: ${m.cpu}, ${m.cores} cores, load average ${m.loadavg[0]} before and ${m.loadavgAfter[0]} after; medians of ${report.runs} alternating runs (setup: ${report.setups}). Speed vs raw JS: raw JS's time / the contestant's (1 = as fast, higher = faster), median of the runs' ratios and their range.`, ""];
  for (const [, { version, results }] of Object.entries(report.browsers)) {
    lines.push(`### ${version}`, "");
    lines.push("| exchange | contestant | buffer thresholds | contestant | raw JS, same runs | speed vs raw JS (range) |");
    lines.push("|---|---|---|---|---|---|");
    for (const [exchange, spec] of Object.entries(EXCHANGES)) {
      for (const entry of Object.values(results[exchange] ?? {})) {
        const s = entry.summary;
        if (s.failed) { lines.push(`| ${spec.text} | ${entry.label} | ${entry.thresholds ?? ""} | failed | | |`); continue; }
        const show = (v) => (typeof v === "object" ? `mean ${v.mean} ms, median ${v.median}, p99 ${v.p99}` : `${fmt(v)} ${s.unit}`);
        lines.push(`| ${spec.text} | ${entry.label} | ${entry.thresholds ?? "–"} | ${show(s.value)} | ${show(s.raw)} | ${s.ratio.toFixed(2)} (${s.ratioRange[0].toFixed(2)}–${s.ratioRange[1].toFixed(2)}) |`);
      }
    }
    const sig = results.signaling?.summary;
    if (sig) lines.push(`| setup through signaling, two pages | rtcweb Call via rtcweb-signal | – | ${sig.rtcweb ?? "failed"} ms | PeerJS via PeerServer: ${sig.peerjs ?? "failed"} ms | PeerJS / rtcweb time ${sig.ratio?.toFixed(2) ?? "–"} |`);
    lines.push("");
  }
  lines.push("### Bundle sizes (minified, gzip -9)", "", "| library | file | minified | gzipped |", "|---|---|---|---|");
  for (const b of report.bundles) lines.push(`| ${b.name} | \`${b.file.replace("node_modules/", "")}\` | ${(b.minified / 1000).toFixed(1)} KB | ${(b.gzipped / 1000).toFixed(1)} KB |`);
  if (report.rtcwebSize) lines.push("", "rtcweb (scripts/size.sh):", "", report.rtcwebSize.trim());
  return lines.join("\n");
}

// --- main ---------------------------------------------------------------------------------

const www = stage();
const server = await startServer(undefined, ["--emulator", "--www", www]);
const peerPort = await freePort();
const peerServer = await new Promise((resolve) => PeerServer({ host: "127.0.0.1", port: peerPort, path: "/peerjs" }, resolve));
const urls = {
  db: server.url.replace(/\/$/, ""),
  main: `${server.url}index.html`,
  peerjs: `${server.url}peerjs.html?host=127.0.0.1&port=${peerPort}`,
};

const report = {
  date: new Date().toISOString(),
  machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, loadavg: os.loadavg().map((x) => round(x)) },
  runs: RUNS,
  setups: SETUPS,
  browsers: {},
  bundles: bundleSizes(),
  rtcwebSize: opts.sizes && fs.existsSync(opts.sizes) ? fs.readFileSync(opts.sizes, "utf8") : null,
};
try {
  for (const kind of opts.browsers.split(",")) {
    try {
      report.browsers[kind] = await benchBrowser(kind, urls);
    } catch (err) {
      console.error(`${kind}: ${err.stack}`);
    }
  }
} finally {
  await server.stop();
  peerServer.close();
  peerServer.closeAllConnections?.();
}
report.machine.loadavgAfter = os.loadavg().map((x) => round(x));

fs.mkdirSync(path.dirname(opts.json), { recursive: true });
fs.writeFileSync(opts.json, JSON.stringify(report, null, 1));
fs.writeFileSync(opts.svg, svg(report, EXCHANGES));
// The JSON summary (without the samples, which are in the file), then the tables.
const summary = JSON.parse(JSON.stringify(report, (key, value) => (key === "samples" ? undefined : value)));
console.log(JSON.stringify(summary));
console.log();
console.log(markdown(report));
console.log();
console.log(`(full JSON: ${path.relative(ROOT, opts.json)}; plot: ${path.relative(ROOT, opts.svg)})`);
process.exit(0);
