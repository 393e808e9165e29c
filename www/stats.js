// Live connection quality from getStats: incoming media bitrate and round-trip time, and a
// small canvas graph of both. No library.

/** Reads one sample from `pc.getStats()`: total inbound-rtp bytes and the selected pair's RTT. */
export async function readStats(pc) {
  const report = await pc.getStats();
  let bytes = 0;
  let selectedPair = null;
  let packetsLost = 0;
  let packetsReceived = 0;
  report.forEach((r) => {
    if (r.type === "inbound-rtp") {
      bytes += r.bytesReceived ?? 0;
      packetsLost += Math.max(0, r.packetsLost ?? 0);
      packetsReceived += r.packetsReceived ?? 0;
    }
    if (r.type === "transport" && r.selectedCandidatePairId) selectedPair = r.selectedCandidatePairId;
  });
  let rttMs = null;
  report.forEach((r) => {
    if (r.type !== "candidate-pair" || r.currentRoundTripTime == null) return;
    // Chromium names the pair on the transport; Firefox marks it `selected`.
    const isSelected = selectedPair ? r.id === selectedPair : (r.selected || (r.nominated && r.state === "succeeded"));
    if (isSelected) rttMs = r.currentRoundTripTime * 1000;
  });
  return { at: performance.now(), bytes, rttMs, packetsLost, packetsReceived };
}

/** Bitrate in kbit/s between two samples (0 when the counters went back, as after an ICE restart). */
export function kbpsBetween(prev, next) {
  if (!prev || next.bytes < prev.bytes || next.at <= prev.at) return 0;
  return ((next.bytes - prev.bytes) * 8) / (next.at - prev.at);
}

export function formatKbps(kbps) {
  return kbps >= 1000 ? `${(kbps / 1000).toFixed(1)} Mb/s` : `${Math.round(kbps)} kb/s`;
}

export function formatRtt(ms) {
  return ms == null ? "– ms" : `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

const BITRATE = "#5b9bff";
const RTT = "#ffad4d";

/** A rolling two-line graph (bitrate and RTT, each on its own scale) on a canvas. */
export class StatsGraph {
  constructor(canvas, length = 30) {
    this.canvas = canvas;
    this.length = length;
    this.kbps = [];
    this.rtt = [];
  }

  push(kbps, rttMs) {
    this.kbps.push(kbps);
    this.rtt.push(rttMs);
    if (this.kbps.length > this.length) {
      this.kbps.shift();
      this.rtt.shift();
    }
    this.draw();
  }

  draw() {
    const { canvas } = this;
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth || canvas.width;
    const height = canvas.clientHeight || canvas.height;
    if (canvas.width !== Math.round(width * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.strokeStyle = "rgb(255 255 255 / 12%)";
    ctx.lineWidth = 1;
    for (const y of [0.5, height / 2, height - 0.5]) {
      ctx.beginPath();
      ctx.moveTo(0, y);
      ctx.lineTo(width, y);
      ctx.stroke();
    }
    this.line(ctx, this.kbps, Math.max(200, ...this.kbps) * 1.1, BITRATE, width, height, true);
    this.line(ctx, this.rtt, Math.max(20, ...this.rtt.filter((v) => v != null)) * 1.1, RTT, width, height, false);
  }

  line(ctx, values, max, color, width, height, fill) {
    if (values.length < 2) return;
    const step = width / (this.length - 1);
    const x0 = width - (values.length - 1) * step;
    ctx.beginPath();
    let started = false;
    values.forEach((v, i) => {
      if (v == null) return;
      const x = x0 + i * step;
      const y = height - 2 - (v / max) * (height - 4);
      if (started) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
      started = true;
    });
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5;
    ctx.lineJoin = "round";
    ctx.stroke();
    if (fill && started) {
      ctx.lineTo(width, height);
      ctx.lineTo(x0, height);
      ctx.closePath();
      ctx.fillStyle = `${color}33`;
      ctx.fill();
    }
  }
}
