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
import { childPids, engineProcessCpuSeconds, processCpuSeconds, rssPeakSampler, threadCpuSeconds, type ThreadGroup } from './lib/proc.ts';
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
  /** CPU cores used by the collector's own process. */
  cpuCores: number;
  /** Records/s per core of the collector's own process (the P3 figure). */
  perCore: number;
  /** Peak RSS of the collector's own process (the P6 figure). */
  rssPeakMiB: number;
  /** The embedded engine's process, when it runs in one. */
  engine?: { cpuCores: number; rssPeakMiB: number };
  /** Records/s per core of everything (collector + engine process). */
  perCoreAll: number;
  unavailable: number;
  errors: number;
  /** CPU µs per acknowledged record by thread group (see threadGroup in lib/proc.ts). */
  usPerRecord: Record<ThreadGroup, number>;
}

type Opts = { seconds: number; clients: number; perRequest: number; concurrency: number };

/** Drives the clients against `endpoint` and measures `pid` (and its engine process `enginePid`, if any). */
async function load(pid: number, enginePid: number | undefined, endpoint: string, target: string, opts: Opts): Promise<Omit<Measured, 'landed'>> {
  const pids = enginePid ? [pid, enginePid] : [pid];
  const cpuOf = () => pids.map((p) => processCpuSeconds(p));
  const threadsOf = () => {
    const t = threadCpuSeconds(pid);
    if (enginePid) for (const [k, v] of Object.entries(engineProcessCpuSeconds(enginePid))) t[k as ThreadGroup] += v;
    return t;
  };
  let cpu0 = cpuOf();
  let t0 = 0;
  let threads0 = threadsOf();
  const rss = pids.map((p) => rssPeakSampler(p));
  const results: IngestClientResult[] = await runIngestClients(
    Array.from({ length: opts.clients }, (_, id) => ({ endpoint, seconds: opts.seconds, perRequest: opts.perRequest, concurrency: opts.concurrency, id })),
    () => {
      cpu0 = cpuOf();
      threads0 = threadsOf();
      t0 = performance.now();
    },
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuOf().map((c, i) => c - cpu0[i]);
  const threads1 = threadsOf();
  for (const r of rss) r.stop();
  const acked = results.reduce((s, r) => s + r.acked, 0);
  const errs = results.filter((r) => r.lastError).map((r) => r.lastError);
  if (errs.length) process.stderr.write(`collector-ingest ${target}: client errors: ${errs.join('; ')}\n`);
  const per = (g: ThreadGroup) => ((threads1[g] - threads0[g]) * 1e6) / Math.max(acked, 1);
  const m = {
    target,
    acked,
    seconds,
    recordsPerSec: acked / seconds,
    cpuCores: cpu[0] / seconds,
    perCore: acked / cpu[0],
    rssPeakMiB: rss[0].peak() / 2 ** 20,
    ...(enginePid ? { engine: { cpuCores: cpu[1] / seconds, rssPeakMiB: rss[1].peak() / 2 ** 20 } } : {}),
    perCoreAll: acked / cpu.reduce((x, y) => x + y, 0),
    unavailable: results.reduce((s, r) => s + r.unavailable, 0),
    errors: results.reduce((s, r) => s + r.errors, 0),
    usPerRecord: { js: per('js'), merges: per('merges'), engine: per('engine') },
  };
  process.stderr.write(`collector-ingest ${target}: ${fmt(m.recordsPerSec)} records/s, ${fmt(m.perCore)} per collector core, ${fmt(m.perCoreAll)} per core in all\n`);
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
    measured.push({ ...(await load(sink.child.pid!, undefined, `http://127.0.0.1:${port}`, label, opts)), landed: undefined });
    sink.child.kill('SIGTERM');
    await sink.exited;
  }

  // The collector as shipped (engine in a process of its own), then with the engine in its process.
  for (const [mode, label] of [
    ['process', 'logq collector → embedded ClickHouse (engine process)'],
    ['in-process', 'logq collector → embedded ClickHouse (engine in-process)'],
  ]) {
    const tmp = tempDir('logq-bench-ingest-');
    try {
      const collector = await spawnCollector(['--data-dir', tmp.dir, '--embedded-engine', mode, ...extra], {}, { asNpmStart: true });
      const enginePid = mode === 'process' ? childPids(collector.child.pid!)[0] : undefined;
      if (mode === 'process' && !enginePid) throw new Error('collector-ingest: the collector has no engine process');
      const m = await load(collector.child.pid!, enginePid, collector.grpcEndpoint, label, opts);
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
  }

  const table: Table = {
    title: `collector-ingest: ${opts.clients} client processes × ${opts.concurrency} calls in flight × ${fmt(opts.perRequest)} records per call, ${opts.seconds} s`,
    headers: ['target', 'records/s acked', 'collector CPU cores', 'records/s per collector core (target ≥ 150k)', 'collector peak RSS MiB (target ≤ 256)', 'engine process: CPU cores / peak RSS MiB', 'records/s per core, all processes', 'rows landed / acked', 'UNAVAILABLE answers'],
    rows: measured.map((m) => [
      m.target,
      fmt(m.recordsPerSec),
      fmt(m.cpuCores, 2),
      fmt(m.perCore),
      fmt(m.rssPeakMiB),
      m.engine ? `${fmt(m.engine.cpuCores, 2)} / ${fmt(m.engine.rssPeakMiB)}` : '-',
      fmt(m.perCoreAll),
      m.landed === undefined ? '-' : `${fmt(m.landed)} / ${fmt(m.acked)}`,
      fmt(m.unavailable),
    ]),
  };
  writeChart('collector-ingest', {
    title: 'Collector records/s per CPU core (higher is better)',
    yLabel: 'records/s per core',
    series: ['per collector core', 'per core, all processes'],
    groups: measured.map((m) => ({ label: m.target.replace(/logq collector → embedded ClickHouse/, 'logq').replace(/ only \(no storage\)/, ''), values: [m.perCore, m.perCoreAll] })),
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
    'CPU = utime+stime from /proc/<pid>/stat over the load window; RSS sampled every 100 ms from /proc/<pid>/status. "Collector" is the `logq collector` process; with `--embedded-engine process` (the default) chDB runs in a child process, measured beside it ("engine process"), the way a ClickHouse server would be; with `in-process` the engine\'s threads and memory are the collector\'s own.',
    'By thread (/proc/<pid>/task/*/stat, named by chDB and Node): "JS threads" are the collector\'s JavaScript (main, V8 GC, libuv); every thread of the engine process counts as engine (merges apart).',
  ]);
}

if (import.meta.main) await run();
