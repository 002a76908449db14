// The volume chart: record counts per time bucket, stacked by level (SVG), with per-level totals
// in the legend. Dragging across it picks a narrower time range.

import { LEVEL_ORDER } from './levels.js';

const SVG = 'http://www.w3.org/2000/svg';
const HEIGHT = 120;
const AXIS = 18;
const NICE_SECONDS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800];

/** The bucket, in whole seconds, that cuts `spanMs` into at most ~80 bars. */
export function bucketSecondsFor(spanMs) {
  const wanted = spanMs / 80 / 1000;
  return NICE_SECONDS.find((s) => s >= wanted) ?? Math.ceil(wanted / 86400) * 86400;
}

function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function tickLabel(ms, spanMs) {
  const d = new Date(ms);
  const time = d.toLocaleTimeString([], spanMs <= 3600e3 ? { hour: '2-digit', minute: '2-digit', second: '2-digit' } : { hour: '2-digit', minute: '2-digit' });
  return spanMs > 86400e3 ? `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${time}` : time;
}

/**
 * Draws the chart. `buckets` come from `GET /api/logs/histogram` (`{ time, level, count }`),
 * `range` is `{ sinceMs, untilMs }`. Returns the total count drawn.
 */
export function renderHistogram(buckets, bucketSeconds, range) {
  const svg = document.getElementById('histogram');
  const width = Math.max(svg.clientWidth, 200);
  svg.setAttribute('viewBox', `0 0 ${width} ${HEIGHT}`);
  svg.replaceChildren();
  const span = Math.max(range.untilMs - range.sinceMs, 1);
  const plot = HEIGHT - AXIS;
  const xOf = (ms) => ((ms - range.sinceMs) / span) * width;

  const stacks = new Map();
  const totals = Object.fromEntries(LEVEL_ORDER.map((l) => [l, 0]));
  for (const b of buckets) {
    const t = Date.parse(b.time);
    if (!stacks.has(t)) stacks.set(t, {});
    stacks.get(t)[b.level] = (stacks.get(t)[b.level] ?? 0) + b.count;
    totals[b.level] = (totals[b.level] ?? 0) + b.count;
  }
  let max = 1;
  for (const s of stacks.values()) max = Math.max(max, Object.values(s).reduce((a, n) => a + n, 0));

  const bars = el('g', { class: 'bars' });
  for (const [t, counts] of stacks) {
    const x0 = Math.max(0, xOf(t));
    const x1 = Math.min(width, xOf(t + bucketSeconds * 1000));
    const w = Math.max(1, x1 - x0 - 1);
    let y = plot;
    // Most severe at the bottom, where the eye finds it first.
    for (const level of [...LEVEL_ORDER].reverse()) {
      const n = counts[level];
      if (!n) continue;
      const h = Math.max(1, (n / max) * (plot - 4));
      y -= h;
      const rect = el('rect', { class: `bar lvl-${level}`, x: x0, y, width: w, height: h, 'data-level': level, 'data-count': n, 'data-time': t });
      rect.append(el('title', {}, `${new Date(t).toLocaleString()} · ${level}: ${n}`));
      bars.append(rect);
    }
  }
  svg.append(bars);

  const axis = el('g', { class: 'axis', 'aria-hidden': 'true' });
  axis.append(el('line', { x1: 0, x2: width, y1: plot + 0.5, y2: plot + 0.5 }));
  const ticks = Math.max(2, Math.floor(width / 140));
  for (let i = 0; i <= ticks; i++) {
    const x = (i / ticks) * width;
    axis.append(el('text', { x, y: HEIGHT - 4, 'text-anchor': i === 0 ? 'start' : i === ticks ? 'end' : 'middle' }, tickLabel(range.sinceMs + (i / ticks) * span, span)));
  }
  svg.append(axis);
  svg.append(el('rect', { class: 'selection', x: 0, y: 0, width: 0, height: plot, visibility: 'hidden' }));

  const total = Object.values(totals).reduce((a, n) => a + n, 0);
  const totalNode = document.getElementById('chart-total');
  totalNode.textContent = `${total.toLocaleString()} records`;
  totalNode.dataset.total = String(total);
  const legend = document.getElementById('legend');
  legend.replaceChildren(
    ...LEVEL_ORDER.filter((l) => totals[l] > 0).map((level) => {
      const li = document.createElement('li');
      li.innerHTML = `<span class="swatch lvl-${level}" aria-hidden="true"></span>${level} <b></b>`;
      li.querySelector('b').textContent = totals[level].toLocaleString();
      li.dataset.level = level;
      li.dataset.count = String(totals[level]);
      return li;
    }),
  );
  return total;
}

/** Shows the chart as loading without changing its size. */
export function markHistogramLoading(loading) {
  document.getElementById('histogram').classList.toggle('loading', loading);
}

/**
 * Lets the user drag across the chart; `onRange(sinceMs, untilMs)` gets the picked range.
 * `currentRange()` returns the range the chart shows.
 */
export function enableHistogramDrag(currentRange, onRange) {
  const svg = document.getElementById('histogram');
  let start = null;
  const xAt = (event) => {
    const box = svg.getBoundingClientRect();
    return Math.min(Math.max(event.clientX - box.left, 0), box.width);
  };
  const selection = () => svg.querySelector('.selection');
  svg.addEventListener('pointerdown', (event) => {
    if (event.button !== 0) return;
    start = xAt(event);
    svg.setPointerCapture(event.pointerId);
    selection()?.setAttribute('visibility', 'hidden');
  });
  svg.addEventListener('pointermove', (event) => {
    if (start === null) return;
    const x = xAt(event);
    const sel = selection();
    if (!sel) return;
    const scale = Number(svg.viewBox.baseVal.width) / svg.getBoundingClientRect().width || 1;
    sel.setAttribute('x', Math.min(start, x) * scale);
    sel.setAttribute('width', Math.abs(x - start) * scale);
    sel.setAttribute('visibility', 'visible');
  });
  svg.addEventListener('pointerup', (event) => {
    if (start === null) return;
    const x = xAt(event);
    const from = Math.min(start, x);
    const to = Math.max(start, x);
    start = null;
    selection()?.setAttribute('visibility', 'hidden');
    if (to - from < 4) return; // a click, not a drag
    const { sinceMs, untilMs } = currentRange();
    const width = svg.getBoundingClientRect().width;
    const at = (px) => sinceMs + (px / width) * (untilMs - sinceMs);
    onRange(at(from), at(to));
  });
}
