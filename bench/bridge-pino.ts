/**
 * Scenario bridge-pino: what a pino app pays on its main thread to ship logs, same run, same
 * record, same counting gRPC sink:
 *   - logq-transport: pino.transport({ target: 'logq/pino' }) (OTLP encoding + gRPC in pino's worker)
 *   - pino-devnull:   pino → /dev/null (the floor: pino's own serialization only)
 *   - otel-official:  @opentelemetry/instrumentation-pino → sdk-logs BatchLogRecordProcessor →
 *                     @opentelemetry/exporter-logs-otlp-grpc, all on the main thread
 *   - instr-logq:     @opentelemetry/instrumentation-pino → logq's registerLogging pipeline
 * Metrics: main-thread CPU per record (process.threadCpuUsage), whole-process CPU per record,
 * event-loop delay p99 (perf_hooks), records delivered to the sink.
 *
 *   node bench/bridge-pino.ts        (needs dist/: npm run build, for the logq/pino target)
 *
 * Env: BENCH_SECONDS (per paced run, default 4), BENCH_RATES (default 10000,50000),
 * BENCH_BURST (records, default 100000), BENCH_CONTENDERS (comma list).
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BridgeChildConfig, BridgeChildResult, BridgeContender } from './bridge-pino-child.ts';
import { fmt, publish, type Table } from './lib/report.ts';
import { startCountingSink, type CountingSink } from './lib/sink.ts';

const CHILD = resolve(import.meta.dirname, 'bridge-pino-child.ts');
const CONTENDERS: BridgeContender[] = ['logq-transport', 'pino-devnull', 'otel-official', 'instr-logq'];

interface RunResult extends BridgeChildResult {
  contender: BridgeContender;
  mode: string;
  delivered: number;
}

/** Waits until the sink has `want` records or its count stops moving for `quietMs`. */
async function settle(sink: CountingSink, want: number, quietMs = 1500): Promise<number> {
  let last = -1;
  let since = Date.now();
  for (;;) {
    const n = sink.records();
    if (n >= want) return n;
    if (n !== last) {
      last = n;
      since = Date.now();
    } else if (Date.now() - since > quietMs) return n;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function runChild(cfg: BridgeChildConfig, sink: CountingSink): Promise<RunResult> {
  return new Promise((res, rej) => {
    const child = fork(CHILD, [JSON.stringify(cfg)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`${cfg.contender} did not finish`));
    }, 180_000);
    child.on('message', (m: { type: string; result?: BridgeChildResult }) => {
      if (m.type === 'ready') {
        sink.reset();
        child.send('go');
      } else if (m.type === 'result' && m.result) {
        const result = m.result;
        const delivered = cfg.contender === 'pino-devnull' ? Promise.resolve(result.offered) : settle(sink, result.offered);
        void delivered.then((n) => {
          child.send('exit');
          clearTimeout(timer);
          res({ ...result, contender: cfg.contender, mode: cfg.rate ? `${cfg.rate / 1000}k/s` : 'burst', delivered: n });
        });
      }
    });
    child.on('exit', (code) => {
      if (code !== 0) {
        clearTimeout(timer);
        rej(new Error(`${cfg.contender} child exited with ${code}`));
      }
    });
  });
}

export async function run(): Promise<void> {
  if (!existsSync(resolve(import.meta.dirname, '../dist/bridges/pino-transport.js'))) {
    process.stderr.write('bridge-pino: dist/bridges/pino-transport.js is missing; run `npm run build` first (pino loads logq/pino from dist)\n');
    process.exit(2);
  }
  const seconds = Number(process.env.BENCH_SECONDS ?? 4);
  const rates = (process.env.BENCH_RATES ?? '10000,50000').split(',').map(Number);
  const burst = Number(process.env.BENCH_BURST ?? 100_000);
  const contenders = (process.env.BENCH_CONTENDERS?.split(',') as BridgeContender[] | undefined) ?? CONTENDERS;
  const sink = await startCountingSink();
  const results: RunResult[] = [];
  try {
    const modes = [...rates.map((rate) => ({ rate, total: rate * seconds, perTurn: 0 })), { rate: 0, total: burst, perTurn: 1000 }];
    for (const m of modes) {
      // Contenders interleave per mode, so machine noise hits them alike.
      for (const contender of contenders) {
        const r = await runChild({ contender, endpoint: sink.endpoint, ...m }, sink);
        process.stderr.write(
          `bridge-pino ${contender} ${r.mode}: main ${fmt(r.mainCpuMicros / r.offered, 2)} µs/rec, process ${fmt(r.processCpuMicros / r.offered, 2)} µs/rec, p99 ${fmt(r.loopDelayP99Ms, 1)} ms, delivered ${fmt(r.delivered)}/${fmt(r.offered)}\n`,
        );
        results.push(r);
      }
    }
  } finally {
    await sink.close();
  }
  const table: Table = {
    title: `bridge-pino: a pino app shipping logs (${seconds} s per paced run; burst = ${fmt(burst)} records, 1000 per turn)`,
    headers: ['offered', 'contender', 'main-thread CPU µs/record', 'process CPU µs/record', 'loop delay p99 ms', 'loop delay max ms', 'delivered', 'dropped'],
    rows: results.map((r) => [
      r.mode,
      r.contender,
      fmt(r.mainCpuMicros / r.offered, 2),
      fmt(r.processCpuMicros / r.offered, 2),
      fmt(r.loopDelayP99Ms, 1),
      fmt(r.loopDelayMaxMs, 1),
      fmt(r.delivered),
      fmt(r.offered - r.delivered),
    ]),
  };
  const by = (c: BridgeContender, mode: string) => results.find((r) => r.contender === c && r.mode === mode);
  const ratios: Table = {
    title: 'bridge-pino: main-thread CPU per record of logq/pino relative to the baselines (same run)',
    headers: ['offered', 'logq-transport ÷ pino-devnull', 'logq-transport ÷ otel-official'],
    rows: [...new Set(results.map((r) => r.mode))].map((mode) => {
      const l = by('logq-transport', mode);
      const p = by('pino-devnull', mode);
      const o = by('otel-official', mode);
      return [mode, l && p ? fmt(l.mainCpuMicros / p.mainCpuMicros, 2) : '-', l && o ? fmt(l.mainCpuMicros / o.mainCpuMicros, 2) : '-'];
    }),
  };
  publish('bridge-pino', [table, ratios], results, [
    'main-thread CPU = process.threadCpuUsage() of the app thread from the first record to the end of the flush, ÷ offered records; process CPU = process.cpuUsage() (all threads, pino worker and gRPC included).',
    'loop delay = perf_hooks.monitorEventLoopDelay (5 ms resolution) on the main thread; delivered = records the counting gRPC sink received.',
    'The machine has 2 cores shared with other work: compare rows of the same run, not runs.',
  ]);
}

if (import.meta.main) await run();
