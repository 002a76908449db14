/**
 * Scenario collector-ingest: the logq collector (the real `logq collector` command, embedded
 * ClickHouse via chDB) taking OTLP/gRPC from several client processes as fast as it acknowledges.
 * Reports records/s, collector CPU per core (from /proc/<pid>/stat), records/s per collector core
 * and peak RSS; rows landed are counted in the store after the collector stopped. Baseline in the
 * same run: the same clients against a process doing only the collector's JavaScript work (decode
 * → rows → TabSeparated, no storage), to show what the engine's share is.
 *
 *   npm run bench -- collector-ingest
 *
 * Env: BENCH_SECONDS (default 30: merges of the parts inserted lag behind the inserts), BENCH_CLIENTS (default 2), BENCH_PER_REQUEST (default 2000),
 * BENCH_CONCURRENCY (calls in flight per client, default 4), BENCH_COLLECTOR_ARGS (extra flags).
 */
import { spawnCollector, spawnNode } from '../test/helpers/process.ts';
import { openStore } from '../src/storage/client.ts';
import { runIngestClients } from './lib/children.ts';
import type { IngestClientResult } from './lib/ingest-client.ts';
import { processCpuSeconds, rssPeakSampler, threadCpuSeconds, type ThreadGroup } from './lib/proc.ts';
import { fmt, publish, type Table } from './lib/report.ts';
import { writeChart } from './lib/svg.ts';
import { tempDir } from './lib/temp.ts';
import { resolve } from 'node:path';

interface Measured {
  target: string;
  acked: number;
  landed: number | undefined;
  seconds: number;
  recordsPerSec: number;
  cpuCores: number;
  perCore: number;
  rssPeakMiB: number;
  unavailable: number;
  errors: number;
  /** CPU µs per acknowledged record by thread group (see threadGroup in lib/proc.ts). */
  usPerRecord: Record<ThreadGroup, number>;
}

async function load(pid: number, endpoint: string, target: string, opts: { seconds: number; clients: number; perRequest: number; concurrency: number }): Promise<Omit<Measured, 'landed'>> {
  let cpu0 = 0;
  let t0 = 0;
  let threads0 = threadCpuSeconds(pid);
  const rss = rssPeakSampler(pid);
  const results: IngestClientResult[] = await runIngestClients(
    Array.from({ length: opts.clients }, (_, id) => ({ endpoint, seconds: opts.seconds, perRequest: opts.perRequest, concurrency: opts.concurrency, id })),
    () => {
      cpu0 = processCpuSeconds(pid);
      threads0 = threadCpuSeconds(pid);
      t0 = performance.now();
    },
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = processCpuSeconds(pid) - cpu0;
  const threads1 = threadCpuSeconds(pid);
  rss.stop();
  const acked = results.reduce((s, r) => s + r.acked, 0);
  const errs = results.filter((r) => r.lastError).map((r) => r.lastError);
  if (errs.length) process.stderr.write(`collector-ingest ${target}: client errors: ${errs.join('; ')}\n`);
  const m = {
    target,
    acked,
    seconds,
    recordsPerSec: acked / seconds,
    cpuCores: cpu / seconds,
    perCore: acked / cpu,
    rssPeakMiB: rss.peak() / 2 ** 20,
    unavailable: results.reduce((s, r) => s + r.unavailable, 0),
    errors: results.reduce((s, r) => s + r.errors, 0),
    usPerRecord: {
      js: ((threads1.js - threads0.js) * 1e6) / Math.max(acked, 1),
      merges: ((threads1.merges - threads0.merges) * 1e6) / Math.max(acked, 1),
      engine: ((threads1.engine - threads0.engine) * 1e6) / Math.max(acked, 1),
    },
  };
  process.stderr.write(`collector-ingest ${target}: ${fmt(m.recordsPerSec)} records/s, ${fmt(m.perCore)} per core\n`);
  return m;
}

export async function run(): Promise<void> {
  const opts = {
    seconds: Number(process.env.BENCH_SECONDS ?? 30),
    clients: Number(process.env.BENCH_CLIENTS ?? 2),
    perRequest: Number(process.env.BENCH_PER_REQUEST ?? 2000),
    concurrency: Number(process.env.BENCH_CONCURRENCY ?? 4),
  };
  const extra = (process.env.BENCH_COLLECTOR_ARGS ?? '').split(' ').filter(Boolean);
  const measured: Measured[] = [];

  // Baselines: the collector's JS work without storage, as it is now and in one pass.
  for (const [mode, label] of [
    ['rows', 'decode+rows+TSV only (no storage)'],
    ['fused', 'fused otlpToTabSeparatedBytes only (no storage)'],
  ]) {
    const sink = spawnNode([resolve(import.meta.dirname, 'lib/decode-sink.ts'), mode]);
    const port = Number((await sink.waitFor(/listening (\d+)/))[1]);
    measured.push({ ...(await load(sink.child.pid!, `http://127.0.0.1:${port}`, label, opts)), landed: undefined });
    sink.child.kill('SIGTERM');
    await sink.exited;
  }

  const tmp = tempDir('logq-bench-ingest-');
  try {
    const collector = await spawnCollector(['--data-dir', tmp.dir, ...extra]);
    const m = await load(collector.child.pid!, collector.grpcEndpoint, 'logq collector → embedded ClickHouse', opts);
    collector.child.kill('SIGTERM');
    await collector.exited;
    const store = openStore({ dataDir: tmp.dir });
    const rs = await store.client.query({ query: 'SELECT count() AS n FROM otel.otel_logs', format: 'JSONEachRow' });
    const landed = Number((await rs.json<{ n: string }>())[0].n);
    await store.close();
    measured.push({ ...m, landed });
  } finally {
    tmp.cleanup();
  }

  const table: Table = {
    title: `collector-ingest: ${opts.clients} client processes × ${opts.concurrency} calls in flight × ${fmt(opts.perRequest)} records per call, ${opts.seconds} s`,
    headers: ['target', 'records/s acked', 'CPU cores used', 'records/s per core (target ≥ 150k)', 'peak RSS MiB', 'rows landed / acked', 'UNAVAILABLE answers'],
    rows: measured.map((m) => [
      m.target,
      fmt(m.recordsPerSec),
      fmt(m.cpuCores, 2),
      fmt(m.perCore),
      fmt(m.rssPeakMiB),
      m.landed === undefined ? '-' : `${fmt(m.landed)} / ${fmt(m.acked)}`,
      fmt(m.unavailable),
    ]),
  };
  writeChart('collector-ingest', {
    title: 'Collector records/s per CPU core (higher is better)',
    yLabel: 'records/s per core',
    series: ['records/s per core'],
    groups: measured.map((m) => ({ label: m.target.replace(/ \(.*\)/, ''), values: [m.perCore] })),
    target: { value: 150_000, label: 'target 150k/core' },
  });
  const split: Table = {
    title: 'collector-ingest: where the CPU goes, µs per acknowledged record, by thread',
    headers: ['target', 'JS threads (main, V8 GC, libuv)', 'engine inserts and other engine threads', 'engine merges', 'records/s per core of the JS threads alone'],
    rows: measured.map((m) => [
      m.target,
      fmt(m.usPerRecord.js, 2),
      fmt(m.usPerRecord.engine, 2),
      fmt(m.usPerRecord.merges, 2),
      m.usPerRecord.js > 0 ? fmt(1e6 / m.usPerRecord.js) : '-',
    ]),
  };
  publish('collector-ingest', [table, split], { opts, measured }, [
    'Reference, not measured here: the OpenTelemetry Collector ClickHouse exporter documents ~40k logs/s per collector core.',
    'CPU = utime+stime of the collector process from /proc/<pid>/stat (all its threads, chDB engine included) over the load window.',
    'By thread (/proc/<pid>/task/*/stat, named by chDB and Node): the JS threads are what a collector writing to a ClickHouse server (--clickhouse-url) spends itself; with the embedded store the engine\'s inserts and merges run in the same process and count against the target above.',
  ]);
}

if (import.meta.main) await run();
