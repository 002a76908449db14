// The result table: rows of records (time, coloured level, service, logger, message), keyboard
// navigation with a roving tabindex, and a callback when a row is opened.

import { levelOf } from './levels.js';

const recordOf = new WeakMap();
let onOpen = () => {};

const tbody = () => document.getElementById('rows');

/** Local time with milliseconds, from the record's nanosecond timestamp. */
export function formatTime(record) {
  const ms = Number(BigInt(record.timestampNs) / 1000000n);
  const d = new Date(ms);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  td.title = text;
  return td;
}

function rowFor(record) {
  const tr = document.createElement('tr');
  const level = levelOf(record.severityNumber);
  tr.tabIndex = -1;
  tr.className = `row lvl-row-${level}`;
  tr.dataset.cursor = record.cursor;
  const levelCell = cell(record.severityText || level, `level lvl-${level}`);
  levelCell.dataset.level = level;
  const time = cell(formatTime(record), 'time');
  time.title = record.timestamp;
  tr.append(time, levelCell, cell(record.serviceName, 'service'), cell(record.scopeName, 'scope'), cell(record.body.split('\n')[0], 'message'));
  recordOf.set(tr, record);
  return tr;
}

function ensureTabStop() {
  const rows = tbody().rows;
  if (rows.length && !tbody().querySelector('tr[tabindex="0"]')) rows[0].tabIndex = 0;
}

/** Removes every row. */
export function clearRows() {
  tbody().replaceChildren();
}

/** Adds records at the bottom (the next page). */
export function appendRecords(records) {
  const fragment = document.createDocumentFragment();
  for (const r of records) fragment.append(rowFor(r));
  tbody().append(fragment);
  ensureTabStop();
}

/**
 * Adds records (newest first) at the top, marked as new. When the user has scrolled down, the
 * scroll position is kept so what they read does not move.
 */
export function prependRecords(records) {
  if (!records.length) return;
  const scroller = document.getElementById('scroller');
  const before = scroller.scrollHeight;
  const fragment = document.createDocumentFragment();
  for (const r of records) {
    const tr = rowFor(r);
    tr.classList.add('new');
    fragment.append(tr);
  }
  tbody().prepend(fragment);
  if (scroller.scrollTop > 0) scroller.scrollTop += scroller.scrollHeight - before;
  ensureTabStop();
}

/**
 * Keeps at most `max` rows (live tail keeps adding): drops the oldest from the bottom and returns
 * the cursor of the last row kept, from which scrolling down fetches them again; undefined if none dropped.
 */
export function trimRows(max) {
  const rows = tbody().rows;
  if (rows.length <= max) return undefined;
  while (rows.length > max) rows[rows.length - 1].remove();
  ensureTabStop();
  return recordOf.get(rows[rows.length - 1]).cursor;
}

/** Number of rows shown. */
export function rowCount() {
  return tbody().rows.length;
}

/** The record of the first row (the newest in the list view), if any. */
export function firstRecord() {
  const first = tbody().rows[0];
  return first ? recordOf.get(first) : undefined;
}

/** The record of the last row, if any. */
export function lastRecord() {
  const rows = tbody().rows;
  return rows.length ? recordOf.get(rows[rows.length - 1]) : undefined;
}

function focusRow(tr) {
  if (!tr) return;
  for (const other of tbody().querySelectorAll('tr[tabindex="0"]')) other.tabIndex = -1;
  tr.tabIndex = 0;
  tr.focus();
}

function open(tr) {
  for (const other of tbody().querySelectorAll('tr[aria-current="true"]')) other.removeAttribute('aria-current');
  tr.setAttribute('aria-current', 'true'); // the record the detail panel shows
  focusRow(tr);
  onOpen(recordOf.get(tr));
}

/** Wires clicks and keys: arrows/Home/End/PageUp/PageDown move, Enter or Space opens the row. */
export function initResults(openRecord) {
  onOpen = openRecord;
  tbody().addEventListener('click', (event) => {
    const tr = event.target.closest('tr');
    if (tr) open(tr);
  });
  tbody().addEventListener('keydown', (event) => {
    const tr = event.target.closest('tr');
    if (!tr) return;
    const rows = tbody().rows;
    const index = tr.sectionRowIndex;
    const to = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      Home: 0,
      End: rows.length - 1,
      PageDown: index + 10,
      PageUp: index - 10,
    }[event.key];
    if (to !== undefined) {
      event.preventDefault();
      focusRow(rows[Math.max(0, Math.min(rows.length - 1, to))]);
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      open(tr);
    }
  });
}
