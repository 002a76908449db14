import { describeError } from '../otlp/describe-error.ts';
import { createNoopMeter, type Attributes, type Counter, type Meter, type MeterProvider, type ObservableResult, type ObservableUpDownCounter } from '@opentelemetry/api';

/** Counters of the app-side pipeline, from {@link LoggingHandle.stats}. */
export interface PipelineStats {
  /** Records that reached the pipeline (after level checks and filters). */
  emitted: number;
  /** Records dropped because the queue was full (exact). */
  dropped: number;
  /** Records the exporter acknowledged. */
  exported: number;
  /** Records whose export failed after retries. */
  failed: number;
  /**
   * Exceptions inside log calls since registration, each reported on stderr (rate-limited): a
   * throwing getter in the attributes of a logq logger's call (that record is not shipped and not
   * in `emitted`), or one of the app's processors that threw (the record went on without it). So
   * `emitted` = `exported` + `failed` + `dropped` + `queued` holds whatever `errors` says.
   */
  errors: number;
  /** Records waiting in the queue now. */
  queued: number;
  /**
   * Bytes of encoded records waiting now, in the queue or in an export still in flight (with
   * logq's own exporter, which queues records as their OTLP bytes; 0 otherwise). Bounded by
   * `batch.maxQueueBytes`.
   */
  queuedBytes: number;
}

/**
 * Reports drops on stderr, at most once per interval (the seed's console fallback). `capacity` is
 * the queue's bound in records, `byteCapacity` its bound in bytes when it has one.
 */
export type DropReporter = (totalDropped: number, capacity: number, byteCapacity?: number) => void;

/**
 * Counts what the SDK's BatchLogRecordProcessor reports through its self-observability metrics
 * (`otel.sdk.processor.log.processed`, with `error.type = queue_full` for drops) — the public way
 * to learn the exact drop count without touching the processor's private state.
 */
export class QueueStats implements MeterProvider {
  readonly counts = { emitted: 0, dropped: 0, exported: 0, failed: 0 };
  private readonly queueCallbacks: ((r: ObservableResult) => void)[] = [];
  /** Queue capacity reported by the processor. */
  capacity = 0;
  /** The queue's bound in bytes, when it has one (PreEncodeProcessor). */
  byteCapacity: number | undefined;
  /** Bytes queued now, from whoever bounds the queue in bytes. */
  queuedBytes: () => number = () => 0;
  private readonly onDrop: DropReporter | undefined;

  constructor(onDrop?: DropReporter) {
    this.onDrop = onDrop;
  }

  getMeter(): Meter {
    const base = createNoopMeter();
    const meter = Object.create(base) as Meter;
    meter.createCounter = (() => this.processedCounter()) as Meter['createCounter'];
    meter.createUpDownCounter = (() => ({ add: (n: number) => void (this.capacity += n) })) as never;
    meter.createObservableUpDownCounter = (() => ({
      addCallback: (cb: (r: ObservableResult) => void) => void this.queueCallbacks.push(cb),
      removeCallback: () => {},
    })) as unknown as () => ObservableUpDownCounter;
    return meter;
  }

  private processedCounter(): Counter {
    return {
      add: (n: number, attrs?: Attributes) => {
        const error = attrs?.['error.type'];
        if (error === 'queue_full') this.recordDrop(n);
        else if (error !== undefined) this.counts.failed += n;
        else this.counts.exported += n;
      },
    };
  }

  /** Counts `n` records dropped because the queue was full (in records or in bytes) and reports it. */
  recordDrop(n: number): void {
    this.counts.dropped += n;
    try {
      this.onDrop?.(this.counts.dropped, this.capacity, this.byteCapacity);
    } catch {
      // reporting must not break logging
    }
  }

  /** Records waiting in the queue now (asks the processor through its observable gauge). */
  queued(): number {
    let total = 0;
    const result = { observe: (v: number) => void (total += v) } as ObservableResult;
    for (const cb of this.queueCallbacks) cb(result);
    return total;
  }

  /** Log calls that failed inside logq since registration (see {@link PipelineStats.errors}). */
  errors: () => number = () => 0;

  snapshot(): PipelineStats {
    return { ...this.counts, errors: this.errors(), queued: this.queued(), queuedBytes: this.queuedBytes() };
  }
}

/** A check that says yes at most once per `intervalMs` (the rate limit of logq's stderr lines). */
function onceEvery(intervalMs: number): () => boolean {
  let last = -Infinity;
  return () => {
    const now = Date.now();
    if (now - last < intervalMs) return false;
    last = now;
    return true;
  };
}

/** A rate-limited drop reporter that can also write a last summary (at shutdown). */
export interface StderrDropReporter extends DropReporter {
  /** Writes the final total if drops happened since the last line. */
  summary(total: number, capacity: number, byteCapacity?: number): void;
}

/**
 * A drop reporter writing one line to stderr at most every `intervalMs` (so a flood of drops
 * cannot flood stderr), naming the running total; {@link StderrDropReporter.summary} writes the
 * total the rate limit held back.
 */
export function stderrDropReporter(intervalMs = 10_000, write: (line: string) => void = (l) => process.stderr.write(l)): StderrDropReporter {
  const due = onceEvery(intervalMs);
  let reported = 0;
  const line = (total: number, capacity: number, bytes?: number) => {
    reported = total;
    const bound = bytes === undefined ? `maxQueueSize=${capacity}` : `maxQueueSize=${capacity} records or maxQueueBytes=${bytes}`;
    write(`logq: log queue full (${bound}): ${total} record(s) dropped so far\n`);
  };
  return Object.assign(
    (total: number, capacity: number, bytes?: number) => {
      if (due()) line(total, capacity, bytes);
    },
    {
      summary: (total: number, capacity: number, bytes?: number) => {
        if (total > reported) line(total, capacity, bytes);
      },
    },
  );
}

/** A rate-limited failure reporter that can also write a last summary (at shutdown). */
export interface StderrFailureReporter {
  (records: number, error: unknown): void;
  /** Writes the final total if failures happened since the last line. */
  summary(): void;
}

/**
 * Reports records whose export finally failed (collector unreachable past the deadline, refused,
 * or records that could not be encoded) on stderr, at most once per `intervalMs`, with the reason
 * ({@link describeError}) and the running total; {@link StderrFailureReporter.summary} writes the
 * total the rate limit held back. Failures are also counted in {@link PipelineStats.failed}.
 */
export function stderrFailureReporter(intervalMs = 10_000, write: (line: string) => void = (l) => process.stderr.write(l)): StderrFailureReporter {
  const due = onceEvery(intervalMs);
  let total = 0;
  let reported = 0;
  return Object.assign(
    (records: number, error: unknown) => {
      total += records;
      if (!due()) return;
      reported = total;
      write(`logq: export of ${records} log record(s) failed: ${error === undefined ? 'unknown error' : describeError(error)} (${total} failed so far)\n`);
    },
    {
      summary: () => {
        if (total > reported) write(`logq: ${total} log record(s) failed to export in all (${total - reported} since the last line)\n`);
        reported = total;
      },
    },
  );
}
