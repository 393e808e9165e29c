// The plot of benches/run.mjs: each contestant's speed relative to raw JS (raw JS's time / its
// time, median of the runs), one bar per browser, grouped by exchange, as a plain SVG.
const COLORS = { chromium: "#4a7fd4", firefox: "#e0783a" };
const escape = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;");

export function svg(report, exchanges) {
  const browsers = Object.entries(report.browsers);
  const rows = [];
  for (const [exchange, spec] of Object.entries(exchanges)) {
    rows.push({ heading: spec.text });
    const labels = new Map();
    for (const [, { results }] of browsers) {
      for (const [id, entry] of Object.entries(results[exchange] ?? {})) labels.set(id, entry.label);
    }
    for (const [id, label] of labels) {
      for (const [kind, { results }] of browsers) {
        const s = results[exchange]?.[id]?.summary;
        rows.push({ label, kind, ratio: s && !s.failed ? s.ratio : null, range: s?.ratioRange });
      }
    }
  }
  // Up to 2: a longer whisker is cut there (a single setup can be 10× another under load).
  const max = 2;
  const left = 170, width = 440, rowH = 16, top = 46;
  const x = (v) => (left + (Math.min(v, max) / max) * width).toFixed(1);
  const height = top + rows.length * rowH + 30;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 70}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="8" y="16" font-size="13" font-weight="bold">Speed relative to raw browser JS (raw JS time / contestant time; 1 = as fast, higher is faster)</text>`,
    `<text x="8" y="32" fill="#555">Median of ${report.runs} alternating runs (setup: ${report.setups}); whiskers: run-to-run range (cut at 2). ${escape(report.machine.cpu)}, ${report.machine.cores} cores, ${report.date.slice(0, 10)}.</text>`,
  ];
  browsers.forEach(([kind, { version }], i) => {
    out.push(`<rect x="${left + i * 150}" y="${height - 18}" width="10" height="10" fill="${COLORS[kind]}"/>`,
      `<text x="${left + i * 150 + 14}" y="${height - 9}">${escape(version)}</text>`);
  });
  rows.forEach((row, i) => {
    const y = top + i * rowH;
    if (row.heading) {
      out.push(`<text x="8" y="${y + 12}" font-weight="bold">${escape(row.heading)}</text>`);
      return;
    }
    out.push(`<text x="${left - 6}" y="${y + 11}" text-anchor="end">${escape(row.label)}</text>`);
    if (row.ratio == null) {
      out.push(`<text x="${left + 4}" y="${y + 11}" fill="#a00">failed</text>`);
      return;
    }
    out.push(`<rect x="${left}" y="${y + 2}" width="${(x(row.ratio) - left).toFixed(1)}" height="${rowH - 5}" fill="${COLORS[row.kind]}"/>`);
    if (row.range) out.push(`<line x1="${x(row.range[0])}" x2="${x(row.range[1])}" y1="${y + 7}" y2="${y + 7}" stroke="#222"/>`);
    out.push(`<text x="${Number(x(Math.max(row.ratio, row.range?.[1] ?? 0))) + 4}" y="${y + 11}">${row.ratio.toFixed(2)}</text>`);
  });
  out.push(`<line x1="${x(1)}" x2="${x(1)}" y1="${top}" y2="${height - 24}" stroke="#000" stroke-dasharray="3,3"/>`);
  out.push("</svg>");
  return out.join("\n") + "\n";
}
