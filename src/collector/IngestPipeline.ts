import { Batcher } from './Batcher.ts';
import type { NativeChunk } from './request-native.ts';
import { LogqError } from './errors.ts';
import type { RequestJournal } from './RequestJournal.ts';
import type { Shipper } from './Shipper.ts';
import type { Spool } from './Spool.ts';

/** Options of {@link IngestPipeline}. */
export interface IngestPipelineOptions {
  /** Rows per spooled batch (and per insert). @default 10000 */
  batchMaxRows: number;
  /** Longest a row waits before its batch is spooled, in ms. @default 200 */
  batchMaxDelayMs: number;
  /** Rows received but not yet spooled, at most. @default 200000 */
  maxPendingRows: number;
  /** RetryInfo / Retry-After delay sent with backpressure answers, in ms (x5 while ClickHouse fails). @default 1000 */
  retryDelayMs: number;
}

/** Counters of the admission step. */
export interface IngestStats {
  acceptedRows: number;
  refusedRows: number;
  /** Requests acknowledged without storing them again: a retry of a request already durable. */
  duplicateRequests: number;
}

/**
 * Admission, batching and durability in one place: decides whether a request may enter
 * (backpressure), batches rows, writes each batch to the spool and wakes the shipper. `accept`
 * resolves once the rows are fsync'ed in the spool — the durable-acknowledgement point.
 */
export class IngestPipeline {
  private readonly spool: Spool;
  private readonly shipper: Shipper;
  private readonly opts: IngestPipelineOptions;
  readonly batcher: Batcher<Buffer>;
  readonly stats: IngestStats = { acceptedRows: 0, refusedRows: 0, duplicateRequests: 0 };
  private readonly journal: RequestJournal;
  private readonly inflight = new Map<string, Promise<void>>();

  constructor(spool: Spool, shipper: Shipper, journal: RequestJournal, options: IngestPipelineOptions) {
    this.spool = spool;
    this.journal = journal;
    this.shipper = shipper;
    this.opts = options;
    this.batcher = new Batcher<Buffer>((chunks, rows, keys) => this.spoolBatch(chunks, rows, keys), {
      maxRows: options.batchMaxRows,
      maxDelayMs: options.batchMaxDelayMs,
      maxPendingRows: options.maxPendingRows,
    });
  }

  private async spoolBatch(chunks: Buffer[], rows: number, keys: string[]): Promise<void> {
    if (this.spool.options.whenFull === 'drop-oldest' && this.spool.full) await this.spool.dropOldest(this.shipper.busy);
    await this.spool.append(chunks, rows, keys);
    this.journal.spooled(keys);
    this.shipper.notify();
  }

  /** How long clients are asked to wait: longer while ClickHouse is failing. */
  retryDelayMs(): number {
    return this.shipper.failing ? this.opts.retryDelayMs * 5 : this.opts.retryDelayMs;
  }

  /**
   * Admits rows and resolves once they are durable. Rejects with LOGQ_OVERLOADED (memory bound),
   * LOGQ_SPOOL_FULL (spool bound, refuse policy), LOGQ_SPOOL_FAILED or LOGQ_SHUTTING_DOWN; the
   * backpressure errors carry `retryAfterMs`. `key` identifies the client request (a hash of its
   * bytes): a retry of a request already durable is acknowledged without storing it twice, and a
   * retry of one still being batched waits for the original.
   */
  async accept(chunk: NativeChunk, key?: string): Promise<void> {
    const rows = chunk.rows;
    if (key !== undefined) {
      if (this.journal.has(key)) {
        this.stats.duplicateRequests++;
        return;
      }
      const pending = this.inflight.get(key);
      if (pending) {
        this.stats.duplicateRequests++;
        return pending;
      }
    }
    if (rows === 0) return;
    if (this.spool.options.whenFull === 'refuse' && this.spool.full) {
      this.stats.refusedRows += rows;
      throw new LogqError(
        'LOGQ_SPOOL_FULL',
        `spool holds ${this.spool.bytes} bytes (bound ${this.spool.options.maxBytes})${this.shipper.failing ? ' while ClickHouse is failing' : ''}; retry later`,
        { retryAfterMs: this.retryDelayMs() },
      );
    }
    const pending = this.batcher.stats.pendingRows;
    // A request larger than the whole bound is still taken when nothing is pending, or it could never enter.
    if (pending > 0 && pending + rows > this.opts.maxPendingRows) {
      this.stats.refusedRows += rows;
      throw new LogqError('LOGQ_OVERLOADED', `collector holds ${pending} unspooled rows (bound ${this.opts.maxPendingRows}); retry later`, {
        retryAfterMs: this.retryDelayMs(),
      });
    }
    const done = this.batcher.add(chunk.data, rows, key);
    if (key !== undefined) {
      this.inflight.set(key, done);
      void done.then(
        () => this.inflight.delete(key),
        () => this.inflight.delete(key),
      );
    }
    await done;
    this.stats.acceptedRows += rows;
  }

  /** Why the collector is not ready, or undefined when it is. */
  notReadyReason(): string | undefined {
    if (this.shipper.failing) {
      return `ClickHouse inserts failing since ${new Date(this.shipper.stats.failingSince).toISOString()}: ${this.shipper.stats.lastError}`;
    }
    if (this.spool.full) return `spool holds ${this.spool.bytes} bytes, at its bound of ${this.spool.options.maxBytes}`;
    return undefined;
  }

  /** Refuses new rows and spools everything accepted. */
  close(): Promise<void> {
    return this.batcher.close();
  }
}
