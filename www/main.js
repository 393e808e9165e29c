// The demo page: loads the wasm package that scripts/demo.sh builds into www/pkg.
import init, { version } from "./pkg/rtcweb.js";

const status = document.querySelector("[data-testid=status]");
try {
  await init();
  document.querySelector("[data-testid=wasm-version]").textContent = version();
  status.textContent = "ready";
} catch (err) {
  status.textContent = `failed to load the wasm package: ${err}`;
  throw err;
}
