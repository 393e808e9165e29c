// Added to the plain page by the package test: the hostile calls and a second call, reached
// by the test as window.harness (scripts run through WebDriver cannot import the package
// themselves: Firefox 153 leaves their dynamic imports pending).
import * as rtcweb from "rtcweb";
import { hostile } from "./hostile.js";

// A call with the fake camera: resolves to the other peer's greeting and the kind of the
// first track it sent.
async function greet(room) {
  const media = await rtcweb.getUserMedia({ video: true, audio: false });
  const call = await rtcweb.Call.join(new rtcweb.Database(location.origin), room, { media });
  const greeting = new Promise((resolve) => {
    call.on("message", ({ peer, data }) => resolve({ peer, data }));
  });
  const track = new Promise((resolve) => {
    call.on("track", ({ peer, track }) => resolve({ peer, kind: track.kind }));
  });
  call.on("peerstate", ({ peer, state }) => {
    if (state === "connected") call.send(peer, `hello from ${call.id}`);
  });
  const result = { me: call.id, ...(await greeting), track: await track };
  // Let the other side's greeting go out before this one hangs up.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await call.hangUp();
  return result;
}

window.harness = { hostile: (rounds) => hostile(rtcweb, rounds), greet };
