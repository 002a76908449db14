/**
 * Scenario app-export: the app-side cost of logging, logq vs the official OTel OTLP/gRPC exporter
 * vs pino → /dev/null, same record, same counting gRPC sink for the two OTLP paths, each contender
 * in its own child process, at fixed offered rates and in an unthrottled burst.
 *
 *   npm run bench -- app-export
 *
 * Env: BENCH_SECONDS (per paced run, default 5), BENCH_BURST (records in the burst, default 200000),
 * BENCH_RATES (comma list, default 20000,50000,100000,200000), BENCH_REPEATS (rounds of every mode and
 * contender, default 3: the tables show each contender's median run and the median of the per-round
 * ratios — one round's ratios moved by ±20% between runs on this shared 2-core VM), BENCH_SETTLE_MS
 * (default 5000: each child logs this long at the offered rate after the baseline GC and before the
 * measured run, so the JIT is back in steady state; 0 measures straight after the GC, as before.
 * `--trace-opt`, logq at 20k/s: V8 still spent 110 ms compiling inside a 5 s run with no settling,
 * 42 ms after 2 s, 12 ms after 5 s — the export path runs only ~5 times a second and warms slowly).
 */
import type { ChildConfig, ChildResult, Contender } from './lib/app-export-child.ts';
import { runAppChild } from './lib/app-child-runner.ts';
import { median, net, p1Verdict, roundRatios } from './lib/app-ratios.ts';
import { fmt, publish, type Table } from './lib/report.ts';
import { startCountingSink, type CountingSink } from './lib/sink.ts';
import { writeChart } from './lib/svg.ts';

const CONTENDERS: Contender[] = ['noop', 'logq', 'logq-tuned', 'otel', 'pino'];
const LABEL: Record<Contender, string> = {
  logq: 'logq (registerLogging defaults)',
  'logq-tuned': 'logq, suggested defaults + PipelinedLogExporter',
  otel: 'official (sdk-logs BLRP → exporter-logs-otlp-grpc)',
  pino: 'pino 10 → /dev/null',
  noop: 'harness only (no logging)',
};

/** One measured run of one contender. */
export interface RunResult extends ChildResult {
  contender: Contender;
  mode: string;
  delivered: number;
  dropped: number;
  cpuMicrosPerRecord: number;
  deliveredPerSec: number;
}

function runChild(cfg: ChildConfig, sink: CountingSink): Promise<RunResult> {
  return runAppChild(cfg, () => sink.reset()).then((r) => {
    // pino has no sink: each call is "delivered" to /dev/null synchronously.
    const delivered = cfg.contender === 'pino' || cfg.contender === 'noop' ? r.offered : sink.records();
    return {
      ...r,
      contender: cfg.contender,
      mode: cfg.rate ? `${cfg.rate / 1000}k/s` : `burst`,
      delivered,
      dropped: r.offered - delivered,
      cpuMicrosPerRecord: r.cpuMicros / Math.max(1, delivered),
      deliveredPerSec: delivered / (r.wallMs / 1000),
    };
  });
}

export async function run(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const burst = Number(process.env.BENCH_BURST ?? 200_000);
  const rates = (process.env.BENCH_RATES ?? '20000,50000,100000,200000').split(',').map(Number);
  const contenders = (process.env.BENCH_CONTENDERS?.split(',') as Contender[] | undefined) ?? CONTENDERS;
  const repeats = Math.max(1, Number(process.env.BENCH_REPEATS ?? 3));
  const settleMs = Number(process.env.BENCH_SETTLE_MS ?? 5000);
  const sink = await startCountingSink();
  /** Every run, by round. */
  const rounds: RunResult[][] = [];
  try {
    const modes = [...rates.map((rate) => ({ rate, total: rate * seconds, perTurn: 0 })), { rate: 0, total: burst, perTurn: 1000 }];
    for (let round = 0; round < repeats; round++) {
      const runs: RunResult[] = [];
      for (const m of modes) {
        // Contenders interleave per mode, so machine noise hits them alike.
        for (const contender of contenders) {
          const r = await runChild({ contender, endpoint: sink.endpoint, ...m, settleMs }, sink);
          process.stderr.write(`app-export round ${round + 1}/${repeats} ${contender} ${r.mode}: ${fmt(r.cpuMicrosPerRecord, 2)} µs/record, ${fmt(r.dropped)} dropped\n`);
          runs.push(r);
        }
      }
      rounds.push(runs);
    }
  } finally {
    await sink.close();
  }

  const modes = [...new Set(rounds[0].map((r) => r.mode))];
  const inRound = (runs: RunResult[], c: Contender, mode: string) => runs.find((r) => r.contender === c && r.mode === mode);
  /** Each contender's median run per mode (by CPU per record; its other figures are that run's). */
  const results: RunResult[] = modes.flatMap((mode) =>
    contenders.flatMap((c) => {
      const runs = rounds.map((runs) => inRound(runs, c, mode)).filter((r): r is RunResult => r !== undefined);
      if (runs.length === 0) return [];
      runs.sort((a, b) => a.cpuMicrosPerRecord - b.cpuMicrosPerRecord);
      return [runs[(runs.length - 1) >> 1]];
    }),
  );
  const by = (c: Contender, mode: string) => results.find((r) => r.contender === c && r.mode === mode);
  /** The median over the rounds of a ratio taken within each round (contenders of one round ran minutes apart). */
  function ratio(c: Contender, base: Contender, mode: string, useNet: boolean): string {
    const per = roundRatios(rounds, c, base, mode, useNet).filter(Number.isFinite);
    if (per.length === 0) return '-';
    const spread = per.length > 1 ? ` (${fmt(Math.min(...per), 2)}–${fmt(Math.max(...per), 2)})` : '';
    return `${fmt(median(per), 2)}${spread}`;
  }
  const verdicts = modes.flatMap((mode) => (['logq', 'logq-tuned'] as Contender[]).filter((c) => contenders.includes(c)).map((c) => p1Verdict(rounds, c, mode)));
  const table: Table = {
    title: `app-export: per delivered record, each contender's median of ${repeats} rounds (${seconds} s per paced run; burst = ${fmt(burst)} records, 1000 per event-loop turn)`,
    headers: ['offered', 'contender', 'app CPU µs/record', 'net of harness µs/record', 'delivered/s', 'dropped', 'heap + buffers growth MiB', 'loop delay p99 ms'],
    rows: results.map((r) => [
      r.mode,
      r.contender,
      fmt(r.cpuMicrosPerRecord, 2),
      r.contender === 'noop' ? '-' : fmt(net(r, rounds.find((runs) => runs.includes(r)) ?? []), 2),
      fmt(r.deliveredPerSec),
      `${fmt(r.dropped)}${r.dropped ? ` (${fmt((100 * r.dropped) / r.offered, 1)}%)` : ''}`,
      fmt(r.heapGrowthBytes / 2 ** 20, 1),
      fmt(r.loopDelayP99Ms, 1),
    ]),
  };
  const ratios: Table = {
    title: `app-export: logq CPU per delivered record relative to the baselines, median of the ${repeats} rounds' ratios (lowest–highest); P1 reads the CPU the logger adds to the app (net of the harness)`,
    headers: [
      'offered',
      'logq',
      'P1: net of harness ÷ official (target ≤ 0.33)',
      'P1: net ÷ pino (target ≤ 1)',
      'P1 met (rounds within both)',
      'harness counted: ÷ official',
      'harness counted: ÷ pino',
      'floor: harness alone ÷ official',
    ],
    rows: verdicts.map((v) => [
      v.mode,
      v.contender,
      ratio(v.contender as Contender, 'otel', v.mode, true),
      ratio(v.contender as Contender, 'pino', v.mode, true),
      v.rounds ? `${v.met ? 'yes' : 'no'} (${v.roundsMet}/${v.rounds})` : '-',
      ratio(v.contender as Contender, 'otel', v.mode, false),
      ratio(v.contender as Contender, 'pino', v.mode, false),
      // What a logger costing nothing would score in the "harness counted" column: the harness's own share.
      ratio('noop', 'otel', v.mode, false),
    ]),
  };
  writeChart('app-export-cpu', {
    title: 'App CPU per delivered record (lower is better)',
    yLabel: 'µs of app CPU per record',
    series: contenders.filter((c) => c !== 'noop').map((c) => LABEL[c]),
    groups: modes.map((mode) => ({ label: mode, values: contenders.filter((c) => c !== 'noop').map((c) => by(c, mode)?.cpuMicrosPerRecord ?? NaN) })),
  });
  writeChart('app-export-dropped', {
    title: 'Records dropped (lower is better)',
    yLabel: '% of offered records dropped',
    series: contenders.filter((c) => c !== 'pino' && c !== 'noop').map((c) => LABEL[c]),
    groups: modes.map((mode) => ({
      label: mode,
      values: contenders.filter((c) => c !== 'pino' && c !== 'noop').map((c) => {
        const r = by(c, mode);
        return r ? (100 * r.dropped) / r.offered : NaN;
      }),
    })),
  });
  publish('app-export', [table, ratios], { medians: results, rounds, p1: verdicts }, [
    `CPU = process.cpuUsage() of the app process from the first record to the end of the final flush (encoding, gRPC and GC included), ÷ records the sink counted; measured in steady state: each child first logs ${fmt(settleMs)} ms at the offered rate (a quarter of the burst) after the baseline GC, unmeasured (BENCH_SETTLE_MS).`,
    'net of harness = a contender\'s CPU per record − the noop contender\'s in the same round (the pacing timer, the loop-delay monitor, the heap sampler and building the attributes, with no logging): the CPU the logger itself costs the app. P1 is judged on it: the harness is the benchmark\'s stand-in for the app, which wakes up and builds its records whichever logger it uses, and on this VM each wake-up costs ~40 µs of CPU (a bare 1 ms timer loop: ~40 ms of CPU per second), more than logq spends on the 20 records it logs in it. "P1 met" = both medians within bounds; in brackets the rounds in which both per-round ratios were. harness counted = the ratios of the whole process\'s CPU; floor = the noop contender\'s CPU per record ÷ the official exporter\'s in the same round: the value the counted column would show for a logger that cost nothing.',
    'heap + buffers growth = peak (heapUsed + arrayBuffers) during the run − the same after a forced GC before it (arrayBuffers: memory of Buffers and typed arrays, outside the JS heap — where logq queues encoded records); loop delay = perf_hooks.monitorEventLoopDelay (5 ms resolution).',
    'The counting sink (a grpc-js server in the parent process) advertises the HTTP/2 receive windows of logq\'s collector (1 MiB per call, 4 MiB per connection; grpc-js keeps 64 KiB by default) to both OTLP contenders; the official exporter\'s 512-record requests (~60 KB) fit the default window anyway.',
  ]);
}

if (import.meta.main) await run();
