export * from "./rtcweb.js";
