import { writeSync } from 'node:fs';
import type { Readable } from 'node:stream';
import build from 'pino-abstract-transport';
import type { Logger } from '@opentelemetry/api';
import { createBridgePipeline, type BridgePipeline, type BridgePipelineOptions } from './bridge-provider.ts';
import { mapPinoRecord, type PinoLineShape } from './pino-record.ts';

export { logqPinoMixin } from './pino-mixin.ts';
export type { LogqPinoMixinOptions } from './pino-mixin.ts';

/** Options of the `logq/pino` transport (`pino.transport({ target: 'logq/pino', options })`). */
export interface LogqPinoTransportOptions extends BridgePipelineOptions {
  /** Logger (instrumentation scope) name of records without a pino `name`. @default 'pino' */
  loggerName?: string;
  /**
   * Longest wait for the last export when the app exits, in ms. pino's thread-stream stops waiting
   * for the worker after 10 s, so this stays below that.
   * @default 5000
   */
  exitTimeoutMillis?: number;
}

/** What pino tells the worker about its configuration (pino ≥ 9.1, `expectPinoConfig`). */
interface PinoConfig {
  levels?: { values?: Record<string, number> };
  messageKey?: string;
  errorKey?: string;
}

type Source = Readable & PinoConfig;

/**
 * One line on the process's stderr, written synchronously: a worker's process.stderr is relayed
 * through the app's thread, which is blocked waiting for us while the app exits, so lines written
 * that way at exit would be lost.
 */
function say(line: string): void {
  try {
    writeSync(2, `logq/pino: ${line}\n`);
  } catch {
    // stderr closed: nothing else to tell.
  }
}

/**
 * The `logq/pino` transport. pino runs it in a worker thread: the app's thread only serializes the
 * line, while parsing, mapping (see {@link mapPinoRecord}), OTLP encoding and the gRPC call happen
 * here, through a LoggerProvider of the worker's own (resource, redaction, BatchLogRecordProcessor,
 * logq's GrpcLogExporter). pino's `logger.flush()` flushes the queue; when the app exits, pino ends
 * the stream and waits while the worker exports what is queued (bounded by `exitTimeoutMillis`).
 * Bad options never crash the app: the worker says what is wrong on stderr and counts what it drops.
 */
export default async function logqPinoTransport(options: LogqPinoTransportOptions = {}) {
  const opts: LogqPinoTransportOptions = options !== null && typeof options === 'object' ? options : {};
  const defaultName = typeof opts.loggerName === 'string' && opts.loggerName !== '' ? opts.loggerName : 'pino';
  if (opts.loggerName !== undefined && defaultName !== opts.loggerName) say(`ignoring loggerName ${JSON.stringify(opts.loggerName)}: expected a non-empty string; using "pino"`);
  let exitTimeout = opts.exitTimeoutMillis ?? 5000;
  if (!Number.isFinite(exitTimeout) || exitTimeout < 0) {
    say(`ignoring exitTimeoutMillis ${JSON.stringify(opts.exitTimeoutMillis)}: expected a number of ms ≥ 0; using 5000`);
    exitTimeout = 5000;
  }

  let pipeline: BridgePipeline | undefined;
  try {
    pipeline = createBridgePipeline(opts);
  } catch (error) {
    say(`cannot start: ${(error as Error).message}; records are dropped (and counted) until the options are fixed`);
  }
  let received = 0;
  const stream = await build(
    async (source: Source) => {
      if (!pipeline) {
        for await (const _ of source) received++;
        return;
      }
      await pump(source, pipeline, defaultName, () => received++);
    },
    {
      expectPinoConfig: true,
      close: async () => {
        if (!pipeline) {
          if (received) say(`${received} record(s) dropped: the transport could not start`);
          return;
        }
        const { provider, stats } = pipeline;
        let timer: NodeJS.Timeout | undefined;
        const timedOut = await Promise.race([
          provider.shutdown().then(() => false),
          new Promise<boolean>((r) => (timer = setTimeout(() => r(true), exitTimeout))),
        ]);
        clearTimeout(timer);
        const lost = received - stats.counts.exported;
        if (timedOut) say(`gave up exporting at exit after ${exitTimeout} ms: ${lost} record(s) not delivered`);
        else if (stats.counts.dropped || stats.counts.failed) {
          say(`${stats.counts.dropped} record(s) dropped (queue full), ${stats.counts.failed} failed to export`);
        }
      },
    },
  );
  // thread-stream calls flush() for pino's logger.flush(cb).
  return Object.assign(stream, { flush: () => pipeline?.provider.forceFlush() ?? Promise.resolve() });
}

/** Reads pino's lines, maps and emits them, with backpressure while the collector takes records. */
async function pump(source: Source, pipeline: BridgePipeline, defaultName: string, onRecord: () => void): Promise<void> {
  const { provider, stats, maxQueueSize } = pipeline;
  const loggers = new Map<string, Logger>();
  const loggerFor = (name: string): Logger => {
    let logger = loggers.get(name);
    if (!logger) {
      logger = provider.getLogger(name);
      loggers.set(name, logger);
    }
    return logger;
  };
  const labels = new Map<number, string>();
  for (const [label, n] of Object.entries(source.levels?.values ?? {})) labels.set(n, label);
  const shape: PinoLineShape = { messageKey: source.messageKey, errorKey: source.errorKey, labels };

  // Backpressure instead of drops: the worker can wait (the app's thread cannot), so when the
  // queue is half full it stops reading until the queue is exported; lines wait in pino's
  // thread-stream buffer meanwhile. But while exports fail (collector down) waiting would only
  // grow that buffer in the app's memory without bound, so then the bounded queue drops (counted,
  // reported on stderr) until an export succeeds again.
  const highWater = Math.max(1, Math.floor(maxQueueSize / 2));
  let failedSeen = 0;
  let exportedSeen = 0;
  let healthy = true;
  const collectorHealthy = (): boolean => {
    if (stats.counts.failed !== failedSeen) {
      failedSeen = stats.counts.failed;
      exportedSeen = stats.counts.exported;
      healthy = false;
    } else if (!healthy && stats.counts.exported !== exportedSeen) healthy = true;
    return healthy;
  };

  // A line that is not JSON (another writer on the stream) is kept as a plain body.
  source.on('unknown', (line: string) => {
    onRecord();
    loggerFor(defaultName).emit({ body: String(line) });
  });
  // 'data' events rather than `for await`: the async iterator costs promises and microtasks per
  // record (bench/bridge-pino burst, A/B on a noisy 2-core machine: process CPU ~18-20 → ~14-16
  // µs/record); pause/resume gives the same backpressure.
  await new Promise<void>((resolve, reject) => {
    source.on('data', (obj: Record<string, unknown>) => {
      onRecord();
      try {
        const { name, record } = mapPinoRecord(obj, shape);
        loggerFor(name ?? defaultName).emit(record);
      } catch (error) {
        // Not counted as an export failure: that would read as "collector down" above.
        say(`could not map a record: ${(error as Error).message}`);
      }
      if (stats.queued() >= highWater && collectorHealthy()) {
        source.pause();
        void provider.forceFlush().finally(() => source.resume());
      }
    });
    source.once('end', resolve);
    source.once('error', reject);
  });
}
