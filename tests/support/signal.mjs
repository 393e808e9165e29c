// Starts rtcweb-signal (the release build) and waits until it listens: the one helper behind
// the test script's server, the restarting controller and the end-to-end harness.
import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const BINARY = path.join(ROOT, "target/release/rtcweb-signal");

/**
 * Runs `rtcweb-signal --listen LISTEN ...args`; resolves to `{ url, child, stop }` once it
 * prints "listening on URL" (LISTEN may use port 0). Rejects with the server's output if it
 * exits first.
 */
export async function startSignal(listen, args = []) {
  const child = spawn(BINARY, ["--listen", listen, ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  const url = await new Promise((resolve, reject) => {
    child.stderr.on("data", (chunk) => {
      log += chunk;
      // A whole line: the output may arrive in pieces, cutting the URL short.
      const match = log.match(/listening on (http:\/\/\S+)\r?\n/);
      if (match) resolve(match[1]);
    });
    child.on("error", (err) => reject(new Error(`cannot run ${BINARY} (build it with cargo build --release -p rtcweb-signal): ${err.message}`)));
    child.on("exit", (code) => reject(new Error(`rtcweb-signal exited (${code}): ${log}`)));
  });
  return {
    url,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await once(child, "exit");
      }
    },
  };
}
