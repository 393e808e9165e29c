// Runs rtcweb-signal for the browser tests, and restarts it on request so that tests can check
// reconnection: POST /restart on the control port stops the server and starts it again on the
// same port with the same data file.
//
//   node tests/support/signal-controller.mjs DB_PORT CONTROL_PORT
//
// Prints "ready" once both listen; exits when stdin closes or on SIGTERM.
import { spawn } from "node:child_process";
import { once } from "node:events";
import http from "node:http";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const [dbPort, controlPort] = process.argv.slice(2);
const data = path.join(mkdtempSync(path.join(os.tmpdir(), "rtcweb-signal-")), "db.json");
const args = [
  "--emulator",
  "--listen", `127.0.0.1:${dbPort}`,
  "--data", data,
  "--rules", path.join(root, "tests/support/rules.json"),
];
let server;

async function start() {
  server = spawn(path.join(root, "target/release/rtcweb-signal"), args, { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  await new Promise((resolve, reject) => {
    server.stderr.on("data", (chunk) => {
      log += chunk;
      if (log.includes("listening on")) resolve();
    });
    server.on("exit", (code) => reject(new Error(`rtcweb-signal exited (${code}): ${log}`)));
  });
}

async function stop() {
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await once(server, "exit");
  }
}

const control = http.createServer(async (req, res) => {
  res.setHeader("Access-Control-Allow-Origin", "*");
  if (req.method === "POST" && req.url === "/restart") {
    await stop();
    // Down for a moment, as a real restart would be.
    await new Promise((r) => setTimeout(r, 300));
    await start();
    res.end("restarted");
  } else {
    res.statusCode = req.method === "OPTIONS" ? 204 : 404;
    res.end();
  }
});

await start();
control.listen(Number(controlPort), "127.0.0.1");
await once(control, "listening");
console.log("ready");

const shutdown = async () => {
  control.close();
  await stop();
  process.exit(0);
};
process.on("SIGTERM", shutdown);
process.stdin.on("end", shutdown);
process.stdin.resume();
