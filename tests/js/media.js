export function make_element(tag) {
  const el = document.createElement(tag);
  document.body.appendChild(el);
  return el;
}
export function remove_element(el) { el.remove(); }
// An old browser's media element: no srcObject (Chrome before 52), and a URL.createObjectURL
// that still takes a MediaStream (today's browsers removed that). Returns a restore function
// and records what createObjectURL and revokeObjectURL were given.
export function pretend_no_src_object(el, log) {
  const proto = Object.getPrototypeOf(el);
  Object.setPrototypeOf(el, new Proxy(proto, { has: (t, k) => k !== "srcObject" && k in t }));
  const create = URL.createObjectURL, revoke = URL.revokeObjectURL;
  URL.createObjectURL = (obj) => { log.created = obj; return "blob:" + location.origin + "/fake-stream"; };
  URL.revokeObjectURL = (url) => { log.revoked = url; };
  return () => { URL.createObjectURL = create; URL.revokeObjectURL = revoke; Object.setPrototypeOf(el, proto); };
}
export function video_width(el) { return el.videoWidth; }
export function current_time(el) { return el.currentTime; }
// Frames the element has shown: Chromium counts them in getVideoPlaybackQuality(); Firefox
// reports 0 there for a MediaStream and counts them in mozPaintedFrames. -1 if neither.
export function shown_frames(el) {
  const quality = typeof el.getVideoPlaybackQuality === "function"
    ? el.getVideoPlaybackQuality().totalVideoFrames : 0;
  const painted = typeof el.mozPaintedFrames === "number" ? el.mozPaintedFrames : 0;
  const frames = Math.max(quality, painted);
  return frames > 0 || "getVideoPlaybackQuality" in el ? frames : -1;
}
export function is_firefox() { return navigator.userAgent.includes("Firefox"); }
export function ready_state(track) { return track.readyState; }

// Replaces navigator.mediaDevices.getUserMedia with one that rejects with a DOMException of
// `name` (for OverconstrainedError, with `constraint`); returns a function that restores it.
export function reject_get_user_media(name, message, constraint) {
  const md = navigator.mediaDevices;
  md.getUserMedia = () => {
    let error;
    if (name === "OverconstrainedError" && typeof OverconstrainedError === "function") {
      error = new OverconstrainedError(constraint, message);
    } else {
      error = new DOMException(message, name);
      if (constraint) Object.defineProperty(error, "constraint", { value: constraint });
    }
    return Promise.reject(error);
  };
  return () => { delete md.getUserMedia; };
}

// Records every stream the real getUserMedia resolves with; `restore()` puts it back.
export function record_get_user_media() {
  const md = navigator.mediaDevices;
  const real = md.getUserMedia;
  const seen = [];
  md.getUserMedia = function (c) {
    const p = real.call(md, c);
    p.then((s) => seen.push(s), () => {});
    return p;
  };
  return {
    count() { return seen.length; },
    live_tracks() {
      return seen.flatMap((s) => s.getTracks()).filter((t) => t.readyState === "live").length;
    },
    all_tracks() { return seen.flatMap((s) => s.getTracks()).length; },
    restore() { delete md.getUserMedia; },
  };
}

function override(target, key, value) {
  const own = Object.getOwnPropertyDescriptor(target, key);
  Object.defineProperty(target, key, { value, configurable: true, writable: true });
  return () => {
    if (own) Object.defineProperty(target, key, own); else delete target[key];
  };
}

// Hides navigator.mediaDevices as an insecure page sees it (isSecureContext false).
export function pretend_insecure() {
  const undo = [override(navigator, "mediaDevices", undefined),
                override(window, "isSecureContext", false)];
  return () => undo.reverse().forEach((f) => f());
}

// An old browser: no navigator.mediaDevices, only the callback-style webkitGetUserMedia
// (wrapped around the real implementation), which fails with `legacy_error` when given.
export function pretend_legacy(legacy_error) {
  const md = navigator.mediaDevices;
  const real = md.getUserMedia.bind(md);
  // Chromium still has the unprefixed callback-style navigator.getUserMedia: hide it too.
  const undo = [override(navigator, "mediaDevices", undefined),
                override(navigator, "getUserMedia", undefined),
                override(navigator, "mozGetUserMedia", undefined),
                override(navigator, "webkitGetUserMedia", function (c, ok, fail) {
                  if (legacy_error) {
                    setTimeout(() => fail({ name: legacy_error, message: "legacy refusal" }), 0);
                  } else {
                    real(c).then(ok, fail);
                  }
                })];
  return () => undo.reverse().forEach((f) => f());
}

export function fire_device_change() {
  navigator.mediaDevices.dispatchEvent(new Event("devicechange"));
}
