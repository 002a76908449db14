import { collectorLog } from './log.ts';
import type { Spool, SpoolEntry } from './Spool.ts';
import { SpoolCorruptError } from './spool-format.ts';

/** Inserts rows into ClickHouse; `dedupToken` is passed as `insert_deduplication_token`. */
export type RowSink<Row> = (rows: Row[], dedupToken?: string) => Promise<void>;

/** Options of {@link Shipper}. */
export interface ShipperOptions {
  /** First wait after a failed insert, in ms; doubles up to `maxBackoffMs`. @default 200 */
  initialBackoffMs: number;
  /** Longest wait between insert attempts, in ms. @default 5000 */
  maxBackoffMs: number;
  /** Called after a batch is inserted, before its spool file is deleted (persists its request keys). @default none */
  onInserted?(entry: SpoolEntry<unknown>): Promise<void>;
  /** Called with a row ClickHouse refused as invalid data (after splitting the batch). @default none */
  onPoison?(row: unknown, reason: string): Promise<void>;
}

/**
 * ClickHouse error codes that mean "this data cannot be stored" (parse and type errors): retrying
 * the same rows cannot succeed, so the batch is split to isolate the bad rows (Vector's ClickHouse
 * sink likewise does not retry "incorrect data").
 */
const DATA_ERROR_CODES = new Set(['6', '26', '27', '32', '33', '38', '41', '53', '69', '70', '72', '117', '131', '321', '407']);

/** True when an insert error is about the rows themselves, not about reaching ClickHouse. */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && DATA_ERROR_CODES.has(code);
}

/** Counters and state of the shipper (exported on /metrics and /readyz). */
export interface ShipperStats {
  /** Rows ClickHouse refused as data errors, isolated and written to the quarantine. */
  poisonRows: number;
  insertedRows: number;
  insertedBatches: number;
  insertFailures: number;
  replayedRows: number;
  /** ms epoch of the first failure of the current outage; 0 when the last insert succeeded. */
  failingSince: number;
  lastError: string;
}

/** Observes each insert (latency and size feed the metrics histograms). */
export type InsertObserver = (rows: number, seconds: number, ok: boolean) => void;

/**
 * Moves spooled batches into ClickHouse, oldest first, one at a time (so replay keeps order).
 * Every attempt of a batch carries the same `insert_deduplication_token` (stored in its spool
 * file), so a batch inserted before a crash but not yet deleted is not stored twice on replay.
 * A failed insert is retried with exponential backoff for as long as it takes; a spool file
 * that turns out corrupt is quarantined and skipped.
 */
export class Shipper<Row> {
  private readonly spool: Spool<Row>;
  private readonly sink: RowSink<Row>;
  private readonly opts: ShipperOptions;
  private readonly observe: InsertObserver;
  private wake: (() => void) | undefined;
  private wakeIdle = false;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** The batch being inserted now (never dropped by the drop-oldest policy). */
  busy: SpoolEntry<Row> | undefined;
  readonly stats: ShipperStats = { poisonRows: 0, insertedRows: 0, insertedBatches: 0, insertFailures: 0, replayedRows: 0, failingSince: 0, lastError: '' };
  /** Seq numbers below this were recovered from a previous run (counted as replayed). */
  private readonly replayBelow: number;

  constructor(spool: Spool<Row>, sink: RowSink<Row>, options: ShipperOptions, observe: InsertObserver = () => {}) {
    this.spool = spool;
    this.sink = sink;
    this.opts = options;
    this.observe = observe;
    this.replayBelow = spool.entries.length ? spool.entries[spool.entries.length - 1].seq + 1 : 0;
  }

  /** Starts the loop. */
  start(): void {
    this.running ??= this.loop();
  }

  /**
   * Tells the loop a new batch is in the spool. Wakes it only when idle: during a backoff after
   * a failed insert, new batches must not turn the backoff into a retry storm.
   */
  notify(): void {
    if (this.wakeIdle) this.wake?.();
  }

  /** True while ClickHouse has been failing (since `stats.failingSince`). */
  get failing(): boolean {
    return this.stats.failingSince !== 0;
  }

  /** Waits `ms`; {@link notify} ends an idle wait early, {@link drainAndStop} any wait. */
  private sleep(ms: number, idle: boolean): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wakeIdle = idle;
      this.wake = () => {
        clearTimeout(t);
        this.wake = undefined;
        resolve();
      };
    });
  }

  private async loop(): Promise<void> {
    let backoff = this.opts.initialBackoffMs;
    while (!this.stopped) {
      const entry = this.spool.entries[0];
      if (!entry) {
        await this.sleep(60_000, true);
        continue;
      }
      this.busy = entry;
      let rows: Row[];
      try {
        rows = await this.spool.read(entry);
      } catch (error) {
        this.busy = undefined;
        await this.spool.remove(entry, false);
        await this.spool.quarantine(entry.file, error instanceof SpoolCorruptError ? error.message : String(error));
        continue;
      }
      const started = performance.now();
      try {
        await this.insert(rows, entry.token);
        this.observe(rows.length, (performance.now() - started) / 1000, true);
        this.stats.insertedRows += rows.length;
        this.stats.insertedBatches++;
        if (entry.seq < this.replayBelow || this.stats.failingSince) this.stats.replayedRows += rows.length;
        if (this.stats.failingSince) {
          collectorLog('info', 'storage recovered', { outageMs: Date.now() - this.stats.failingSince, spooledBatches: this.spool.entries.length - 1 });
        }
        this.stats.failingSince = 0;
        this.stats.lastError = '';
        backoff = this.opts.initialBackoffMs;
        this.busy = undefined;
        await this.opts.onInserted?.(entry as SpoolEntry<unknown>);
        await this.spool.remove(entry);
      } catch (error) {
        this.busy = undefined;
        this.observe(rows.length, (performance.now() - started) / 1000, false);
        this.stats.insertFailures++;
        this.stats.lastError = (error as Error).message;
        if (!this.stats.failingSince) {
          this.stats.failingSince = Date.now();
          collectorLog('warn', 'insert failed; batches stay in the spool and are retried', {
            code: 'LOGQ_STORAGE_FAILED',
            error,
          });
        }
        if (this.stopped) break;
        await this.sleep(backoff, false);
        backoff = Math.min(backoff * 2, this.opts.maxBackoffMs);
      }
    }
  }

  /**
   * Inserts rows; on a data error splits them in halves (each with a token derived from the
   * parent's, so a replay splits and deduplicates the same way) down to single rows, which are
   * set aside with {@link onPoison}. Other errors (ClickHouse unreachable) propagate.
   */
  private async insert(rows: Row[], token: string): Promise<void> {
    try {
      await this.sink(rows, token);
    } catch (error) {
      if (!isDataError(error)) throw error;
      if (rows.length === 1) {
        this.stats.poisonRows++;
        await this.opts.onPoison?.(rows[0], (error as Error).message);
        return;
      }
      const mid = rows.length >> 1;
      await this.insert(rows.slice(0, mid), `${token}.0`);
      await this.insert(rows.slice(mid), `${token}.1`);
    }
  }

  /**
   * Waits until the spool is empty — as long as inserts make progress, so a SIGTERM writes every
   * accepted record to ClickHouse — and gives up only after `stallTimeoutMs` without a batch
   * shipped (ClickHouse down): batches left are replayed at the next start.
   */
  async drainAndStop(stallTimeoutMs: number): Promise<void> {
    let left = this.spool.entries.length;
    let deadline = Date.now() + stallTimeoutMs;
    while (this.spool.entries.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      if (this.spool.entries.length < left) {
        left = this.spool.entries.length;
        deadline = Date.now() + stallTimeoutMs;
      }
    }
    this.stopped = true;
    this.wake?.();
    await this.running;
  }
}
