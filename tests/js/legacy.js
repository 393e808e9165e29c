// What the page had when this module loaded, before any fixture.
const WINDOW_NAMES = ["RTCPeerConnection", "webkitRTCPeerConnection", "mozRTCPeerConnection",
                      "RTCSessionDescription", "mozRTCSessionDescription",
                      "RTCIceCandidate", "mozRTCIceCandidate"];
const NAVIGATOR_NAMES = ["mediaDevices", "getUserMedia", "webkitGetUserMedia", "mozGetUserMedia"];
const initial = {
  window: WINDOW_NAMES.map((n) => [n, Object.getOwnPropertyDescriptor(window, n), window[n]]),
  navigator: NAVIGATOR_NAMES.map((n) => [n, Object.getOwnPropertyDescriptor(navigator, n),
                                         navigator[n]]),
};
const RealPC = window.RTCPeerConnection;
const RealSD = window.RTCSessionDescription;
const RealIC = window.RTCIceCandidate;
const realGetUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);

const undos = [];
function override(target, key, value) {
  const own = Object.getOwnPropertyDescriptor(target, key);
  Object.defineProperty(target, key, { value, configurable: true, writable: true });
  undos.push(() => {
    if (own) Object.defineProperty(target, key, own); else delete target[key];
  });
}

export function restore_all() {
  while (undos.length) undos.pop()();
}

// Whether every global a fixture touches is as it was when the module loaded.
export function globals_intact() {
  const same = (target, [name, descriptor, value]) => {
    const now = Object.getOwnPropertyDescriptor(target, name);
    return target[name] === value && (now === undefined) === (descriptor === undefined);
  };
  return initial.window.every((e) => same(window, e)) &&
         initial.navigator.every((e) => same(navigator, e));
}

function hide_all() {
  WINDOW_NAMES.forEach((n) => override(window, n, undefined));
  NAVIGATOR_NAMES.forEach((n) => override(navigator, n, undefined));
}

// Old-style session descriptions and candidates (mozRTCSessionDescription, mozRTCIceCandidate).
function MozSD(init) {
  this.type = init && init.type;
  this.sdp = init && init.sdp;
}
MozSD.prototype.toJSON = function () { return { type: this.type, sdp: this.sdp }; };
function MozIC(init) {
  this.candidate = init && init.candidate;
  this.sdpMid = init && init.sdpMid;
  this.sdpMLineIndex = init && init.sdpMLineIndex;
}
MozIC.prototype.toJSON = function () {
  return { candidate: this.candidate, sdpMid: this.sdpMid, sdpMLineIndex: this.sdpMLineIndex };
};

const plainDescription = (d) => ({ type: d.type, sdp: d.sdp });
const plainCandidate = (c) => {
  const init = { candidate: c.candidate };
  if (c.sdpMid !== undefined && c.sdpMid !== null) init.sdpMid = c.sdpMid;
  if (c.sdpMLineIndex !== undefined && c.sdpMLineIndex !== null) init.sdpMLineIndex = c.sdpMLineIndex;
  return init;
};

// A legacy peer connection class around the real one. Options:
//   callbacks: only callback-form async methods (createOffer(success, failure, constraints)...)
//   instances: { sd, ic } classes that descriptions and candidates must be instances of
//   urlOnly: the constructor refuses iceServers[].urls and requires url
//   addStreamOnly: no addTrack, no ontrack / track event; addStream and onaddstream instead
function legacyClass(opts) {
  const real = RealPC.prototype;
  const proto = Object.create(real);
  const log = { constructed: [], misuse: [], calls: {}, offerConstraints: [], trackListeners: 0 };
  const count = (name) => { log.calls[name] = (log.calls[name] || 0) + 1; };
  const need = (value, Class, what) => {
    if (Class && !(value instanceof Class)) {
      log.misuse.push(what + " not an instance");
      throw new TypeError(what + " must be an instance of " + Class.name);
    }
  };
  function Legacy(config, constraints) {
    log.constructed.push(JSON.stringify([config === undefined ? null : config,
                                         constraints === undefined ? null : constraints]));
    const servers = (config && config.iceServers) || [];
    if (opts.urlOnly && servers.some((s) => "urls" in s || typeof s.url !== "string")) {
      throw new TypeError("this browser knows only iceServers[].url");
    }
    // The real implementation takes urls.
    const modern = Object.assign({}, config, {
      iceServers: servers.map((s) => {
        const m = { urls: s.urls !== undefined ? s.urls : s.url };
        if (s.username !== undefined) m.username = s.username;
        if (s.credential !== undefined) m.credential = s.credential;
        return m;
      }),
    });
    const pc = new RealPC(modern);
    Object.setPrototypeOf(pc, proto);
    // Chromium still fires its own legacy `addstream` events; elsewhere the fixture does.
    if (opts.addStreamOnly && !("onaddstream" in real)) {
      const seen = new Set();
      EventTarget.prototype.addEventListener.call(pc, "track", (e) => {
        for (const stream of e.streams) {
          if (seen.has(stream.id)) continue;
          seen.add(stream.id);
          const event = new Event("addstream");
          event.stream = stream;
          pc.dispatchEvent(event);
          if (typeof pc.onaddstream === "function") pc.onaddstream(event);
        }
      });
    }
    return pc;
  }
  Legacy.prototype = proto;
  Object.defineProperty(proto, "constructor", { value: Legacy, configurable: true });
  const define = (name, value) =>
    Object.defineProperty(proto, name, { value, configurable: true, writable: true });

  if (opts.callbacks) {
    const callbackMethod = (name, run) => function (first, second, third) {
      count(name);
      // createOffer/createAnswer(success, failure, constraints); others (arg, success, failure)
      const withArg = name !== "createOffer" && name !== "createAnswer";
      const [arg, success, failure, extra] = withArg ? [first, second, third, undefined]
                                                      : [undefined, first, second, third];
      if (typeof success !== "function" || typeof failure !== "function") {
        log.misuse.push(name + " called without callbacks");
        throw new TypeError(name + " needs success and failure callbacks");
      }
      run.call(this, arg, extra).then(success, failure);
      return undefined;
    };
    define("createOffer", callbackMethod("createOffer", function (_, constraints) {
      log.offerConstraints.push(JSON.stringify(constraints === undefined ? null : constraints));
      return real.createOffer.call(this);
    }));
    define("createAnswer", callbackMethod("createAnswer", function () {
      return real.createAnswer.call(this).then((d) => d);
    }));
    define("setLocalDescription", callbackMethod("setLocalDescription", function (d) {
      need(d, RealSD, "description");
      return real.setLocalDescription.call(this, plainDescription(d)).then(() => undefined);
    }));
    define("setRemoteDescription", callbackMethod("setRemoteDescription", function (d) {
      need(d, RealSD, "description");
      return real.setRemoteDescription.call(this, plainDescription(d)).then(() => undefined);
    }));
    define("addIceCandidate", callbackMethod("addIceCandidate", function (c) {
      need(c, RealIC, "candidate");
      return real.addIceCandidate.call(this, plainCandidate(c)).then(() => undefined);
    }));
    if (opts.chromeStats) {
      // Old Chrome: getStats(successCallback, optional selector), length 1, answering with an
      // RTCStatsResponse whose reports give their values as strings through names()/stat().
      define("getStats", function (success) {
        count("getStats");
        if (typeof success !== "function") {
          log.misuse.push("getStats called without a success callback first");
          throw new TypeError("getStats needs a success callback");
        }
        real.getStats.call(this, arguments[1] || null).then((report) => {
          const list = [];
          report.forEach((stats) => list.push({
            id: stats.id,
            type: stats.type,
            timestamp: new Date(stats.timestamp),
            names: () => Object.keys(stats).filter((k) => !["id", "type", "timestamp"].includes(k)),
            stat: (name) => String(stats[name]),
          }));
          success({ result: () => list });
        });
        return undefined;
      });
    } else {
      define("getStats", callbackMethod("getStats", function (selector) {
        return real.getStats.call(this, selector || null);
      }));
    }
  } else if (opts.instances) {
    const { sd, ic } = opts.instances;
    define("setLocalDescription", function (d) {
      count("setLocalDescription");
      need(d, sd, "description");
      return real.setLocalDescription.call(this, plainDescription(d));
    });
    define("setRemoteDescription", function (d) {
      count("setRemoteDescription");
      need(d, sd, "description");
      return real.setRemoteDescription.call(this, plainDescription(d));
    });
    define("addIceCandidate", function (c) {
      count("addIceCandidate");
      need(c, ic, "candidate");
      return real.addIceCandidate.call(this, plainCandidate(c));
    });
  }
  if (opts.addStreamOnly) {
    define("addTrack", undefined);
    define("ontrack", undefined);
    if (!("onaddstream" in real)) define("onaddstream", null);
    define("addStream", function (stream) {
      count("addStream");
      for (const track of stream.getTracks()) real.addTrack.call(this, track, stream);
    });
    define("removeStream", function (stream) {
      count("removeStream");
      const tracks = stream.getTracks();
      for (const sender of real.getSenders.call(this)) {
        if (tracks.includes(sender.track)) real.removeTrack.call(this, sender);
      }
    });
    define("addEventListener", function (type, listener, options) {
      if (type === "track") { log.trackListeners += 1; return; }
      return EventTarget.prototype.addEventListener.call(this, type, listener, options);
    });
  }
  return { Legacy, log };
}

function legacyGetUserMedia(constraints, ok, fail) {
  realGetUserMedia(constraints).then(ok, fail);
}

let currentLog = null;

// Builds the page of an old browser; returns nothing, `fixture_log()` reports on it.
export function pretend(kind) {
  restore_all();
  hide_all();
  let made;
  switch (kind) {
    case "webkit":
      // Chrome 51-55: webkitRTCPeerConnection with promises, unprefixed description and
      // candidate classes, navigator.webkitGetUserMedia.
      made = legacyClass({});
      override(window, "webkitRTCPeerConnection", made.Legacy);
      override(window, "RTCSessionDescription", RealSD);
      override(window, "RTCIceCandidate", RealIC);
      override(navigator, "webkitGetUserMedia", legacyGetUserMedia);
      break;
    case "webkit-callbacks":
      // Chrome before 51: webkitRTCPeerConnection with callback-only methods and its own
      // getStats(success, selector).
      made = legacyClass({ callbacks: true, chromeStats: true });
      override(window, "webkitRTCPeerConnection", made.Legacy);
      override(window, "RTCSessionDescription", RealSD);
      override(window, "RTCIceCandidate", RealIC);
      override(navigator, "webkitGetUserMedia", legacyGetUserMedia);
      break;
    case "moz":
      // Firefox before 44: everything moz-prefixed, instances required.
      made = legacyClass({ instances: { sd: MozSD, ic: MozIC } });
      override(window, "mozRTCPeerConnection", made.Legacy);
      override(window, "mozRTCSessionDescription", MozSD);
      override(window, "mozRTCIceCandidate", MozIC);
      override(navigator, "mozGetUserMedia", legacyGetUserMedia);
      break;
    case "callbacks":
      // The 2013 specification: callback-only methods taking instances.
      made = legacyClass({ callbacks: true });
      override(window, "RTCPeerConnection", made.Legacy);
      override(window, "RTCSessionDescription", RealSD);
      override(window, "RTCIceCandidate", RealIC);
      break;
    case "url-only":
      made = legacyClass({ urlOnly: true });
      override(window, "webkitRTCPeerConnection", made.Legacy);
      override(window, "RTCSessionDescription", RealSD);
      override(window, "RTCIceCandidate", RealIC);
      break;
    case "add-stream-only":
      made = legacyClass({ addStreamOnly: true });
      override(window, "RTCPeerConnection", made.Legacy);
      override(window, "RTCSessionDescription", RealSD);
      override(window, "RTCIceCandidate", RealIC);
      override(navigator, "mediaDevices", initial.navigator[0][2]);
      break;
    case "refusing":
      // An old browser whose callback getUserMedia fails with `refusal` (see set_refusal).
      override(navigator, "webkitGetUserMedia", (c, ok, fail) => setTimeout(() => fail(refusal), 0));
      made = { log: null };
      break;
    case "none":
      made = { log: null };
      break;
    default:
      throw new Error("unknown fixture " + kind);
  }
  currentLog = made.log;
}

let refusal = null;
// What the "refusing" fixture fails with: a JSON value (an error-like object or a string).
export function set_refusal(json) {
  refusal = JSON.parse(json);
}

// The fixture's record as JSON: constructor arguments, misuse, call counts.
export function fixture_log() {
  return JSON.stringify(currentLog);
}
