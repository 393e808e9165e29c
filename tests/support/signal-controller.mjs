// Runs rtcweb-signal for the tests, and restarts it on request so that tests can check
// reconnection: POST /restart on the control port stops the server and starts it again on the
// same port with the same arguments (so the same data file).
//
//   [TURN_PORT=PORT] node tests/support/signal-controller.mjs DB_PORT CONTROL_PORT [SERVER_ARGS...]
//
// With TURN_PORT it also runs coturn (`turnserver`) on 127.0.0.1:TURN_PORT with the long-term
// credential rtcweb:secret (realm rtcweb.test), for the call's relay tests: POST /turn/pause
// stops it (SIGSTOP), as a network outage would, and POST /turn/resume continues it (SIGCONT).
//
// The control port also leads to the database: /db/<path> is proxied to the server, so that a
// test can cut one page's peer off it as a lost network would. POST /db-cut freezes every
// proxied request and stream, and every later one: nothing more is forwarded or answered, and
// nothing is closed. POST /db-restore ends them (their clients see an error and retry) and
// forwards again.
//
// Without SERVER_ARGS the server runs in emulator mode (the tests sign in with unsigned
// tokens) with a fresh data file and tests/support/rules.json.
// Prints "ready" once both listen; exits on SIGTERM or SIGINT, and when stdin closes unless
// DETACHED is set.
import { spawn } from "node:child_process";
import { once } from "node:events";
import http from "node:http";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT, startSignal } from "./signal.mjs";

const [dbPort, controlPort, ...given] = process.argv.slice(2);
const args = given.length > 0 ? given : [
  "--emulator",
  "--data", path.join(mkdtempSync(path.join(os.tmpdir(), "rtcweb-signal-")), "db.json"),
  "--rules", path.join(ROOT, "tests/support/rules.json"),
];
let server;
let turn;
const turnPort = process.env.TURN_PORT;

// coturn on loopback: relays between loopback peers, no TLS, no admin CLI (its fixed port would
// collide between checkouts), relay ports of its own range.
async function startTurn() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "rtcweb-turn-"));
  const base = 40000 + (Number(turnPort) % 100) * 100;
  turn = spawn("turnserver", [
    "-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", `--listening-port=${turnPort}`,
    "--lt-cred-mech", "--user=rtcweb:secret", "--realm=rtcweb.test", "--no-tls", "--no-dtls",
    "--no-cli", "--allow-loopback-peers", `--min-port=${base}`, `--max-port=${base + 99}`,
    "--no-stdout-log", `--log-file=${path.join(dir, "turn.log")}`, "--simple-log",
    `--userdb=${path.join(dir, "turndb")}`,
  ], { stdio: "ignore" });
  await new Promise((resolve, reject) => {
    turn.on("error", reject);
    turn.on("exit", (code) => reject(new Error(`turnserver exited (${code})`)));
    // It has no readiness line on stdout: give it a moment to bind.
    setTimeout(resolve, 500);
  });
}

const start = async () => {
  server = await startSignal(`127.0.0.1:${dbPort}`, args);
};

let dbCut = false;
// The responses of the proxied requests not yet ended, with their upstream requests.
const proxied = new Set();

function proxy(req, res) {
  const entry = { res, upstream: null };
  proxied.add(entry);
  res.on("close", () => {
    proxied.delete(entry);
    entry.upstream?.destroy();
  });
  if (dbCut) return;
  const upstream = http.request({
    host: "127.0.0.1",
    port: Number(dbPort),
    path: req.url.slice("/db".length) || "/",
    method: req.method,
    headers: { ...req.headers, host: `127.0.0.1:${dbPort}` },
  }, (answer) => {
    if (dbCut) return;
    res.writeHead(answer.statusCode, answer.headers);
    answer.on("data", (chunk) => { if (!dbCut) res.write(chunk); });
    answer.on("end", () => { if (!dbCut) res.end(); });
  });
  entry.upstream = upstream;
  upstream.on("error", () => res.destroy());
  req.pipe(upstream);
}

const control = http.createServer(async (req, res) => {
  if (req.url.startsWith("/db/")) {
    proxy(req, res);
    return;
  }
  res.setHeader("Access-Control-Allow-Origin", "*");
  if (req.method === "POST" && (req.url === "/db-cut" || req.url === "/db-restore")) {
    dbCut = req.url === "/db-cut";
    if (!dbCut) {
      for (const { res: held } of proxied) held.destroy();
    }
    res.end(dbCut ? "cut" : "restored");
  } else if (req.method === "POST" && req.url === "/restart") {
    await server.stop();
    // Down for a moment, as a real restart would be.
    await new Promise((r) => setTimeout(r, 300));
    await start();
    res.end("restarted");
  } else if (req.method === "POST" && turn && (req.url === "/turn/pause" || req.url === "/turn/resume")) {
    turn.kill(req.url === "/turn/pause" ? "SIGSTOP" : "SIGCONT");
    res.end(req.url.slice("/turn/".length) + "d");
  } else {
    res.statusCode = req.method === "OPTIONS" ? 204 : 404;
    res.end();
  }
});

await start();
if (turnPort) await startTurn();
control.listen(Number(controlPort), "127.0.0.1");
await once(control, "listening");
console.log("ready");

const shutdown = async () => {
  control.close();
  if (turn && turn.exitCode === null) {
    turn.kill("SIGCONT");
    turn.kill("SIGTERM");
  }
  await server.stop();
  process.exit(0);
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
// Under scripts/test.sh (a coproc) it also stops when its stdin closes, so it never outlives
// the suite; scripts/test-server.sh runs it detached from stdin instead.
if (!process.env.DETACHED) {
  process.stdin.on("end", shutdown);
  process.stdin.resume();
}
