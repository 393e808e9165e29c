// Runs rtcweb-signal for the tests, and restarts it on request so that tests can check
// reconnection: POST /restart on the control port stops the server and starts it again on the
// same port with the same arguments (so the same data file).
//
//   node tests/support/signal-controller.mjs DB_PORT CONTROL_PORT [SERVER_ARGS...]
//
// Without SERVER_ARGS the server runs in emulator mode (the tests sign in with unsigned
// tokens) with a fresh data file and tests/support/rules.json.
// Prints "ready" once both listen; exits when stdin closes or on SIGTERM.
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

const start = async () => {
  server = await startSignal(`127.0.0.1:${dbPort}`, args);
};

const control = http.createServer(async (req, res) => {
  res.setHeader("Access-Control-Allow-Origin", "*");
  if (req.method === "POST" && req.url === "/restart") {
    await server.stop();
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
  await server.stop();
  process.exit(0);
};
process.on("SIGTERM", shutdown);
process.stdin.on("end", shutdown);
process.stdin.resume();
