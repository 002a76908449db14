/**
 * bench sdk-logger: the per-call cost of logq's logger façade, each case against a baseline in the
 * same run (an empty function call). Cases: a disabled level (the shared no-op), an enabled
 * INFO record through the real OTel SDK pipeline (LoggerProvider → processors → batch queue,
 * exporter discarding), and ERROR with and without code location.
 * Run: `node bench/sdk-logger.ts` (Node 24: node_modules/.bin/node). Prints ns/call and ratios.
 */
import { ExportResultCode } from '@opentelemetry/core';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import { logs, SeverityNumber } from '@opentelemetry/api';
import { configureLoggers, getLogger } from '../src/sdk/logger.ts';
import { registerLogging } from '../src/sdk/register.ts';

const discard: LogRecordExporter = {
  export: (_records, done) => done({ code: ExportResultCode.SUCCESS }),
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

const handle = registerLogging({
  exporter: discard,
  flushOnExit: false,
  redact: false,
  level: 'info',
  batch: { maxQueueSize: 1_000_000, maxExportBatchSize: 8192, scheduledDelayMillis: 5 },
});
const log = getLogger('bench.sdk');

let sink = 0;
function empty(this: unknown, message: string): void {
  sink += message.length;
}
function emptyWithAttributes(this: unknown, message: string, attributes: Record<string, unknown>): void {
  sink += message.length + (attributes ? 1 : 0);
}

/** Runs `fn` `n` times per round, best of `rounds`, in ns per call (best-of damps GC noise). */
async function measure(name: string, n: number, fn: (i: number) => void, rounds = 7): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn(i);
    const ns = Number(process.hrtime.bigint() - t0) / n;
    if (ns < best) best = ns;
    await handle.forceFlush(); // empty the queue between rounds (no drops, no queue growth)
  }
  return best;
}

const rows: [string, number][] = [];
const N = 200_000;
const baseline = await measure('baseline', N * 10, (i) => empty(i & 1 ? 'a' : 'b'));
rows.push(['baseline: empty function call', baseline]);
rows.push(['baseline: empty fn, same arguments', await measure('baseline-args', N * 10, (i) => emptyWithAttributes('debug message', { i }))]);
rows.push(['disabled level (debug at info)', await measure('disabled', N * 10, (i) => log.debug('debug message', { i }))]);
const otel = logs.getLogger('bench.raw');
rows.push(['raw OTel API emit (reference)', await measure('raw', N, () => otel.emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: 'order placed' }))]);
rows.push(['info, no attributes', await measure('info', N, () => log.info('order placed'))]);
rows.push(['info, 3 attributes (1 nested)', await measure('info-attrs', N, (i) => log.info('order placed', { i, sku: 'A1', user: { id: 7 } }))]);
rows.push(['error, no code location', await measure('error', N, () => log.error('payment failed'))]);
configureLoggers({ codeLocation: true });
rows.push(['error, with code location', await measure('error-loc', N, () => log.error('payment failed'))]);
configureLoggers({ codeLocation: false });
await handle.shutdown();

const plain = rows.find((r) => r[0] === 'error, no code location')![1];
process.stdout.write(`sdk-logger (Node ${process.version}, ns per call, best of 7 rounds)\n`);
for (const [name, ns] of rows) {
  process.stdout.write(`  ${name.padEnd(34)} ${ns.toFixed(1).padStart(8)} ns   ×${(ns / baseline).toFixed(1)} baseline\n`);
}
const withLoc = rows.find((r) => r[0] === 'error, with code location')![1];
const raw = rows.find((r) => r[0] === 'raw OTel API emit (reference)')![1];
const info = rows.find((r) => r[0] === 'info, no attributes')![1];
process.stdout.write(`  façade over raw OTel emit: ×${(info / raw).toFixed(2)} (context, correlation, flattening)\n`);
process.stdout.write(`  code location costs ${(withLoc - plain).toFixed(0)} ns per record (×${(withLoc / plain).toFixed(2)} of a plain ERROR record)\n`);
if (sink < 0) process.stdout.write(String(sink));
