/**
 * Scenario end-to-end: app → collector → embedded ClickHouse. An app process logs at a fixed
 * offered rate for 30 s through logq (registerLogging → GrpcLogExporter), then flushes; a real
 * `logq collector` (CLI, chDB) stores the records; once the collector has stopped (which writes
 * everything it acknowledged), the rows in otel_logs are counted. Baseline in the same run: the
 * official OTLP/gRPC exporter (default BatchLogRecordProcessor) into a fresh collector.
 *
 *   npm run bench -- end-to-end
 *
 * Env: BENCH_SECONDS (default 30), BENCH_RATE (offered records/s, default 100000), BENCH_RATE_ABOVE
 * (one more logq run offered this rate, default 1.3 × BENCH_RATE, 0 = none: shows the sustained rate),
 * BENCH_COLLECTOR_ARGS (extra collector flags).
 */
import { spawnCollector } from '../test/helpers/process.ts';
import { openStore } from '../src/storage/client.ts';
import { runAppChild } from './lib/app-child-runner.ts';
import { WARMUP_RECORDS, type Contender } from './lib/app-export-child.ts';
import { childPids, processCpuSeconds, rssPeakSampler } from './lib/proc.ts';
import { fmt, publish, type Table } from './lib/report.ts';
import { writeChart } from './lib/svg.ts';
import { tempDir } from './lib/temp.ts';

const LABEL: Record<Contender, string> = {
  logq: 'logq (defaults)',
  'logq-tuned': 'logq (suggested + pipelined)',
  otel: 'official OTLP/gRPC',
  pino: 'pino',
  noop: 'harness only',
};

interface E2eResult {
  contender: Contender;
  offered: number;
  /** Offered records/s. */
  rate: number;
  landed: number;
  seconds: number;
  landedPerSec: number;
  appCpuMicrosPerRecord: number;
  appLoopDelayP99Ms: number;
  collectorCores: number;
  collectorRssPeakMiB: number;
  /** The embedded engine's process (the collector's child; the default --embedded-engine process). */
  engineCores: number;
  engineRssPeakMiB: number;
}

async function runOne(contender: Contender, rate: number, seconds: number, extra: string[]): Promise<E2eResult> {
  const tmp = tempDir('logq-bench-e2e-');
  try {
    const collector = await spawnCollector(['--data-dir', tmp.dir, ...extra], {}, { asNpmStart: true });
    const pid = collector.child.pid!;
    const enginePid = childPids(pid)[0];
    const cpuNow = () => [processCpuSeconds(pid), enginePid ? processCpuSeconds(enginePid) : 0];
    let cpu0 = [0, 0];
    let t0 = 0;
    let rss: ReturnType<typeof rssPeakSampler>[] = [];
    const app = await runAppChild({ contender, endpoint: collector.grpcEndpoint, rate, total: rate * seconds, perTurn: 0 }, () => {
      cpu0 = cpuNow();
      t0 = performance.now();
      rss = enginePid ? [rssPeakSampler(pid), rssPeakSampler(enginePid)] : [rssPeakSampler(pid)];
    });
    // The app has flushed: every record it kept is acknowledged (durable in the collector). Stop
    // the collector, which inserts everything it acknowledged, then count what landed.
    const [collectorCpu, engineCpu] = cpuNow().map((c, i) => c - cpu0[i]);
    const wall = (performance.now() - t0) / 1000;
    for (const r of rss) r.stop();
    collector.child.kill('SIGTERM');
    await collector.exited;
    const store = openStore({ dataDir: tmp.dir });
    const rs = await store.client.query({ query: 'SELECT count() AS n FROM otel.otel_logs', format: 'JSONEachRow' });
    const landed = Number((await rs.json<{ n: string }>())[0].n) - WARMUP_RECORDS;
    await store.close();
    const r: E2eResult = {
      contender,
      rate,
      offered: app.offered,
      landed,
      seconds: wall,
      landedPerSec: landed / (app.wallMs / 1000),
      appCpuMicrosPerRecord: app.cpuMicros / Math.max(1, landed),
      appLoopDelayP99Ms: app.loopDelayP99Ms,
      collectorCores: collectorCpu / wall,
      collectorRssPeakMiB: (rss[0]?.peak() ?? 0) / 2 ** 20,
      engineCores: engineCpu / wall,
      engineRssPeakMiB: (rss[1]?.peak() ?? 0) / 2 ** 20,
    };
    process.stderr.write(`end-to-end ${contender}: ${fmt(r.landedPerSec)} rows/s landed, ${fmt(landed)} of ${fmt(r.offered)}\n`);
    return r;
  } finally {
    tmp.cleanup();
  }
}

export async function run(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 30);
  const rate = Number(process.env.BENCH_RATE ?? 100_000);
  const extra = (process.env.BENCH_COLLECTOR_ARGS ?? '').split(' ').filter(Boolean);
  const contenders = (process.env.BENCH_CONTENDERS?.split(',') as Contender[] | undefined) ?? (['logq', 'logq-tuned', 'otel'] as Contender[]);
  const results: E2eResult[] = [];
  for (const c of contenders) results.push(await runOne(c, rate, seconds, extra));
  // Offered = landed caps the figure at the offered rate: a run above it shows what is sustained.
  const above = Number(process.env.BENCH_RATE_ABOVE ?? Math.round(rate * 1.3));
  if (above > 0 && contenders.includes('logq')) results.push(await runOne('logq', above, seconds, extra));
  const table: Table = {
    title: `end-to-end: one app process offering ${fmt(rate)} records/s for ${seconds} s → logq collector → embedded ClickHouse`,
    headers: ['app exporter', 'rows landed / offered', 'landed rows/s (target ≥ 100k)', 'app CPU µs/row', 'app loop p99 ms', 'collector CPU cores', 'collector peak RSS MiB (target ≤ 256)', 'engine process: CPU cores / peak RSS MiB'],
    rows: results.map((r) => [
      r.rate === rate ? LABEL[r.contender] : `${LABEL[r.contender]}, ${fmt(r.rate)}/s offered`,
      `${fmt(r.landed)} / ${fmt(r.offered)} (${fmt((100 * r.landed) / r.offered, 1)}%)`,
      fmt(r.landedPerSec),
      fmt(r.appCpuMicrosPerRecord, 2),
      fmt(r.appLoopDelayP99Ms, 1),
      fmt(r.collectorCores, 2),
      fmt(r.collectorRssPeakMiB),
      r.engineRssPeakMiB ? `${fmt(r.engineCores, 2)} / ${fmt(r.engineRssPeakMiB)}` : '-',
    ]),
  };
  writeChart('end-to-end', {
    title: `Rows landed in ClickHouse per second, ${fmt(rate)}/s offered (higher is better)`,
    yLabel: 'rows/s landed',
    series: ['landed rows/s'],
    groups: results.map((r) => ({ label: r.rate === rate ? LABEL[r.contender] : `${LABEL[r.contender]} @${fmt(r.rate / 1000)}k/s`, values: [r.landedPerSec] })),
    target: { value: 100_000, label: 'target 100k/s' },
  });
  publish('end-to-end', [table], { rate, seconds, results }, [
    'landed rows/s = rows counted in otel_logs after the collector stopped ÷ the app run (first record to final flush). Warm-up records are excluded.',
    'Collector = the `logq collector` process; the embedded engine runs in its child process (the default `--embedded-engine process`), measured beside it as a ClickHouse server would be. CPU from /proc/<pid>/stat, RSS sampled every 100 ms.',
  ]);
}

if (import.meta.main) await run();
