import { context, logs } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BatchLogRecordProcessor,
  LoggerProvider,
  SimpleLogRecordProcessor,
  type LogRecordExporter,
  type LogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import { GrpcLogExporter, type GrpcLogExporterOptions } from '../exporter/GrpcLogExporter.ts';
import { PipelinedLogExporter } from '../exporter/PipelinedLogExporter.ts';
import { materializing, PreEncodeProcessor, releasing } from '../exporter/PreEncodeProcessor.ts';
import { BATCH_DEFAULTS, PRE_ENCODED_BATCH_SIZE, PRE_ENCODED_QUEUE_SIZE, resolveBatchOptions, type BatchOptions } from './batch-config.ts';
import { installExitFlush, type ExitFlushOptions } from './exit-flush.ts';
import { directPipeline, installDirectPipeline, IntakeProcessor, type DirectPipeline } from './intake.ts';
import { ConsoleLogExporter, type ConsoleLogExporterOptions } from './exporters/ConsoleLogExporter.ts';
import { RotatingFileExporter, type RotatingFileExporterOptions } from './exporters/RotatingFileExporter.ts';
import { resolveLevelConfig, type LevelOptions } from './level-config.ts';
import { configureLoggers, logCallErrors, reportLogCallError } from './logger.ts';
import type { LevelName } from './levels.ts';
import { FilterProcessor, type LogFilter } from './processors/FilterProcessor.ts';
import { NotifyProcessor, type NotifyProcessorOptions } from './processors/NotifyProcessor.ts';
import { RedactionProcessor } from './processors/RedactionProcessor.ts';
import type { RedactOptions } from './processors/redact.ts';
import { QueueStats, stderrDropReporter, stderrFailureReporter, type PipelineStats } from './QueueStats.ts';
import { buildResource, type ResourceOptions } from './resource.ts';

export type { BatchOptions } from './batch-config.ts';

/** Options of {@link registerLogging}. */
export interface RegisterLoggingOptions extends ResourceOptions, GrpcLogExporterOptions, LevelOptions {
  /** Queue and batch settings. @default OTEL_BLRP_* env vars, else the OTel SDK defaults */
  batch?: BatchOptions;
  /** Use this exporter instead of logq's gRPC exporter (tests, custom sinks). @default GrpcLogExporter */
  exporter?: LogRecordExporter;
  /** Your own processors, run after the filter and before redaction (enrichers, …); one that throws is counted in `stats().errors` and the record goes on. @default [] */
  processors?: LogRecordProcessor[];
  /** Redaction of secrets (on by default); `false` turns it off, an object extends it. @default true */
  redact?: boolean | RedactOptions;
  /** Drops records for which it returns false (Django's CallbackFilter). @default none */
  filter?: LogFilter;
  /** Notify on ERROR+ records (function and/or webhook, rate-limited). @default none */
  notify?: NotifyProcessorOptions;
  /** Also print records (development): `true` or console options. @default false */
  console?: boolean | ConsoleLogExporterOptions;
  /** Also write records to a size-rotated JSON-lines file. @default none */
  file?: RotatingFileExporterOptions;
  /** Code location on records at or above this level (`true` = ERROR+). @default false */
  codeLocation?: boolean | LevelName;
  /** Flush on SIGTERM/SIGINT/beforeExit (bounded), then let the app's handling proceed. @default true */
  flushOnExit?: boolean | ExitFlushOptions;
  /** Least interval between two "queue full" (or two "export failed") lines on stderr, in ms. @default 10000 */
  dropReportIntervalMs?: number;
}

/**
 * logq's gRPC exporter; when its configuration is unusable (e.g. a malformed endpoint) the error
 * is reported and records go to stderr as JSON lines instead (the seed's console fallback), so a
 * typo in an env var neither crashes the app nor loses its logs silently.
 */
function grpcOrFallback(
  options: GrpcLogExporterOptions,
  stats: QueueStats,
  encoder: () => PreEncodeProcessor | undefined,
  reportFailure: (records: number, error: unknown) => void,
): LogRecordExporter {
  try {
    // Up to 16 exports overlap: the BatchLogRecordProcessor waits for each export before the next,
    // which capped delivery at one batch per round trip (bench/end-to-end: 26x more rows landed
    // with 4). A ~0.5 MB call needs several HTTP/2 flow-control windows (64 KiB per stream) from
    // the server, so more calls in flight drain a burst faster: app-export's burst dropped 24-26%
    // with 16 vs 47-51% with 4 (8: 37-47%), same CPU per record at paced rates. (logq's collector
    // now advertises 1 MiB per call: collector/grpc-window.ts.) In flight, a call
    // holds only its encoded payload (the records are released once encoded).
    // Records that finally fail after the processor was answered move from exported to failed.
    // Finished calls give their bytes back to the encoder's byte bound (records queued as bytes).
    return new PipelinedLogExporter(releasing(new GrpcLogExporter(options), encoder), {
      maxInFlight: 16,
      onFailed: (records, error) => {
        stats.counts.failed += records;
        stats.counts.exported -= records;
        reportFailure(records, error);
      },
    });
  } catch (error) {
    warn(`logq: cannot export over OTLP/gRPC (${(error as Error).message}); writing records to stderr instead`);
    return new ConsoleLogExporter({ stream: process.stderr, format: 'json' });
  }
}

/** `processor` with exceptions from its `onEmit` counted and reported instead of thrown into the log call. */
function guarded(processor: LogRecordProcessor, what: string): LogRecordProcessor {
  return {
    onEmit: (record, ctx) => {
      try {
        processor.onEmit(record, ctx);
      } catch (error) {
        reportLogCallError(what, error);
      }
    },
    forceFlush: () => processor.forceFlush(),
    shutdown: () => processor.shutdown(),
  };
}

/** What {@link registerLogging} returns. */
export interface LoggingHandle {
  /** The OTel LoggerProvider logq installed as the global one. */
  readonly provider: LoggerProvider;
  /** Exports every buffered record now. */
  forceFlush(): Promise<void>;
  /** Flushes, then stops the pipeline and removes the exit hooks. Safe to call twice. */
  shutdown(): Promise<void>;
  /** Counters of the pipeline: emitted, dropped (queue full in records or bytes, exact), exported, failed, queued, queuedBytes. */
  stats(): PipelineStats;
}

const warn = (m: string) => process.emitWarning(m, 'LogqConfigWarning');

/** Attribute limits of the provider (the OTel SDK defaults, set explicitly: logq's loggers apply the same ones). */
const RECORD_LIMITS = { attributeCountLimit: 128, attributeValueLengthLimit: Infinity };

/** Builds an optional component; a bad configuration is reported and the component left out (never thrown). */
function optional(option: string, build: () => void): void {
  try {
    build();
  } catch (error) {
    warn(`logq: option "${option}" is invalid (${(error as Error).message}); continuing without it`);
  }
}

/**
 * Sets up logging for the app: levels for every logger, then a LoggerProvider with the service's
 * resource and the pipeline filter → your processors → redaction → notify → BatchLogRecordProcessor
 * → logq's OTLP/gRPC exporter (plus optional console and file exporters), installed as the global
 * OTel logger provider, with an AsyncLocalStorage context manager if the app has none.
 */
export function registerLogging(options: RegisterLoggingOptions = {}): LoggingHandle {
  configureLoggers({ levels: resolveLevelConfig(options, process.env, warn), codeLocation: options.codeLocation ?? false });

  const dropReporter = stderrDropReporter(options.dropReportIntervalMs ?? 10_000);
  const stats = new QueueStats(dropReporter);
  const errorsBefore = logCallErrors();
  stats.errors = () => logCallErrors() - errorsBefore;
  let encoder: PreEncodeProcessor | undefined;
  const failureReporter = stderrFailureReporter(options.dropReportIntervalMs ?? 10_000);
  const exporter = options.exporter ?? grpcOrFallback(options, stats, () => encoder, failureReporter);
  // With logq's own exporter, records are encoded as they are emitted and queued as bytes
  // (PreEncodeProcessor): less heap per queued record, so a larger queue by default.
  const preEncode = !options.exporter && exporter instanceof PipelinedLogExporter;
  const { maxQueueBytes, ...batchOptions } = resolveBatchOptions(options.batch, process.env, warn, preEncode ? { ...BATCH_DEFAULTS, maxQueueSize: PRE_ENCODED_QUEUE_SIZE, maxExportBatchSize: PRE_ENCODED_BATCH_SIZE } : BATCH_DEFAULTS);
  const batch = new BatchLogRecordProcessor({
    // Records queued as bytes: the queue holds markers, turned back into records per batch.
    exporter: preEncode ? materializing(exporter, () => encoder) : exporter,
    ...batchOptions,
    selfObsMeterProvider: stats,
  });
  // Behind a filter, this counter counts what passed it; without one, the intake processor counts.
  const counter: LogRecordProcessor = {
    onEmit: () => void stats.counts.emitted++,
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  // The app's processors run guarded: one that throws costs its own work on that record, not the
  // record (counted in stats().errors and reported, as a failed log call is).
  const pipeline: LogRecordProcessor[] = (options.processors ?? []).map((p) => guarded(p, 'a processor of yours threw; the record went on without it'));
  if (options.filter) pipeline.unshift(counter);
  if (options.redact !== false) pipeline.push(new RedactionProcessor(options.redact === true ? {} : options.redact));
  if (options.notify) optional('notify', () => pipeline.push(new NotifyProcessor(options.notify!)));
  if (preEncode) {
    const bytes = (encoder = new PreEncodeProcessor(batch, { maxQueueBytes, drops: stats, recycleChunks: true }));
    stats.byteCapacity = maxQueueBytes;
    stats.queuedBytes = () => bytes.queuedBytes;
  }
  pipeline.push(encoder ?? batch);
  if (options.console) {
    const consoleOptions = options.console === true ? {} : options.console;
    optional('console', () => pipeline.push(guarded(new SimpleLogRecordProcessor({ exporter: new ConsoleLogExporter(consoleOptions) }), 'console output failed')));
  }
  if (options.file) optional('file', () => pipeline.push(guarded(new BatchLogRecordProcessor({ exporter: new RotatingFileExporter(options.file!) }), 'file output failed')));

  // The intake processor comes first: it counts emitted records (behind a filter, the counter in
  // the pipeline counts what passed it) and closes logq's direct path when the provider shuts down.
  const intake = new IntakeProcessor(options.filter ? undefined : stats.counts);
  const processors = options.filter ? [intake, new FilterProcessor(options.filter, pipeline)] : [intake, ...pipeline];
  const resource = buildResource(options);
  const provider = new LoggerProvider({ resource, logRecordLimits: RECORD_LIMITS, processors });
  const direct: DirectPipeline = { resource, processors, limits: RECORD_LIMITS, closed: false, scopes: new Map() };
  intake.pipeline = direct;
  // Nothing but the defaults (intake, redaction unless off, the encoder): logq's loggers run them as one (intake.ts).
  // (Exactly logq's RedactionProcessor: an app's subclass of it, passed in `processors`, has an onEmit of its own.)
  const redaction = processors.length === 3 && Object.getPrototypeOf(processors[1]) === RedactionProcessor.prototype ? (processors[1] as RedactionProcessor) : undefined;
  if (encoder && !options.filter && processors[processors.length - 1] === encoder && (processors.length === 2 || redaction !== undefined)) {
    direct.defaultChain = { counts: stats.counts, redactor: redaction?.redactor, encoder };
  }

  const contextManager = new AsyncLocalStorageContextManager();
  if (!context.setGlobalContextManager(contextManager.enable())) contextManager.disable();
  logs.disable();
  logs.setGlobalLoggerProvider(provider);
  // logq's loggers hand their records to these processors directly (see intake.ts).
  installDirectPipeline(direct);
  // Loggers fetched before registration hold the previous provider's loggers: re-bind them.
  configureLoggers({});

  let flushedAt = 0;
  /** Flushes under way: shutdown waits for them (the SDK's queue ignores a flush while one runs). */
  const flushing = new Set<Promise<void>>();
  /** The flush running now, and the one queued behind it (every call made while it waits joins it). */
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const flushOnce = async () => {
    await provider.forceFlush();
    // The queue's flush waits for the exporter only when it had records left: exports the
    // pipelined exporter already acknowledged may still be in flight, and an app that exits
    // after flushing must not lose them.
    await exporter.forceFlush();
  };
  const flush = () => {
    flushedAt = stats.counts.emitted;
    if (queued) return queued;
    // The SDK's queue ignores a flush while one runs (it returns at once, leaving what was logged
    // since the first one began waiting for the timer): a flush called meanwhile runs after it.
    const before = running;
    const done = before === undefined ? flushOnce() : before.catch(() => {}).then(() => {
      queued = undefined;
      return flushOnce();
    });
    if (before !== undefined) queued = done;
    running = done;
    void done.then(
      () => void (running === done && (running = undefined)),
      () => void (running === done && (running = undefined)),
    );
    flushing.add(done);
    done.then(
      () => flushing.delete(done),
      () => flushing.delete(done),
    );
    return done;
  };
  const uninstallExit =
    options.flushOnExit === false
      ? () => {}
      : installExitFlush(flush, () => stats.counts.emitted !== flushedAt, options.flushOnExit === true ? {} : options.flushOnExit);

  let shutdownPromise: Promise<void> | undefined;
  return {
    provider,
    forceFlush: flush,
    shutdown: () => {
      shutdownPromise ??= (async () => {
        uninstallExit();
        try {
          // A shutdown during a flush (the exit flush and an app's own SIGTERM handler, say) found
          // the SDK's queue flushing and returned at once: the records queued meanwhile were lost,
          // uncounted (review, helper-14). Let the flush finish first.
          await Promise.allSettled([...flushing]);
          await provider.shutdown();
        } finally {
          dropReporter.summary(stats.counts.dropped, stats.capacity, stats.byteCapacity);
          failureReporter.summary();
          logs.disable();
          if (directPipeline() === direct) installDirectPipeline(undefined);
          configureLoggers({});
        }
      })();
      return shutdownPromise;
    },
    stats: () => stats.snapshot(),
  };
}
