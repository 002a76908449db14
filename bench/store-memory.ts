/**
 * Scenario store-memory: RSS of a process that inserts OTLP-shaped rows into the embedded store
 * (chDB) the way the collector does (OTLP bytes → otlpToTabSeparatedBytes → LogWriter.writeTabSeparated),
 * for several sets of engine arguments, each in its own child process (chDB binds one data
 * directory per process). Baseline in the same run: the same work without the store (JS only).
 * Used to choose EMBEDDED_ENGINE_ARGS in src/storage/client.ts (issue 7, P6).
 *
 *   node bench/store-memory.ts            (or: npm run bench -- store-memory)
 *
 * Env: BENCH_ROWS (default 600000), BENCH_BATCH (rows per insert, default 10000),
 * BENCH_INFLIGHT (inserts in flight, default 2), BENCH_CONFIGS (JSON object name → args array,
 * replaces the built-in list).
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createDatabaseSql, createLogsTableStatements, type TableRef } from '../src/storage/schema.ts';
import { LogWriter } from '../src/storage/LogWriter.ts';
import { DEFAULT_RETENTION } from '../src/storage/RetentionPolicy.ts';
import { otlpToTabSeparatedBytes } from '../src/storage/otlp-tab-separated.ts';
import { makeRequestBytes } from './lib/log-data.ts';
import { fmt, publish, type Table } from './lib/report.ts';
import { writeChart } from './lib/svg.ts';
import { tempDir } from './lib/temp.ts';

interface ChildResult {
  name: string;
  args: string[] | null;
  rssStartMiB: number;
  rssOpenMiB: number;
  rssPeakMiB: number;
  rssEndMiB: number;
  /** Anonymous and file-backed (mapped libraries) parts of the RSS at the end, from /proc/self/status. */
  rssAnonMiB: number;
  rssFileMiB: number;
  /** V8 heap reserved at the end (process.memoryUsage().heapTotal). */
  heapTotalMiB: number;
  rowsPerSec: number;
  cpuUsPerRow: number;
}

const MiB = 2 ** 20;
const rssMiB = () => process.memoryUsage.rss() / MiB;
const statusMiB = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;

/** Child: one configuration (`args` null = no store at all). */
async function child(name: string, args: string[] | null, rawInsert: boolean): Promise<ChildResult> {
  const total = Number(process.env.BENCH_ROWS ?? 600_000);
  const batch = Number(process.env.BENCH_BATCH ?? 10_000);
  const inflight = Number(process.env.BENCH_INFLIGHT ?? 2);
  // Requests of 2,000 records as the clients in collector-ingest send them, 50 distinct ones reused
  // (holding all of them would dominate the JS-only baseline); one insert = batch/2000 of them.
  const distinct = Array.from({ length: 50 }, (_, i) => makeRequestBytes(2000, i * 2000));
  const requests = Math.ceil(total / 2000);
  const rssStartMiB = rssMiB();
  const tmp = tempDir('logq-bench-mem-');
  // The JS-only child never loads chDB (its library alone is ~150 MiB of RSS).
  const store = args ? (await import('../src/storage/client.ts')).openStore({ dataDir: tmp.dir, engineArgs: args, rawInsert }) : undefined;
  const ref: TableRef = { database: 'otel', table: 'otel_logs' };
  if (store) {
    await store.client.command({ query: createDatabaseSql(ref) });
    for (const query of createLogsTableStatements(DEFAULT_RETENTION, ref)) await store.client.command({ query });
  }
  const writer = store ? new LogWriter(store.client, ref, { format: 'TabSeparated' }) : undefined;
  const rssOpenMiB = rssMiB();
  let peak = rssOpenMiB;
  const timer = setInterval(() => (peak = Math.max(peak, rssMiB())), 50);
  const per = batch / 2000;
  let next = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const lane = async () => {
    while (next < requests) {
      const i = next;
      next += per;
      const parts: Buffer[] = [];
      for (let k = i; k < Math.min(i + per, requests); k++) parts.push(otlpToTabSeparatedBytes(distinct[k % distinct.length]).bytes);
      const bytes = Buffer.concat(parts);
      if (writer) await writer.writeTabSeparated(bytes);
      else await new Promise((r) => setImmediate(r));
    }
  };
  await Promise.all(Array.from({ length: inflight }, lane));
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  peak = Math.max(peak, rssMiB());
  clearInterval(timer);
  if (store) {
    const n = (await (await store.client.query({ query: 'SELECT count() AS n FROM otel.otel_logs', format: 'JSONEachRow' })).json<{ n: string }>())[0].n;
    if (Number(n) !== total) throw new Error(`${name}: ${n} rows landed, expected ${total}`);
  }
  const rssEndMiB = rssMiB();
  const heapTotalMiB = process.memoryUsage().heapTotal / MiB;
  const rssAnonMiB = statusMiB('RssAnon');
  const rssFileMiB = statusMiB('RssFile');
  await store?.close();
  tmp.cleanup();
  return { name, args, rssStartMiB, rssOpenMiB, rssPeakMiB: peak, rssEndMiB, rssAnonMiB, rssFileMiB, heapTotalMiB, rowsPerSec: total / seconds, cpuUsPerRow: ((c.user + c.system) / total) };
}

function runChild(name: string, c: Config): Promise<ChildResult> {
  return new Promise((res, rej) => {
    const env = c.env ?? {};
    const p = fork(import.meta.filename, ['child', name, JSON.stringify(c.args), String(c.rawInsert !== false)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, ...env } });
    let result: ChildResult | undefined;
    p.on('message', (m) => (result = m as ChildResult));
    p.on('exit', (code) => (result ? res(result) : rej(new Error(`store-memory ${name}: child exited with ${code}`))));
  });
}

const CACHES = ['--mark_cache_size=67108864', '--index_mark_cache_size=16777216', '--primary_index_cache_size=16777216'];

/** One configuration: engine arguments (null = JS only, no store), extra environment, insert path. */
interface Config {
  args: string[] | null;
  env?: Record<string, string>;
  /** StoreOptions.rawInsert. @default true */
  rawInsert?: boolean;
}

/** Configurations compared, by name (chDB is loaded only in the children that use it). */
async function configs(): Promise<Record<string, Config>> {
  if (process.env.BENCH_CONFIGS) {
    const raw = JSON.parse(process.env.BENCH_CONFIGS) as Record<string, string[] | null | Config>;
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v === null || Array.isArray(v) ? { args: v } : v]));
  }
  const { EMBEDDED_ENGINE_ARGS } = await import('../src/storage/client.ts');
  return {
    'JS only (no store)': { args: null },
    "chDB client adapter insert (before)": { args: [...EMBEDDED_ENGINE_ARGS], rawInsert: false },
    'logq: raw Buffer insert (openStore default)': { args: [...EMBEDDED_ENGINE_ARGS] },
    'raw insert + small caches': { args: CACHES },
    'raw insert + 2 threads/pools': { args: ['--max_threads=2', '--background_pool_size=2', '--max_thread_pool_size=100'] },
    'raw insert + MALLOC_ARENA_MAX=2': { args: [...EMBEDDED_ENGINE_ARGS], env: { MALLOC_ARENA_MAX: '2' } },
  };
}

/** Short chart labels by configuration name (the table has the full names). */
const SHORT: Record<string, string> = {
  'JS only (no store)': 'JS only',
  'chDB client adapter insert (before)': 'adapter (before)',
  'logq: raw Buffer insert (openStore default)': 'raw insert (logq)',
  'raw insert + small caches': '+ small caches',
  'raw insert + 2 threads/pools': '+ 2 threads/pools',
  'raw insert + MALLOC_ARENA_MAX=2': '+ ARENA_MAX=2',
};

/** Writes bench/charts/store-memory.svg from the results (peak RSS per configuration). */
export function chart(results: Pick<ChildResult, 'name' | 'rssPeakMiB'>[]): void {
  writeChart('store-memory', {
    title: 'Peak RSS of the inserting process (lower is better)',
    yLabel: 'MiB',
    series: ['peak RSS MiB'],
    groups: results.map((r) => ({ label: SHORT[r.name] ?? r.name.slice(0, 18), values: [r.rssPeakMiB] })),
  });
}

export async function run(): Promise<void> {
  const results: ChildResult[] = [];
  for (const [name, c] of Object.entries(await configs())) {
    const r = await runChild(name, c);
    process.stderr.write(`store-memory ${name}: peak ${fmt(r.rssPeakMiB)} MiB, ${fmt(r.rowsPerSec)} rows/s\n`);
    results.push(r);
  }
  const base = results.find((r) => r.args === null);
  const table: Table = {
    title: `store-memory: ${fmt(Number(process.env.BENCH_ROWS ?? 600_000))} rows, ${fmt(Number(process.env.BENCH_BATCH ?? 10_000))}-row inserts, ${process.env.BENCH_INFLIGHT ?? 2} in flight, one child process per configuration`,
    headers: ['configuration', 'RSS store open MiB', 'peak RSS MiB', 'peak ÷ JS only', 'end RSS MiB (anon + file)', 'V8 heap MiB', 'rows/s', 'CPU µs/row'],
    rows: results.map((r) => [r.name, fmt(r.rssOpenMiB), fmt(r.rssPeakMiB), base ? fmt(r.rssPeakMiB / base.rssPeakMiB, 2) : '-', `${fmt(r.rssEndMiB)} (${fmt(r.rssAnonMiB)} + ${fmt(r.rssFileMiB)})`, fmt(r.heapTotalMiB), fmt(r.rowsPerSec), fmt(r.cpuUsPerRow, 2)]),
  };
  chart(results);
  publish('store-memory', [table], { results }, [
    'Engine arguments per configuration are in bench/results/store-memory.json; peak RSS sampled every 50 ms in the inserting process.',
    'file = mapped files, mostly libchdb.so (~170 MiB once chDB is loaded); the engine caches stay empty while only inserting (system.metrics MarkCacheBytes etc. = 0).',
  ]);
}

if (process.argv[2] === 'child') {
  const r = await child(process.argv[3], JSON.parse(process.argv[4]) as string[] | null, process.argv[5] !== 'false');
  process.send!(r);
  process.disconnect();
} else if (import.meta.main) await run();
