// A small WebDriver client for Debian's Firefox through geckodriver (Playwright cannot drive
// it): a session with the fake camera and microphone, navigation, and scripts.
import { spawn } from "node:child_process";
import net from "node:net";

async function freePort() {
  const server = net.createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts geckodriver and a headless Firefox; resolves to a page-like `{ goto, evaluate, close }`. */
export async function launchFirefox() {
  const port = await freePort();
  const driver = spawn(process.env.GECKODRIVER || "geckodriver", ["--port", String(port)], { stdio: "ignore" });
  const base = `http://127.0.0.1:${port}`;
  const request = async (method, path, body) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body && JSON.stringify(body),
    });
    const { value } = await response.json();
    if (!response.ok) throw new Error(`WebDriver ${path}: ${value?.message ?? response.status}`);
    return value;
  };
  let session;
  for (let tries = 0; !session; tries++) {
    try {
      session = await request("POST", "/session", {
        capabilities: { alwaysMatch: { "moz:firefoxOptions": {
          args: ["-headless"],
          prefs: {
            "media.navigator.streams.fake": true, "media.navigator.permission.disabled": true,
            "media.navigator.permission.fake": true, "media.peerconnection.ice.loopback": true,
          },
        } } },
      });
    } catch (err) {
      if (tries > 50) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const id = session.sessionId;
  await request("POST", `/session/${id}/timeouts`, { script: 300000, pageLoad: 60000 });
  return {
    goto: (url) => request("POST", `/session/${id}/url`, { url }),
    /** Runs `fn(...args)` (an async function, as source) in the page, and resolves to its value. */
    evaluate: (fn, ...args) => request("POST", `/session/${id}/execute/async`, {
      script: `const done = arguments[arguments.length - 1];
        (${fn}).apply(null, Array.from(arguments).slice(0, -1))
          .then((value) => done({ value }), (err) => done({ error: String(err && err.stack || err) }));`,
      args,
    }).then((result) => {
      if (result?.error) throw new Error(result.error);
      return result?.value;
    }),
    async close() {
      await request("DELETE", `/session/${id}`).catch(() => {});
      driver.kill();
    },
  };
}
