import { mergeNativeBlocks, nativeToRows, rowsToNative } from '../storage/native-format.ts';
import type { LogRow } from '../storage/rows.ts';
import { collectorLog } from './log.ts';
import type { InsertGroup, Spool, SpoolEntry } from './Spool.ts';
import { SpoolCorruptError } from './spool-format.ts';

/** One insert: Native blocks of one or more spooled batches. */
export interface InsertBatch {
  /**
   * The rows as ClickHouse Native blocks, one per spooled batch: what the insert sends, back to back
   * (a Native stream is a sequence of blocks; the engine squashes them into one part).
   */
  readonly parts: readonly Buffer[];
  /** The same rows as one block (merged on first use). */
  readonly data: Buffer;
  readonly rowCount: number;
  /** The rows decoded (for a sink that needs them, and to split a batch ClickHouse refused). */
  rows(): LogRow[];
}

/** Inserts a batch into ClickHouse; `dedupToken` is passed as `insert_deduplication_token`. */
export type BatchSink = (batch: InsertBatch, dedupToken?: string) => Promise<void>;

/** An {@link InsertBatch} over Native blocks. */
export function insertBatch(blocks: Buffer | readonly Buffer[], rowCount: number): InsertBatch {
  const parts = Buffer.isBuffer(blocks) ? [blocks] : blocks;
  let rows: LogRow[] | undefined;
  let merged: Buffer | undefined;
  return {
    parts,
    rowCount,
    get data() {
      return (merged ??= parts.length === 1 ? parts[0] : mergeNativeBlocks(parts));
    },
    rows: () => (rows ??= parts.flatMap((p) => nativeToRows(p))),
  };
}

/** Options of {@link Shipper}. */
export interface ShipperOptions {
  /** First wait after a failed insert, in ms; doubles up to `maxBackoffMs`. @default 200 */
  initialBackoffMs: number;
  /** Longest wait between insert attempts, in ms. @default 5000 */
  maxBackoffMs: number;
  /**
   * Spooled batches waiting back to back are combined into one insert of up to this many rows
   * (ClickHouse prefers few large inserts: fewer parts, less merging). @default 100000
   */
  maxInsertRows?: number;
  /**
   * Longest the oldest spooled batch waits for more batches before an insert of fewer than
   * `maxInsertRows` rows goes out, in ms (acks do not wait: they happen at the spool). Larger,
   * fewer inserts mean fewer parts for ClickHouse to merge. 0 = insert at once. @default 1000
   */
  maxInsertDelayMs?: number;
  /** Called after batches are inserted, before their spool files are deleted (persists their request keys). @default none */
  onInserted?(entries: readonly SpoolEntry[]): Promise<void>;
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
 * Moves spooled batches into ClickHouse, oldest first (so replay keeps order). Batches waiting
 * back to back go out as one insert of up to `maxInsertRows` rows; a combined insert is recorded
 * in the spool first ({@link Spool.writeGroup}) so a replay after a crash repeats the same group
 * with the same `insert_deduplication_token`. Every attempt carries that token, so a batch
 * inserted before a crash but not yet deleted is not stored twice. A failed insert is retried
 * with exponential backoff for as long as it takes; a spool file that turns out corrupt is
 * quarantined and skipped.
 */
export class Shipper {
  private readonly spool: Spool;
  private readonly sink: BatchSink;
  private readonly opts: ShipperOptions;
  private readonly observe: InsertObserver;
  private wake: (() => void) | undefined;
  private wakeIdle = false;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** Set by {@link drainAndStop}: insert what is spooled without waiting for fuller inserts. */
  private draining = false;
  /** The batches being inserted now (never dropped by the drop-oldest policy). */
  readonly busy = new Set<SpoolEntry>();
  readonly stats: ShipperStats = { poisonRows: 0, insertedRows: 0, insertedBatches: 0, insertFailures: 0, replayedRows: 0, failingSince: 0, lastError: '' };
  /** Seq numbers below this were recovered from a previous run (counted as replayed). */
  private readonly replayBelow: number;
  /** A combined insert recorded by a previous run, repeated first (see {@link Spool.writeGroup}). */
  private recovered: Promise<InsertGroup | undefined> | undefined;
  /** A combined insert of this run that failed, retried first with the same token. */
  private retrying: InsertGroup | undefined;

  constructor(spool: Spool, sink: BatchSink, options: ShipperOptions, observe: InsertObserver = () => {}) {
    this.spool = spool;
    this.sink = sink;
    this.opts = options;
    this.observe = observe;
    this.replayBelow = spool.entries.length ? spool.entries[spool.entries.length - 1].seq + 1 : 0;
  }

  /** Starts the loop. */
  start(): void {
    this.recovered ??= this.spool.readGroup();
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

  /**
   * The batches of the next insert and its token: the group a previous run recorded (its batches
   * that are left), else the oldest batches up to `maxInsertRows` rows.
   */
  private async nextGroup(): Promise<{ entries: SpoolEntry[]; token: string; recorded: boolean } | undefined> {
    if (this.retrying) {
      const seqs = this.retrying.seqs;
      const entries = this.spool.entries.filter((e) => seqs.includes(e.seq));
      const token = this.retrying.token;
      this.retrying = undefined;
      // Complete unless the drop-oldest policy removed some of it meanwhile: then group afresh.
      if (entries.length === seqs.length) return { entries, token, recorded: true };
      this.recovered = undefined;
      await this.spool.clearGroup();
    }
    const recorded = await this.recovered;
    if (recorded) {
      const entries = this.spool.entries.filter((e) => recorded.seqs.includes(e.seq));
      if (!recorded.landed && entries.length === recorded.seqs.length) return { entries, token: recorded.token, recorded: true };
      // Marked landed: its files were being deleted after the insert succeeded; remove the rest
      // without inserting again. Not marked and incomplete: drop-oldest or the quarantine removed
      // some of it before it was ever stored; the rest is inserted afresh below.
      if (recorded.landed && entries.length) {
        collectorLog('info', 'spool: batches of a combined insert that had landed before a restart removed', { batches: entries.length });
        await this.opts.onInserted?.(entries);
        for (const e of entries) await this.spool.remove(e);
      }
      this.recovered = undefined;
      await this.spool.clearGroup();
    }
    const head = this.spool.entries;
    if (!head.length) return undefined;
    // A batch recovered from a previous run may have been inserted alone just before a crash:
    // replay it alone, with its own token, so ClickHouse recognises it.
    if (head[0].seq < this.replayBelow) return { entries: [head[0]], token: head[0].token, recorded: false };
    const max = this.opts.maxInsertRows ?? 100_000;
    const entries = [head[0]];
    let rows = head[0].rowCount;
    for (let i = 1; i < head.length && rows + head[i].rowCount <= max; i++) {
      entries.push(head[i]);
      rows += head[i].rowCount;
    }
    if (entries.length === 1) return { entries, token: entries[0].token, recorded: false };
    return { entries, token: `${entries[0].token}..${entries[entries.length - 1].seq}`, recorded: false };
  }

  private async loop(): Promise<void> {
    let backoff = this.opts.initialBackoffMs;
    while (!this.stopped) {
      const wait = this.insertWaitMs();
      if (wait > 0) {
        // A new batch (notify) ends the wait early, so a full insert goes out at once.
        await this.sleep(wait, true);
        continue;
      }
      const group = await this.nextGroup();
      if (!group) {
        await this.sleep(60_000, true);
        continue;
      }
      const { entries, token } = group;
      for (const e of entries) this.busy.add(e);
      const parts: Buffer[] = [];
      let corrupt: SpoolEntry | undefined;
      for (const e of entries) {
        try {
          parts.push(await this.spool.read(e));
        } catch (error) {
          corrupt = e;
          this.busy.clear();
          await this.spool.remove(e, false);
          await this.spool.quarantine(e.file, error instanceof SpoolCorruptError ? error.message : String(error));
          break;
        }
      }
      if (corrupt) {
        if (entries.length > 1) {
          // The group cannot be repeated as recorded; its other batches are grouped afresh.
          this.recovered = undefined;
          await this.spool.clearGroup();
        }
        continue;
      }
      if (entries.length > 1 && !group.recorded) await this.spool.writeGroup({ token, seqs: entries.map((e) => e.seq) });
      const rows = entries.reduce((n, e) => n + e.rowCount, 0);
      const started = performance.now();
      try {
        // The batches' blocks go as they are, back to back: no merged copy of the whole insert in memory.
        await this.insert(insertBatch(parts, rows), token);
        this.observe(rows, (performance.now() - started) / 1000, true);
        this.stats.insertedRows += rows;
        this.stats.insertedBatches += entries.length;
        for (const e of entries) if (e.seq < this.replayBelow || this.stats.failingSince) this.stats.replayedRows += e.rowCount;
        if (this.stats.failingSince) {
          collectorLog('info', 'storage recovered', { outageMs: Date.now() - this.stats.failingSince, spooledBatches: this.spool.entries.length - entries.length });
        }
        this.stats.failingSince = 0;
        this.stats.lastError = '';
        backoff = this.opts.initialBackoffMs;
        this.busy.clear();
        // Marked before any file goes: a restart that finds the group incomplete then knows it landed.
        if (entries.length > 1) await this.spool.writeGroup({ token, seqs: entries.map((e) => e.seq), landed: true });
        await this.opts.onInserted?.(entries);
        for (const e of entries) await this.spool.remove(e);
        if (entries.length > 1) {
          this.recovered = undefined;
          await this.spool.clearGroup();
        }
      } catch (error) {
        this.busy.clear();
        this.observe(rows, (performance.now() - started) / 1000, false);
        this.stats.insertFailures++;
        this.stats.lastError = (error as Error).message;
        if (!this.stats.failingSince) {
          this.stats.failingSince = Date.now();
          collectorLog('warn', 'insert failed; batches stay in the spool and are retried', {
            code: 'LOGQ_STORAGE_FAILED',
            error,
          });
        }
        // Retry the same group with the same token (a combined insert is recorded in the spool).
        // Every failed insert is retried as it was (its answer may have been lost after it landed).
        this.retrying = { token, seqs: entries.map((e) => e.seq) };
        if (this.stopped) break;
        await this.sleep(backoff, false);
        backoff = Math.min(backoff * 2, this.opts.maxBackoffMs);
      }
    }
  }

  /** How long to wait for more batches before the next insert (0: insert now). */
  private insertWaitMs(): number {
    const delay = this.opts.maxInsertDelayMs ?? 1000;
    const oldest = this.spool.entries[0];
    // No waiting while draining, retrying, failing, or with the spool at its bound (it must empty).
    if (delay <= 0 || !oldest || this.draining || this.stopped || this.retrying || this.failing || this.spool.full) return 0;
    if (this.spool.rows >= (this.opts.maxInsertRows ?? 100_000)) return 0;
    return Math.max(0, oldest.spooledAt + delay - Date.now());
  }

  /**
   * Inserts a batch; on a data error splits its rows in halves (each with a token derived from the
   * parent's, so a replay splits and deduplicates the same way) down to single rows, which are
   * set aside with {@link onPoison}. Other errors (ClickHouse unreachable) propagate.
   */
  private async insert(batch: InsertBatch, token: string): Promise<void> {
    try {
      await this.sink(batch, token);
    } catch (error) {
      if (!isDataError(error)) throw error;
      const rows = batch.rows();
      if (rows.length === 1) {
        this.stats.poisonRows++;
        await this.opts.onPoison?.(rows[0], (error as Error).message);
        return;
      }
      const mid = rows.length >> 1;
      const half = (part: LogRow[]) => insertBatch(rowsToNative(part), part.length);
      await this.insert(half(rows.slice(0, mid)), `${token}.0`);
      await this.insert(half(rows.slice(mid)), `${token}.1`);
    }
  }

  /**
   * Waits until the spool is empty — as long as inserts make progress, so a SIGTERM writes every
   * accepted record to ClickHouse — and gives up only after `stallTimeoutMs` without a batch
   * shipped (ClickHouse down): batches left are replayed at the next start.
   */
  async drainAndStop(stallTimeoutMs: number): Promise<void> {
    this.draining = true;
    this.wake?.();
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
