/**
 * Query latency with logq's indexes vs. the same query with skip indexes disabled
 * (`use_skip_indexes = 0`), on generated log rows (default 10M, INSERT … SELECT), embedded engine.
 * Two tables hold the same rows: `bench.otel_logs` with the schema logq's migrations give this
 * engine (text indexes on 26.2+) and `bench.otel_logs_bloom` with the pre-26.2 indexes (bloom
 * filter on TraceId, tokenbf_v1 on Body), so the text index is also compared with what it replaces.
 *
 *   node bench/query-indexes.ts [--rows 10000000] [--runs 21] [--data-dir DIR]
 *
 * Each run of a case looks up a different trace/request id, and runs the three variants in a
 * shuffled order, so the shared machine's load falls on all of them alike.
 * Reuses the rows of an earlier run in DIR (default: $TMPDIR/logq-bench-query-indexes). Writes
 * bench/results/query-indexes.json (+ a timestamped copy) and prints a table. The goal this
 * checks (not a test): trace-id lookup ≤ 50 ms median.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '../src/storage/client.ts';
import { createLogsTableSql, ensureSchema } from '../src/storage/schema.ts';
import { filterToSql, parseFilter, type RawFilter } from '../src/storage/LogFilter.ts';
import { runReadOnlyQuery } from '../src/storage/query.ts';
import { searchLogs } from '../src/storage/search.ts';
import { parseRetention } from '../src/storage/RetentionPolicy.ts';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '10000000' }, runs: { type: 'string', default: '11' }, 'data-dir': { type: 'string' } },
});
const ROWS = Number(values.rows);
const RUNS = Number(values.runs);
const dataDir = resolve(values['data-dir'] ?? resolve(tmpdir(), 'logq-bench-query-indexes'));
const policy = parseRetention('DEFAULT=30d');
// The database name carries the data generation's version: change it when SELECT_ROWS changes.
const DB = 'bench_v2';
const TEXT = { database: DB, table: 'otel_logs' };
const BLOOM = { database: DB, table: 'otel_logs_bloom' };

const store = openStore({ dataDir });
const client = store.client;

async function scalar(sql: string): Promise<string> {
  const rs = await client.query({ query: sql, format: 'JSONEachRow' });
  const rows = await rs.json<Record<string, unknown>>();
  return String(Object.values(rows[0] ?? {})[0] ?? '');
}

// Rows spread over the last ~7 days (60 ms apart), 20 services, 8 records per trace and per
// request, ~2% ERROR, 8% WARN; one body in ~100k mentions "deadlock".
const SELECT_ROWS = (from: number, count: number) => `SELECT
  now64(9) - toIntervalMillisecond(number * ${Math.max(1, Math.floor((7 * 86_400_000) / ROWS))}) AS Timestamp,
  lower(hex(MD5(toString(intDiv(number, 8))))) AS TraceId,
  lower(hex(substring(MD5(toString(number)), 1, 8))) AS SpanId,
  1 AS TraceFlags,
  multiIf(number % 100 < 2, 'ERROR', number % 100 < 10, 'WARN', number % 100 < 60, 'INFO', 'DEBUG') AS SeverityText,
  multiIf(number % 100 < 2, 17, number % 100 < 10, 13, number % 100 < 60, 9, 5) AS SeverityNumber,
  concat('svc-', toString(intDiv(number, 3) % 20)) AS ServiceName,
  if(number % 100003 = 7, concat('database deadlock detected on orders ', toString(number)),
     concat('GET /api/orders/', toString(number % 100000), ' handled in ', toString(number % 997), ' ms status ', toString(200 + (number % 5)))) AS Body,
  map('service.name', concat('svc-', toString(intDiv(number, 3) % 20)), 'host.name', concat('host-', toString(number % 50))) AS ResourceAttributes,
  'bench' AS ScopeName,
  map('request.id', concat('req-', toString(intDiv(number, 8))), 'user.id', concat('user-', toString(number % 5000)),
      'http.route', concat('/api/orders/', toString(number % 50))) AS LogAttributes,
  Timestamp AS ObservedTimestamp
FROM numbers(${from}, ${count})`;

const COLUMNS = 'Timestamp, TraceId, SpanId, TraceFlags, SeverityText, SeverityNumber, ServiceName, Body, ResourceAttributes, ScopeName, LogAttributes, ObservedTimestamp';

async function fill(ref: { database: string; table: string }): Promise<void> {
  const have = Number(await scalar(`SELECT count() FROM ${ref.database}.${ref.table}`));
  if (have === ROWS) {
    process.stderr.write(`${ref.database}.${ref.table}: reusing ${have} rows\n`);
    return;
  }
  await client.command({ query: `TRUNCATE TABLE ${ref.database}.${ref.table}` });
  const chunk = 1_000_000;
  const t0 = performance.now();
  for (let from = 0; from < ROWS; from += chunk) {
    await client.command({ query: `INSERT INTO ${ref.database}.${ref.table} (${COLUMNS}) ${SELECT_ROWS(from, Math.min(chunk, ROWS - from))}` });
    process.stderr.write(`\r${ref.database}.${ref.table}: ${Math.min(from + chunk, ROWS)} rows`);
  }
  process.stderr.write(` in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}

await ensureSchema(client, policy, TEXT);
await client.command({ query: createLogsTableSql(policy, BLOOM) });
await fill(TEXT);
await fill(BLOOM);
// Index materialization (migrations) runs as a background mutation: measure once it is done.
for (;;) {
  const pending = Number(await scalar(`SELECT count() FROM system.mutations WHERE database = '${DB}' AND NOT is_done`));
  if (pending === 0) break;
  await new Promise((r) => setTimeout(r, 500));
}
const version = await scalar('SELECT version()');

// Values that exist, spread over the data; run i of a case uses the i-th one (no result cache
// helps, and every variant sees the same values).
const groups = Math.floor(ROWS / 8);
const ids = (await client.query({
  query: `SELECT groupArray(toUInt64(number * 7919 % ${groups})) AS g FROM numbers(${RUNS + 2})`,
  format: 'JSONEachRow',
}).then((r) => r.json<{ g: string[] }>()))[0].g.map(Number);
const traceIds = await Promise.all(ids.map((g) => scalar(`SELECT lower(hex(MD5(toString(${g}))))`)));
const requestIds = ids.map((g) => `req-${g}`);

type Settings = Record<string, number>;
interface Case {
  name: string;
  /** Runs logq's own query for this case (run number `i`) against `table`; returns the rows it got. */
  run: (table: { database: string; table: string }, settings: Settings, i: number) => Promise<number>;
}
/** What `logq query` / `GET /api/logs` run: searchLogs with the API's default page size. */
const search = (raw: (i: number) => RawFilter) => async (table: { database: string; table: string }, settings: Settings, i: number) =>
  (await searchLogs(client, parseFilter(raw(i)), { limit: 100, table, settings })).records.length;
const cases: Case[] = [
  { name: 'trace-id lookup', run: search((i) => ({ traceId: traceIds[i] })) },
  { name: 'request-id lookup', run: search((i) => ({ requestId: requestIds[i] })) },
  {
    name: 'errors by service, last hour',
    run: async (table, settings) => {
      const w = filterToSql(parseFilter({ level: 'ERROR', since: '1h' }));
      const sql = `SELECT ServiceName, count() AS errors FROM ${table.database}.${table.table} WHERE ${w.where} GROUP BY ServiceName ORDER BY errors DESC`;
      return (await runReadOnlyQuery(client, sql, w.params, 60, settings)).rows.length;
    },
  },
  { name: 'body grep (rare word)', run: search(() => ({ grep: 'deadlock' })) },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

type Variant = 'logq' | 'bloom' | 'none';
const VARIANTS: Record<Variant, [{ database: string; table: string }, Settings]> = {
  logq: [TEXT, {}],
  bloom: [BLOOM, {}],
  none: [TEXT, { use_skip_indexes: 0 }],
};

/** Runs every variant of a case once per run, in a shuffled order, so load on the shared machine hits all alike. */
async function measure(c: Case) {
  const times: Record<Variant, number[]> = { logq: [], bloom: [], none: [] };
  const rows: Record<Variant, number> = { logq: 0, bloom: 0, none: 0 };
  for (const v of Object.keys(VARIANTS) as Variant[]) await c.run(...VARIANTS[v], RUNS); // warm-up
  for (let i = 0; i < RUNS; i++) {
    const order = (Object.keys(VARIANTS) as Variant[]).sort(() => Math.random() - 0.5);
    for (const v of order) {
      const t0 = performance.now();
      const n = await c.run(...VARIANTS[v], i);
      times[v].push(performance.now() - t0);
      if (i === 0) rows[v] = n;
    }
  }
  const stat = (v: Variant) => ({ medianMs: Number(median(times[v]).toFixed(2)), minMs: Number(Math.min(...times[v]).toFixed(2)), rows: rows[v] });
  return { text: stat('logq'), bloom: stat('bloom'), none: stat('none') };
}

const loadBefore = loadavg()[0];
const results = [];
for (const c of cases) {
  const { text, bloom, none } = await measure(c);
  if (text.rows !== none.rows || bloom.rows !== none.rows) throw new Error(`${c.name}: result rows differ (${text.rows}/${bloom.rows}/${none.rows})`);
  results.push({
    query: c.name,
    rows: text.rows,
    logqIndexesMs: text.medianMs,
    logqIndexesMinMs: text.minMs,
    bloomIndexesMs: bloom.medianMs,
    noSkipIndexesMs: none.medianMs,
    noSkipIndexesMinMs: none.minMs,
    speedupVsNoIndexes: Number((none.medianMs / text.medianMs).toFixed(1)),
    speedupVsBloom: Number((bloom.medianMs / text.medianMs).toFixed(2)),
  });
  process.stderr.write(`${c.name}: logq ${text.medianMs} ms (min ${text.minMs}), bloom ${bloom.medianMs} ms, no skip index ${none.medianMs} ms\n`);
}
const loadAfter = loadavg()[0];
await store.close();

const trace = results[0];
const report = {
  scenario: 'query-indexes',
  date: new Date().toISOString(),
  engine: `ClickHouse ${version} (chDB, embedded)`,
  machine: `${cpus().length} cores, ${cpus()[0]?.model ?? ''}`,
  rows: ROWS,
  runsPerQuery: RUNS,
  loadAverage1m: { before: Number(loadBefore.toFixed(2)), after: Number(loadAfter.toFixed(2)) },
  note: 'median latency (ms) of the query logq runs (searchLogs, limit 100, incl. JSON decode); logq = schema after migrations (text indexes on 26.2+), bloom = pre-26.2 indexes, noSkipIndexes = logq table with use_skip_indexes = 0. The machine is shared: see loadAverage1m.',
  goal: { traceIdLookupMedianMs: 50, met: trace.logqIndexesMs <= 50 },
  results,
};
const dir = resolve(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
const json = JSON.stringify(report, null, 2) + '\n';
writeFileSync(resolve(dir, 'query-indexes.json'), json);
writeFileSync(resolve(dir, `query-indexes-${report.date.replace(/[:.]/g, '-')}.json`), json);
const md = [
  `# query-indexes — ${report.engine}, ${ROWS.toLocaleString('en')} rows, ${report.machine}, load average ${report.loadAverage1m.before}→${report.loadAverage1m.after}`,
  '',
  '| query | rows | logq indexes, median (min) ms | bloom/tokenbf ms | no skip indexes, median (min) ms | × vs none | × vs bloom |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...results.map(
    (r) =>
      `| ${r.query} | ${r.rows} | ${r.logqIndexesMs} (${r.logqIndexesMinMs}) | ${r.bloomIndexesMs} | ${r.noSkipIndexesMs} (${r.noSkipIndexesMinMs}) | ${r.speedupVsNoIndexes} | ${r.speedupVsBloom} |`,
  ),
  '',
  `Goal trace-id lookup ≤ 50 ms median: ${report.goal.met ? 'met' : 'NOT met'} (${trace.logqIndexesMs} ms).`,
  '',
].join('\n');
writeFileSync(resolve(dir, 'query-indexes.md'), md);
process.stdout.write(md);
