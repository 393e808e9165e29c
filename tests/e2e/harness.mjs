// Shared by the end-to-end tests: starts rtcweb-signal serving www/, and launches the system
// Chromium through playwright-core (which cannot download browsers on our machines).
import path from "node:path";
import { chromium } from "playwright-core";
import { ROOT, startSignal } from "../support/signal.mjs";

export { ROOT };

/** Starts the release server on a free port; resolves to { url, stop }. */
export function startServer() {
  return startSignal("127.0.0.1:0", ["--emulator", "--www", path.join(ROOT, "www")]);
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
