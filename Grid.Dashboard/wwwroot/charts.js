'use strict';
// The dashboard's charts: a line chart over time as inline SVG, drawn here by hand (a few dozen lines need no
// charting library). app.js gives the series and puts the chart and its legend in the page.
window.GridCharts = (() => {
  const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#be185d', '#4d7c0f'];
  const [W, H, LEFT, RIGHT, TOP, BOTTOM] = [480, 150, 60, 10, 10, 20];

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    node.append(...children);
    return node;
  }

  // The smallest of 1, 2, 2.5, 5 × 10^n at or above v: a top of the y axis that reads well.
  function niceCeiling(v) {
    if (!(v > 0)) return 1;
    const p = 10 ** Math.floor(Math.log10(v));
    return [1, 2, 2.5, 5, 10].map((m) => m * p).find((c) => c >= v);
  }

  /**
   * An <svg> with one line per series, time on x. series: [{ name, color, points: [[timeMs, value|null]] }]; a null
   * value breaks the line (the node did not answer). format writes a y value; windowMs is the most time shown.
   */
  function lineChart(label, series, format, windowMs) {
    const all = series.flatMap((s) => s.points);
    // The x axis spans the samples there are (at least 10 s), up to the whole window: a young cluster's few seconds
    // fill the chart instead of a sliver at its right edge.
    const times = all.map(([t]) => t);
    const end = times.length ? Math.max(...times) : Date.now();
    const span = Math.min(windowMs, Math.max(10000, end - (times.length ? Math.min(...times) : end)));
    const start = end - span;
    const top = niceCeiling(Math.max(0, ...all.map(([, v]) => v ?? 0)));
    const x = (t) => LEFT + ((t - start) / span) * (W - LEFT - RIGHT);
    const y = (v) => TOP + (1 - v / top) * (H - TOP - BOTTOM);
    const parts = [];
    for (const f of [0, 0.5, 1]) {
      parts.push(svg('line', { x1: LEFT, x2: W - RIGHT, y1: y(top * f), y2: y(top * f), class: 'grid' }));
      parts.push(svg('text', { x: LEFT - 6, y: y(top * f) + 4, 'text-anchor': 'end' }, format(top * f)));
    }
    const ago = span >= 60000 ? `−${Math.round(span / 6000) / 10} min` : `−${Math.round(span / 1000)} s`;
    parts.push(svg('text', { x: LEFT, y: H - 4 }, ago), svg('text', { x: W - RIGHT, y: H - 4, 'text-anchor': 'end' }, 'now'));
    for (const s of series) {
      let d = '';
      let pen = 'M';
      for (const [t, v] of s.points) {
        if (t < start) continue;
        if (v == null) { pen = 'M'; continue; }
        d += `${pen}${x(t).toFixed(1)},${y(v).toFixed(1)}`;
        pen = 'L';
      }
      if (d) parts.push(svg('path', { d, stroke: s.color, class: 'series' }));
      // The newest value as a dot: a series of one sample still shows.
      const last = s.points.findLast(([t, v]) => v != null && t >= start);
      if (last) parts.push(svg('circle', { cx: x(last[0]), cy: y(last[1]), r: 2.5, fill: s.color }));
    }
    return svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label }, ...parts);
  }

  return { COLORS, lineChart };
})();
