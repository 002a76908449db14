import build from 'pino-abstract-transport';
import type { Logger } from '@opentelemetry/api';
import { createBridgePipeline, type BridgePipelineOptions } from './bridge-provider.ts';
import { mapPinoRecord, type PinoLineShape } from './pino-record.ts';

export { logqPinoMixin } from './pino-mixin.ts';
export type { LogqPinoMixinOptions } from './pino-mixin.ts';

/** Options of the `logq/pino` transport (`pino.transport({ target: 'logq/pino', options })`). */
export interface LogqPinoTransportOptions extends BridgePipelineOptions {
  /**
   * Logger (instrumentation scope) name of records without a pino `name`.
   * @default 'pino'
   */
  loggerName?: string;
}

/** What pino sends the worker about its configuration (pino ≥ 9.1 with `expectPinoConfig`). */
interface PinoConfig {
  levels?: { values?: Record<string, number> };
  messageKey?: string;
  errorKey?: string;
}

/**
 * The `logq/pino` transport. pino runs it in a worker thread: the app's thread only serializes the
 * line, while parsing, OTLP encoding and the gRPC call happen here, through a LoggerProvider of the
 * worker's own (resource, redaction, BatchLogRecordProcessor, logq's GrpcLogExporter). pino's
 * `logger.flush()` flushes the queue; when the app exits, pino ends the stream and waits (up to
 * 10 s, thread-stream's limit) while the worker shuts the provider down, exporting what is queued.
 */
export default async function logqPinoTransport(options: LogqPinoTransportOptions = {}) {
  const { provider, stats, maxQueueSize } = createBridgePipeline(options);
  // Backpressure instead of drops: the worker can wait (the app's thread cannot), so when the
  // queue is half full it stops reading lines until the queue is exported. Lines then wait in
  // pino's thread-stream buffer; the BatchLogRecordProcessor never has to drop.
  const highWater = Math.max(1, Math.floor(maxQueueSize / 2));
  const defaultName = options.loggerName ?? 'pino';
  const loggers = new Map<string, Logger>();
  const loggerFor = (name: string): Logger => {
    let logger = loggers.get(name);
    if (!logger) {
      logger = provider.getLogger(name);
      loggers.set(name, logger);
    }
    return logger;
  };

  const stream = await build(
    async (source: AsyncIterable<Record<string, unknown>> & Partial<PinoConfig> & NodeJS.EventEmitter) => {
      const config = source as unknown as { levels?: PinoConfig['levels']; messageKey?: string; errorKey?: string };
      const labels = new Map<number, string>();
      for (const [label, n] of Object.entries(config.levels?.values ?? {})) labels.set(n, label);
      const shape: PinoLineShape = { messageKey: config.messageKey, errorKey: config.errorKey, labels };
      // A line that is not JSON (another writer on the stream) is kept as a plain body.
      source.on('unknown', (line: string) => {
        loggerFor(defaultName).emit({ body: String(line) });
      });
      for await (const obj of source) {
        try {
          const { name, record } = mapPinoRecord(obj, shape);
          loggerFor(name ?? defaultName).emit(record);
        } catch (error) {
          stats.counts.failed++;
          process.emitWarning(`logq/pino: could not map a record: ${(error as Error).message}`);
        }
        if (stats.queued() >= highWater) await provider.forceFlush();
      }
    },
    {
      expectPinoConfig: true,
      close: async () => {
        await provider.shutdown();
      },
    },
  );
  // thread-stream calls flush() for pino's logger.flush(cb).
  return Object.assign(stream, { flush: () => provider.forceFlush() });
}
