import type { Warn } from './level-config.ts';

/** Settings of the BatchLogRecordProcessor (the async queue between the app and the exporter). */
export interface BatchOptions {
  /**
   * Records held before new ones are dropped (and counted).
   * @default OTEL_BLRP_MAX_QUEUE_SIZE ?? 131072 with logq's exporter (records queued as bytes), else 65536
   */
  maxQueueSize?: number;
  /** Records per export call (≤ maxQueueSize). @default OTEL_BLRP_MAX_EXPORT_BATCH_SIZE ?? 8192 with logq's exporter, else 4096 */
  maxExportBatchSize?: number;
  /** Delay between two exports, in ms. @default OTEL_BLRP_SCHEDULE_DELAY ?? 200 */
  scheduledDelayMillis?: number;
  /** Time allowed for one export, in ms. @default OTEL_BLRP_EXPORT_TIMEOUT ?? 30000 */
  exportTimeoutMillis?: number;
  /**
   * Bytes of encoded records held (queued, or in exports still in flight) before new ones are
   * dropped (and counted), on top of `maxQueueSize`, where records are queued as their OTLP
   * bytes: registerLogging with logq's own exporter. A count bound alone lets 131072 records with 8 KB stack traces hold ~1 GiB. Not
   * applied to queues of record objects (an exporter of the app's own, the pino bridge), whose
   * size is not known.
   * @default LOGQ_MAX_QUEUE_BYTES ?? 67108864 (64 MiB)
   */
  maxQueueBytes?: number;
}

const ENV: Record<keyof BatchOptions, string> = {
  maxQueueSize: 'OTEL_BLRP_MAX_QUEUE_SIZE',
  maxExportBatchSize: 'OTEL_BLRP_MAX_EXPORT_BATCH_SIZE',
  scheduledDelayMillis: 'OTEL_BLRP_SCHEDULE_DELAY',
  exportTimeoutMillis: 'OTEL_BLRP_EXPORT_TIMEOUT',
  maxQueueBytes: 'LOGQ_MAX_QUEUE_BYTES',
};

/**
 * logq's defaults, larger than the OTel spec's (2048 / 512 / 1000 ms): with the spec's, a burst at
 * 200k records/s dropped 19% of records, with these none, for 58.6 MiB of heap growth
 * (bench/app-export, BENCHMARKS.md). The queue holds 65536 records: in app-export's unthrottled burst
 * (200k records, 1000 per event-loop turn) 32768 dropped 26% and cost 1.01x pino's CPU per delivered
 * record, 65536 dropped 6-12% at 0.91x (same run); the memory is used only while a burst is queued.
 * OTEL_BLRP_* env vars and options still override them.
 */
export const BATCH_DEFAULTS: Required<BatchOptions> = {
  maxQueueSize: 65536,
  maxExportBatchSize: 4096,
  scheduledDelayMillis: 200,
  exportTimeoutMillis: 30000,
  // ~600k records of app-export's ~110 bytes: the count bound is what typical records meet first.
  maxQueueBytes: 64 * 1024 * 1024,
};

/**
 * Queue size by default when logq's own exporter is in use: records then wait in the queue as
 * their encoded OTLP bytes plus a 5-field object (PreEncodeProcessor) instead of the record object
 * graph. bench/app-export's unthrottled burst (200k records, 1000 per turn), heap + ArrayBuffers
 * growth: 131072 dropped none for 59–69 MiB, 65536 dropped 7.8% for 61–72 MiB; the record objects
 * with 65536 had dropped 6–13% for 79–89 MiB.
 */
export const PRE_ENCODED_QUEUE_SIZE = 131072;

/**
 * Batch size by default with logq's own exporter: 8192 rather than 4096. An export call costs the
 * app ~0.5 ms of CPU on a 2-core VM whatever its size (grpc-js's call set-up), so at 200k records/s
 * half the calls saved ~8% of logq's CPU per record (ad-hoc A/B, 7 pairs: median 1.50 → 1.38 µs,
 * lower in every pair). logq's exporter sends a batch over its `maxRequestBytes` (4 MiB) as several
 * requests; an exporter of the app's own may not, so it keeps 4096.
 */
export const PRE_ENCODED_BATCH_SIZE = 8192;

/**
 * Options, then OTEL_BLRP_* env vars, then `defaults` ({@link BATCH_DEFAULTS}). A value that is not a positive
 * integer is reported through `warn` and replaced by the next source (the SDK never refuses to start);
 * a batch larger than the queue is clamped to the queue (with a warning if the batch size was given).
 */
export function resolveBatchOptions(
  options: BatchOptions = {},
  env: NodeJS.ProcessEnv = process.env,
  warn: Warn,
  defaults: Required<BatchOptions> = BATCH_DEFAULTS,
): Required<BatchOptions> {
  const out = { ...defaults };
  const given = new Set<keyof BatchOptions>();
  for (const key of Object.keys(ENV) as (keyof BatchOptions)[]) {
    const fromOption = options[key];
    if (fromOption !== undefined) {
      if (Number.isSafeInteger(fromOption) && fromOption > 0) {
        out[key] = fromOption;
        given.add(key);
        continue;
      }
      warn(`logq: option batch.${key} is ${String(fromOption)}: expected a positive integer; using the environment or default`);
    }
    const raw = env[ENV[key]];
    if (raw !== undefined && raw.trim() !== '') {
      const n = Number(raw);
      if (Number.isSafeInteger(n) && n > 0) {
        out[key] = n;
        given.add(key);
      } else warn(`logq: ${ENV[key]}="${raw}": expected a positive integer; using ${out[key]}`);
    }
  }
  if (out.maxExportBatchSize > out.maxQueueSize) {
    // Worth a warning only if the batch size was asked for; a default batch just follows a smaller queue.
    if (given.has('maxExportBatchSize')) warn(`logq: maxExportBatchSize ${out.maxExportBatchSize} > maxQueueSize ${out.maxQueueSize}; using ${out.maxQueueSize}`);
    out.maxExportBatchSize = out.maxQueueSize;
  }
  return out;
}
