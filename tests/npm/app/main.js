import { Call, Database } from "rtcweb";

const log = (line) => document.querySelector("#log").append(`${line}\n`);
const room = new URLSearchParams(location.search).get("room") ?? "lobby";

// The page's own origin serves the database (rtcweb-signal); any Firebase database URL works.
const call = await Call.join(new Database(location.origin), room);
log(`joined ${room} as ${call.id}`);

call.on("peerstate", ({ peer, state }) => {
  log(`${peer} is ${state}`);
  if (state === "connected") call.send(peer, `hello from ${call.id}`);
});
call.on("message", ({ peer, data }) => log(`${peer}: ${data}`));
document.querySelector("#hangup").onclick = () => call.hangUp();
