// Shared by the end-to-end tests: starts rtcweb-signal serving www/, and launches the system
// Chromium through playwright-core (which cannot download browsers on our machines).
import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Starts the release server on a free port; resolves to { url, stop }. */
export async function startServer() {
  const bin = path.join(ROOT, "target/release/rtcweb-signal");
  const child = spawn(bin, ["--emulator", "--listen", "127.0.0.1:0", "--www", path.join(ROOT, "www")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  const url = await new Promise((resolve, reject) => {
    child.stderr.on("data", (chunk) => {
      log += chunk;
      const match = log.match(/listening on (http:\/\/\S+)/);
      if (match) resolve(match[1]);
    });
    child.on("exit", (code) => reject(new Error(`rtcweb-signal exited (${code}): ${log}`)));
  });
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await once(child, "exit");
      }
    },
  };
}

/** Launches headless Chromium with fake camera and microphone. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROME || "/usr/bin/chromium",
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
      "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
      "--disable-background-networking", "--disable-component-update", "--no-first-run",
      "--disable-sync", "--disable-quic",
    ],
  });
}
