// Added to the plain page by the package test: the hostile calls and a second call, reached
// by the test as window.harness (scripts run through WebDriver cannot import the package
// themselves: Firefox 153 leaves their dynamic imports pending).
import * as rtcweb from "rtcweb";
import { hostile } from "./hostile.js";

async function greet(room) {
  const call = await rtcweb.Call.join(new rtcweb.Database(location.origin), room);
  const greeting = new Promise((resolve) => {
    call.on("message", ({ peer, data }) => resolve({ me: call.id, peer, data }));
  });
  call.on("peerstate", ({ peer, state }) => {
    if (state === "connected") call.send(peer, `hello from ${call.id}`);
  });
  const result = await greeting;
  // Let the other side's greeting go out before this one hangs up.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await call.hangUp();
  return result;
}

window.harness = { hostile: (rounds) => hostile(rtcweb, rounds), greet };
