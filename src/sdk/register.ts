import { context, logs } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BatchLogRecordProcessor,
  LoggerProvider,
  type LogRecordExporter,
  type LogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import { GrpcLogExporter, type GrpcLogExporterOptions } from '../exporter/GrpcLogExporter.ts';
import { buildResource, type ResourceOptions } from './resource.ts';

/** Settings of the BatchLogRecordProcessor (the async queue between the app and the exporter). */
export interface BatchOptions {
  /** Records held before new ones are dropped. @default 2048 (OTEL_BLRP_MAX_QUEUE_SIZE) */
  maxQueueSize?: number;
  /** Records per export call. @default 512 (OTEL_BLRP_MAX_EXPORT_BATCH_SIZE) */
  maxExportBatchSize?: number;
  /** Delay between two exports, in ms. @default 1000 (OTEL_BLRP_SCHEDULE_DELAY) */
  scheduledDelayMillis?: number;
  /** Time allowed for one export, in ms. @default 30000 (OTEL_BLRP_EXPORT_TIMEOUT) */
  exportTimeoutMillis?: number;
}

/** Options of {@link registerLogging}. */
export interface RegisterLoggingOptions extends ResourceOptions, GrpcLogExporterOptions {
  /** Queue and batch settings. @default the OTel SDK defaults / OTEL_BLRP_* env vars */
  batch?: BatchOptions;
  /** Use this exporter instead of logq's gRPC exporter (tests, custom sinks). @default GrpcLogExporter */
  exporter?: LogRecordExporter;
  /** Processors run before the batch processor (filters, enrichers). @default [] */
  processors?: LogRecordProcessor[];
}

/** What {@link registerLogging} returns. */
export interface LoggingHandle {
  /** The OTel LoggerProvider logq installed as the global one. */
  readonly provider: LoggerProvider;
  /** Exports every buffered record now. */
  forceFlush(): Promise<void>;
  /** Flushes, then stops the pipeline. Safe to call twice. */
  shutdown(): Promise<void>;
}

/**
 * Sets up logging for the app: a LoggerProvider with the service's resource, a
 * BatchLogRecordProcessor and logq's OTLP/gRPC exporter, installed as the global OTel logger
 * provider (with an AsyncLocalStorage context manager if the app has none, so records carry the
 * active span's trace and span ids).
 */
export function registerLogging(options: RegisterLoggingOptions = {}): LoggingHandle {
  const exporter = options.exporter ?? new GrpcLogExporter(options);
  const batch = new BatchLogRecordProcessor({ exporter, ...options.batch });
  const provider = new LoggerProvider({
    resource: buildResource(options),
    processors: [...(options.processors ?? []), batch],
  });

  const contextManager = new AsyncLocalStorageContextManager();
  if (!context.setGlobalContextManager(contextManager.enable())) contextManager.disable();
  logs.setGlobalLoggerProvider(provider);

  let shutdownPromise: Promise<void> | undefined;
  return {
    provider,
    forceFlush: () => provider.forceFlush(),
    shutdown: () => {
      shutdownPromise ??= provider.shutdown().finally(() => logs.disable());
      return shutdownPromise;
    },
  };
}
