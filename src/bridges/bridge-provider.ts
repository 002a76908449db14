import { BatchLogRecordProcessor, LoggerProvider, type LogRecordProcessor } from '@opentelemetry/sdk-logs';
import { GrpcLogExporter, type GrpcLogExporterOptions } from '../exporter/GrpcLogExporter.ts';
import { resolveBatchOptions, type BatchOptions } from '../sdk/batch-config.ts';
import { RedactionProcessor } from '../sdk/processors/RedactionProcessor.ts';
import type { RedactOptions } from '../sdk/processors/redact.ts';
import { QueueStats, stderrDropReporter } from '../sdk/QueueStats.ts';
import { buildResource, type ResourceOptions } from '../sdk/resource.ts';

/** Pipeline options of a bridge that owns its own provider (the pino transport's worker). */
export interface BridgePipelineOptions extends ResourceOptions, GrpcLogExporterOptions {
  /** Queue and batch settings. @default OTEL_BLRP_* env vars, else the OTel SDK defaults */
  batch?: BatchOptions;
  /** Redaction of secrets, as in `registerLogging` (`false` turns it off). @default true */
  redact?: boolean | RedactOptions;
  /** Least interval between two "queue full" lines on stderr, in ms. @default 10000 */
  dropReportIntervalMs?: number;
}

/** A provider built for a bridge, with its queue counters. */
export interface BridgePipeline {
  provider: LoggerProvider;
  stats: QueueStats;
  /** The queue's capacity (maxQueueSize in force). */
  maxQueueSize: number;
}

/**
 * Builds resource → redaction → BatchLogRecordProcessor (counting drops) → logq's gRPC exporter,
 * the same pipeline `registerLogging` installs, but without touching any global (it runs in a
 * worker thread that must not install signal hooks or a global provider).
 */
export function createBridgePipeline(options: BridgePipelineOptions = {}): BridgePipeline {
  const warn = (m: string) => process.emitWarning(m, 'LogqConfigWarning');
  const stats = new QueueStats(stderrDropReporter(options.dropReportIntervalMs ?? 10_000));
  // maxQueueBytes bounds queues of encoded records only (registerLogging's); these hold record objects.
  const { maxQueueBytes: _bytes, ...batch } = resolveBatchOptions(options.batch, process.env, warn);
  const processors: LogRecordProcessor[] = [];
  if (options.redact !== false) processors.push(new RedactionProcessor(options.redact === true ? {} : options.redact));
  processors.push(
    new BatchLogRecordProcessor({
      exporter: new GrpcLogExporter(options),
      ...batch,
      selfObsMeterProvider: stats,
    }),
  );
  return { provider: new LoggerProvider({ resource: buildResource(options), processors }), stats, maxQueueSize: batch.maxQueueSize };
}
