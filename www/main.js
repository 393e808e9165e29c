// The demo page, on the npm package that scripts/build.sh builds (and copies into www/pkg).
const status = document.querySelector("[data-testid=status]");
try {
  const { version } = await import("./pkg/index.js");
  document.querySelector("[data-testid=wasm-version]").textContent = version();
  status.textContent = "ready";
} catch (err) {
  status.textContent = `failed to load the wasm package: ${err}`;
  throw err;
}
