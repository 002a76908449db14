import { LogqError } from './errors.ts';

/** Options of {@link Batcher}. */
export interface BatcherOptions {
  /** A batch is written once it holds this many rows. @default 10000 */
  maxRows: number;
  /** …or once its oldest row has waited this long, in ms. @default 200 */
  maxDelayMs: number;
  /** Rows accepted but not yet written, at most; beyond it `add` rejects with LOGQ_OVERLOADED. @default 200000 */
  maxPendingRows: number;
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/** Counters a batcher keeps (reported on /metrics and in logs). */
export interface BatcherStats {
  rowsAccepted: number;
  rowsWritten: number;
  rowsFailed: number;
  rowsRefused: number;
  batchesWritten: number;
  pendingRows: number;
}

/**
 * Groups chunks of rows (one per request) from many requests into large batches (ClickHouse wants few big inserts) by row
 * count and age. `add` resolves only once the sink has made the batch durable (the collector's
 * sink writes it to the fsync'ed spool), so a client is acknowledged only for data that survives
 * a crash; if the write fails, every request in the batch is told so and its client retries.
 * Writes run one at a time, in order.
 */
export class Batcher<Chunk> {
  private readonly sink: (chunks: Chunk[], rows: number, keys: string[]) => Promise<void>;
  private readonly opts: BatcherOptions;
  private chunks: Chunk[] = [];
  private rows = 0;
  private keys: string[] = [];
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  readonly stats: BatcherStats = {
    rowsAccepted: 0,
    rowsWritten: 0,
    rowsFailed: 0,
    rowsRefused: 0,
    batchesWritten: 0,
    pendingRows: 0,
  };

  /** @param sink makes a batch durable; `rows` counts the rows of its chunks; `keys` are the request keys given to {@link add}. */
  constructor(sink: (chunks: Chunk[], rows: number, keys: string[]) => Promise<void>, options: BatcherOptions) {
    this.sink = sink;
    this.opts = options;
  }

  /** Queues a chunk of `rows` rows; resolves when they are stored, rejects when they are refused or the write failed. */
  add(chunk: Chunk, rows: number, key?: string): Promise<void> {
    if (this.closed) return Promise.reject(new LogqError('LOGQ_SHUTTING_DOWN', 'collector is shutting down'));
    if (rows === 0) return Promise.resolve();
    if (this.stats.pendingRows > 0 && this.stats.pendingRows + rows > this.opts.maxPendingRows) {
      this.stats.rowsRefused += rows;
      return Promise.reject(
        new LogqError('LOGQ_OVERLOADED', `collector holds ${this.stats.pendingRows} unwritten rows (bound ${this.opts.maxPendingRows})`),
      );
    }
    this.stats.rowsAccepted += rows;
    this.stats.pendingRows += rows;
    this.chunks.push(chunk);
    this.rows += rows;
    if (key !== undefined) this.keys.push(key);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.rows >= this.opts.maxRows) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.opts.maxDelayMs);
    return done;
  }

  /** Starts writing what is buffered now; resolves when that write (and all before it) finished. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.rows === 0) return this.chain;
    const rows = this.rows;
    const chunks = this.chunks;
    const waiters = this.waiters;
    const keys = this.keys;
    this.keys = [];
    this.chunks = [];
    this.rows = 0;
    this.waiters = [];
    this.chain = this.chain.then(async () => {
      try {
        await this.sink(chunks, rows, keys);
        this.stats.rowsWritten += rows;
        this.stats.batchesWritten++;
        for (const w of waiters) w.resolve();
      } catch (error) {
        this.stats.rowsFailed += rows;
        const err =
          error instanceof LogqError
            ? error
            : new LogqError('LOGQ_STORAGE_FAILED', `write of ${rows} rows failed: ${(error as Error).message}`, { cause: error });
        for (const w of waiters) w.reject(err);
      } finally {
        this.stats.pendingRows -= rows;
      }
    });
    return this.chain;
  }

  /** Refuses new rows and writes everything already accepted. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }
}
