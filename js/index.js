// The package's entry: loads the WebAssembly module next to this file, then exports the API.
// (The `rtcweb/web` entry exports the same without loading: call its default `init()` first.)
import init from "./rtcweb.js";

await init({ module_or_path: new URL("./rtcweb_bg.wasm", import.meta.url) });

export * from "./rtcweb.js";
