// The filter form: reads it into query API parameters and a time range, and writes a range back
// (when the chart is dragged).

const PRESET_MS = { '15m': 15 * 60e3, '1h': 3600e3, '24h': 86400e3, '7d': 7 * 86400e3 };

const form = () => document.getElementById('filters');
const field = (name) => form().elements.namedItem(name);

/** `2026-11-23T10:00:05` in local time, what a datetime-local input holds. */
export function toLocalInput(ms) {
  const d = new Date(ms);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Enables the custom from/to inputs only when the range select says "Custom…". */
export function syncCustomInputs() {
  const custom = field('range').value === 'custom';
  for (const name of ['from', 'to']) {
    field(name).disabled = !custom;
    field(name).required = custom;
  }
}

/** Switches the form to a custom range [sinceMs, untilMs) (whole seconds, widened outwards). */
export function setCustomRange(sinceMs, untilMs) {
  field('range').value = 'custom';
  field('from').value = toLocalInput(Math.floor(sinceMs / 1000) * 1000);
  field('to').value = toLocalInput(Math.ceil(untilMs / 1000) * 1000);
  syncCustomInputs();
}

/**
 * Reads the form. Returns `{ params, range }` where `params` are the query API's filter parameters
 * (URLSearchParams, `attr` repeated) and `range` is `{ sinceMs, untilMs, open }`: `open` ranges
 * run up to now (presets) and so also take live-tailed records. Throws an Error naming the bad field.
 */
export function readFilters(nowMs = Date.now()) {
  const params = new URLSearchParams();
  const preset = field('range').value;
  let range;
  if (preset === 'custom') {
    const since = new Date(field('from').value).getTime();
    const until = new Date(field('to').value).getTime();
    if (Number.isNaN(since)) throw new FieldError('from', 'From: enter a date and time');
    if (Number.isNaN(until)) throw new FieldError('to', 'To: enter a date and time');
    if (until <= since) throw new FieldError('to', 'To: must be after From');
    range = { sinceMs: since, untilMs: until, open: false };
    params.set('until', String(until));
  } else {
    range = { sinceMs: nowMs - PRESET_MS[preset], untilMs: nowMs, open: true };
  }
  params.set('since', String(Math.floor(range.sinceMs)));
  for (const name of ['level', 'service', 'grep', 'requestId', 'traceId', 'user']) {
    const value = field(name).value.trim();
    if (value) params.set(name, value);
  }
  const trace = params.get('traceId');
  if (trace && !/^[0-9a-fA-F]{32}$/.test(trace)) throw new FieldError('traceId', 'Trace id: expected 32 hex digits');
  for (const item of field('attr').value.split(';').map((s) => s.trim()).filter(Boolean)) {
    if (item.indexOf('=') < 1) throw new FieldError('attr', `Attribute: "${item}" is not key=value`);
    params.append('attr', item);
  }
  return { params, range };
}

/** A form value that is not valid; `field` is the input's name. */
export class FieldError extends Error {
  constructor(name, message) {
    super(message);
    this.field = name;
  }
}

/** The input for a query API parameter name, to focus after the API rejected it. */
export function inputFor(param) {
  if (param === 'since') return field('from');
  if (param === 'until') return field('to');
  return field(param) ?? null;
}

const SAVED_FIELDS = ['range', 'from', 'to', 'level', 'service', 'grep', 'attr', 'requestId', 'traceId', 'user'];

/** The form's non-default values as URL hash text, so a reload or a shared link shows the same view. */
export function formToHash(extra = {}) {
  const out = new URLSearchParams();
  for (const name of SAVED_FIELDS) {
    const el = field(name);
    if (el.value && !(name === 'range' && el.value === '1h') && !el.disabled) out.set(name, el.value);
  }
  for (const [k, v] of Object.entries(extra)) out.set(k, v);
  return out.toString();
}

/** Fills the form from hash text written by {@link formToHash}; returns the hash's parameters. */
export function hashToForm(hash) {
  const saved = new URLSearchParams(hash.replace(/^#/, ''));
  for (const name of SAVED_FIELDS) {
    const el = field(name);
    const value = saved.get(name);
    if (value === null) {
      // Not in the link: back to the field's default (what a fresh page shows).
      if (el.tagName === 'SELECT') el.selectedIndex = Math.max(0, [...el.options].findIndex((o) => o.defaultSelected));
      else el.value = el.defaultValue;
      continue;
    }
    // A select keeps its value only when it has that option.
    el.value = value;
    if (el.value !== value && el.tagName === 'SELECT') el.selectedIndex = 0;
  }
  syncCustomInputs();
  return saved;
}
