// logq explorer: wires the filter form, the volume chart, the result list, the detail panel,
// the request view and live tail to the collector's query API.

import { apiGet, ApiError, cursorAtMs } from './api.js';
import { clearDetail, showDetail } from './detail.js';
import { FieldError, formToHash, hashToForm, inputFor, readFilters, setCustomRange, syncCustomInputs } from './filters.js';
import { bucketSecondsFor, enableHistogramDrag, markHistogramLoading, renderHistogram } from './histogram.js';
import { appendRecords, clearRows, firstRecord, initResults, prependRecords, rowCount, trimRows } from './results.js';

const PAGE = 100;
const TAIL_EVERY_MS = 1000;
const CHART_REFRESH_MS = 3000;
const TAIL_POLL_TIMEOUT_MS = 10_000;
// Live tail keeps adding rows: past this many the oldest leave the page (scrolling down brings them back).
const MAX_ROWS = 5000;
const $ = (id) => document.getElementById(id);

const state = {
  generation: 0,
  mode: 'search',
  query: null,
  nextCursor: null,
  loadingMore: false,
  total: null,
  chart: null,
  tailCursor: null,
  tailTimer: null,
  tailBusy: false,
  services: new Set(),
};

function setStatus(text, busy = false) {
  $('status').textContent = text;
  document.body.classList.toggle('busy', busy);
  $('results').setAttribute('aria-busy', String(busy));
}

function showError(error) {
  $('error').textContent = error ? error.message : '';
  if (!error) return;
  const input = error instanceof FieldError ? inputFor(error.field) : error instanceof ApiError && error.param ? inputFor(error.param) : null;
  if (input) {
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  }
}

function rememberServices(records) {
  const list = $('services');
  for (const r of records) {
    if (!r.serviceName || state.services.has(r.serviceName)) continue;
    state.services.add(r.serviceName);
    list.append(Object.assign(document.createElement('option'), { value: r.serviceName }));
  }
}

function summary() {
  const shown = rowCount();
  const of = state.total === null ? '' : ` of ${state.total.toLocaleString()}`;
  return `${shown.toLocaleString()}${of} records${state.nextCursor ? ' · scroll for more' : ''}${state.tailTimer ? ' · live tail on' : ''}`;
}

/** Keeps the view in the URL hash (replacing, not adding, history entries): reload or share the link. */
function saveView(extra) {
  const hash = formToHash(extra);
  history.replaceState(null, '', hash ? `#${hash}` : location.pathname + location.search);
}

/** Runs the search the form describes: the chart and the first page, side by side. */
async function runSearch() {
  let query;
  try {
    for (const bad of document.querySelectorAll('[aria-invalid="true"]')) bad.removeAttribute('aria-invalid');
    query = readFilters();
  } catch (error) {
    showError(error);
    return;
  }
  showError(null);
  saveView();
  const generation = ++state.generation;
  state.mode = 'search';
  state.query = query;
  state.nextCursor = null;
  state.total = null;
  state.tailCursor = cursorAtMs(Date.now());
  $('back').hidden = true;
  $('view-note').textContent = '';
  $('results-title').textContent = 'Records';
  setStatus('Loading…', true);
  markHistogramLoading(true);
  const bucket = bucketSecondsFor(query.range.untilMs - query.range.sinceMs);
  const chartParams = new URLSearchParams(query.params);
  chartParams.set('bucket', `${bucket}s`);
  const pageParams = new URLSearchParams(query.params);
  pageParams.set('limit', String(PAGE));
  const chart = apiGet('/api/logs/histogram', chartParams).then((r) => {
    if (generation !== state.generation) return;
    state.chart = { buckets: r.buckets, bucketSeconds: r.bucketSeconds, range: query.range };
    state.total = renderHistogram(r.buckets, r.bucketSeconds, query.range);
    markHistogramLoading(false);
  });
  // The service picker offers every service that logged in the range, not only those on screen.
  const rangeParams = new URLSearchParams();
  for (const key of ['since', 'until']) {
    const value = query.params.get(key);
    if (value !== null) rangeParams.set(key, value);
  }
  apiGet('/api/services', rangeParams).then(
    (r) => generation === state.generation && rememberServices(r.services.map((s) => ({ serviceName: s.name }))),
    () => {}, // suggestions only: the search itself reports errors
  );
  const page = apiGet('/api/logs', pageParams).then((r) => {
    if (generation !== state.generation) return;
    clearRows();
    clearDetail();
    $('scroller').scrollTop = 0;
    appendRecords(r.records);
    rememberServices(r.records);
    state.nextCursor = r.nextCursor;
  });
  try {
    await Promise.all([chart, page]);
    if (generation !== state.generation) return;
    setStatus(summary());
    fillViewport();
  } catch (error) {
    if (generation !== state.generation) return;
    markHistogramLoading(false);
    setStatus('Search failed');
    showError(error);
  }
}

/** Loads the next page (infinite scroll) with the API's cursor. */
async function loadMore() {
  if (state.mode !== 'search' || !state.nextCursor || state.loadingMore) return;
  const generation = state.generation;
  state.loadingMore = true;
  $('more').textContent = 'Loading more…';
  try {
    const params = new URLSearchParams(state.query.params);
    params.set('limit', String(PAGE));
    params.set('cursor', state.nextCursor);
    const r = await apiGet('/api/logs', params);
    if (generation !== state.generation) return;
    appendRecords(r.records);
    rememberServices(r.records);
    state.nextCursor = r.nextCursor;
    setStatus(summary());
  } catch (error) {
    showError(error);
  } finally {
    state.loadingMore = false;
    $('more').textContent = '';
  }
  fillViewport();
}

/** The observer fires on changes only: keep loading while the end of the list is still in view. */
function fillViewport() {
  if (state.mode !== 'search' || !state.nextCursor) return;
  const scroller = $('scroller').getBoundingClientRect();
  if ($('more').getBoundingClientRect().top < scroller.bottom + 300) void loadMore();
}

/** Shows every record of a trace or request id, oldest first, across services. */
async function followId(id) {
  const generation = ++state.generation;
  state.mode = 'request';
  saveView({ request: id });
  state.nextCursor = null;
  setStatus(`Loading request ${id}…`, true);
  try {
    const r = await apiGet(`/api/logs/${encodeURIComponent(id)}`);
    if (generation !== state.generation) return;
    clearRows();
    $('scroller').scrollTop = 0;
    appendRecords(r.records);
    rememberServices(r.records);
    const services = new Set(r.records.map((x) => x.serviceName));
    $('results-title').textContent = `Request ${id}`;
    $('view-note').textContent = `${r.records.length} records across ${services.size} service${services.size === 1 ? '' : 's'}, oldest first${r.truncated ? ' (first ones only)' : ''}`;
    $('back').hidden = false;
    setStatus(`Request ${id}: ${r.records.length} records`);
    $('rows').rows[0]?.focus();
  } catch (error) {
    if (generation !== state.generation) return;
    setStatus('Loading the request failed');
    showError(error);
  }
}

let chartRefresh = null;

/** While tailing, redraws the chart (at most every few seconds) so it counts the new records too. */
function scheduleChartRefresh() {
  if (chartRefresh) return;
  chartRefresh = setTimeout(async () => {
    chartRefresh = null;
    if (state.mode !== 'search' || !state.chart) return;
    const generation = state.generation;
    const { query } = state;
    // An open range ("last hour") runs up to now; the bucket stays, so bars keep their width.
    const range = query.range.open ? { ...query.range, untilMs: Date.now() } : query.range;
    const params = new URLSearchParams(query.params);
    params.set('bucket', `${state.chart.bucketSeconds}s`);
    try {
      const r = await apiGet('/api/logs/histogram', params);
      if (generation !== state.generation) return;
      state.chart = { buckets: r.buckets, bucketSeconds: r.bucketSeconds, range };
      state.total = renderHistogram(r.buckets, r.bucketSeconds, range);
      setStatus(summary());
    } catch (error) {
      showError(error);
    }
  }, CHART_REFRESH_MS);
}

/** One live-tail poll: records newer than the newest shown, added at the top. */
async function tailOnce() {
  if (state.mode !== 'search' || !state.query || state.tailBusy) return;
  const generation = state.generation;
  state.tailBusy = true;
  try {
    const params = new URLSearchParams(state.query.params);
    params.delete('until'); // tail follows new records past a custom range's end
    params.set('after', firstRecord()?.cursor ?? state.tailCursor);
    params.set('limit', '500');
    // A poll that never answers would stop the tail (one poll at a time): give up and poll again.
    const r = await apiGet('/api/logs', params, AbortSignal.timeout(TAIL_POLL_TIMEOUT_MS));
    if (generation !== state.generation || !r.records.length) return;
    prependRecords([...r.records].reverse());
    const resume = trimRows(MAX_ROWS);
    if (resume) state.nextCursor = resume;
    rememberServices(r.records);
    if (state.total !== null) state.total += r.records.length;
    setStatus(summary());
    scheduleChartRefresh();
  } catch (error) {
    showError(error);
  } finally {
    state.tailBusy = false;
  }
}

function setTail(on) {
  clearInterval(state.tailTimer);
  state.tailTimer = on ? setInterval(tailOnce, TAIL_EVERY_MS) : null;
  if (on) void tailOnce();
  if (state.mode === 'search' && state.query) setStatus(summary());
}

function init() {
  const form = $('filters');
  syncCustomInputs();
  initResults((record) => showDetail(record, followId));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void runSearch();
  });
  form.addEventListener('reset', () => setTimeout(() => {
    syncCustomInputs();
    void runSearch();
  }));
  $('range').addEventListener('change', () => {
    syncCustomInputs();
    if ($('range').value === 'custom') $('from').focus();
    else void runSearch();
  });
  $('level').addEventListener('change', () => void runSearch());
  $('back').addEventListener('click', () => void runSearch());
  $('tail').addEventListener('change', (event) => setTail(event.target.checked));
  $('detail').addEventListener('keydown', (event) => {
    if (event.key === 'Escape') $('rows').querySelector('tr[aria-current="true"]')?.focus();
  });
  enableHistogramDrag(() => state.chart?.range ?? state.query.range, (since, until) => {
    setCustomRange(since, until);
    void runSearch();
  });
  new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) void loadMore();
  }, { root: $('scroller'), rootMargin: '300px' }).observe($('more'));
  let resizeTimer;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => state.chart && renderHistogram(state.chart.buckets, state.chart.bucketSeconds, state.chart.range), 100);
  });
  setTail($('tail').checked);
  // A link pasted or edited in the address bar (replaceState does not fire hashchange).
  window.addEventListener('hashchange', showSavedView);
  showSavedView();
}

/** Shows the view the URL hash describes: its filters, and the request it names if any. */
function showSavedView() {
  const saved = hashToForm(location.hash);
  const request = saved.get('request');
  void runSearch().then(() => {
    if (request) void followId(request);
  });
}

init();
