import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { LogqError } from './errors.ts';
import { collectorLog } from './log.ts';
import { mergeNativeBlocks } from '../storage/native-format.ts';
import { decodeSpoolFile, SpoolCorruptError, spoolFileParts } from './spool-format.ts';

/** What the spool does when it holds `maxBytes`: refuse new batches (default) or delete the oldest. */
export type SpoolFullPolicy = 'refuse' | 'drop-oldest';

/** Options of {@link Spool}. */
export interface SpoolOptions {
  /** Directory of the spool files (created if missing). @default '<data dir>/logq-spool' */
  dir: string;
  /** Bytes of spooled batches held at most. @default 1 GiB */
  maxBytes: number;
  /** Policy when the bound is reached. @default 'refuse' */
  whenFull: SpoolFullPolicy;
  /** Rows of spooled batches also kept in memory, so shipping need not read them back. @default 200000 */
  maxCachedRows: number;
}

/** One spooled batch, oldest first in {@link Spool.entries}. */
export interface SpoolEntry {
  readonly seq: number;
  readonly file: string;
  readonly bytes: number;
  readonly rowCount: number;
  readonly token: string;
  /** Keys of the client requests in the batch. */
  readonly requests: string[];
  /** When it was spooled (ms epoch); 0 for batches recovered from a previous run. */
  readonly spooledAt: number;
  /** In-memory copy of the batch (Native blocks), when the cache had room. */
  data?: Buffer;
}

/** Counters of a spool (exported on /metrics). */
export interface SpoolStats {
  spooledBatches: number;
  spooledRows: number;
  droppedBatches: number;
  droppedRows: number;
  quarantinedFiles: number;
  recoveredBatches: number;
  recoveredRows: number;
}

const NAME = /^(\d{12})\.spool$/;
const QUARANTINE = 'quarantine';
/** The batches of the insert in progress (see {@link Spool.writeGroup}). */
const GROUP_FILE = 'insert-group.json';

/**
 * The write-ahead spool: each batch becomes one file, written to a temporary name, fsync'ed,
 * renamed and the directory fsync'ed, so a batch is either wholly on disk or absent after a
 * crash. The collector acknowledges clients once {@link Spool.append} resolved. Files are named
 * by a sequence number and shipped in that order. Corrupt files (checksum, partial writes, left
 * over `.tmp`) are moved to `quarantine/` and reported, never replayed and never fatal.
 */
export class Spool {
  readonly options: SpoolOptions;
  /** Pending batches, oldest first. */
  readonly entries: SpoolEntry[] = [];
  readonly stats: SpoolStats = {
    spooledBatches: 0,
    spooledRows: 0,
    droppedBatches: 0,
    droppedRows: 0,
    quarantinedFiles: 0,
    recoveredBatches: 0,
    recoveredRows: 0,
  };
  private readonly instance = randomUUID();
  private nextSeq = 1;
  private cachedRows = 0;
  /** Bytes of pending batches. */
  bytes = 0;
  /** Rows of pending batches. */
  rows = 0;

  private constructor(options: SpoolOptions) {
    this.options = options;
  }

  /** Opens (creating) the spool directory and recovers the batches a previous run left. */
  static async open(options: SpoolOptions): Promise<Spool> {
    const spool = new Spool(options);
    // Spooled batches are log data: readable by the collector's user only.
    await mkdir(join(options.dir, QUARANTINE), { recursive: true, mode: 0o700 });
    await spool.recover();
    return spool;
  }

  /** True when the spool holds its bound of bytes. */
  get full(): boolean {
    return this.bytes >= this.options.maxBytes;
  }

  private async recover(): Promise<void> {
    const names = (await readdir(this.options.dir)).sort();
    for (const name of names) {
      if (name === QUARANTINE || name.startsWith('requests.journal') || name === GROUP_FILE) continue;
      const file = join(this.options.dir, name);
      const m = NAME.exec(name);
      if (!m) {
        await this.quarantine(file, name.endsWith('.tmp') ? 'partial write (crash before rename)' : 'not a spool file name');
        continue;
      }
      try {
        const buf = await readFile(file);
        const payload = decodeSpoolFile(buf);
        const seq = Number(m[1]);
        this.push({ seq, file, bytes: buf.length, rowCount: payload.rowCount, token: payload.token, requests: payload.requests ?? [], spooledAt: 0 });
        this.nextSeq = Math.max(this.nextSeq, seq + 1);
        this.stats.recoveredBatches++;
        this.stats.recoveredRows += payload.rowCount;
      } catch (error) {
        // Any unreadable file (checksum, truncation, I/O error) is set aside, never a crash loop.
        await this.quarantine(file, error instanceof SpoolCorruptError ? error.message : `unreadable: ${(error as Error).message}`);
      }
    }
    if (this.entries.length) {
      collectorLog('info', 'spool recovered batches to replay', { batches: this.entries.length, rows: this.rows, bytes: this.bytes });
    }
  }

  private push(entry: SpoolEntry): void {
    this.entries.push(entry);
    this.bytes += entry.bytes;
    this.rows += entry.rowCount;
  }

  /** Moves a bad file to `quarantine/` and reports it. */
  async quarantine(file: string, reason: string): Promise<void> {
    const name = file.slice(file.lastIndexOf('/') + 1);
    const target = join(this.options.dir, QUARANTINE, `${name}.${Date.now()}`);
    try {
      await rename(file, target);
    } catch (error) {
      collectorLog('error', 'spool file could not be quarantined', { file, error });
    }
    this.stats.quarantinedFiles++;
    collectorLog('error', 'corrupt spool file quarantined', { code: 'LOGQ_SPOOL_CORRUPT', file, quarantinedAs: target, reason });
  }

  /** Sets aside one row ClickHouse refused as invalid data, in `quarantine/rejected-rows.jsonl`. */
  async quarantineRow(row: unknown, reason: string): Promise<void> {
    const file = join(this.options.dir, QUARANTINE, 'rejected-rows.jsonl');
    try {
      await appendFile(file, JSON.stringify({ time: new Date().toISOString(), reason, row }) + '\n', { mode: 0o600 });
    } catch (error) {
      collectorLog('error', 'rejected row could not be written to the quarantine', { file, error });
    }
    collectorLog('error', 'ClickHouse refused a row as invalid data; set aside', { code: 'LOGQ_STORAGE_REJECTED', file, reason });
  }

  /** Writes a batch (Native blocks, one per request) durably (fsync of file and directory) and queues it; resolves once it is on disk. */
  async append(chunks: readonly Buffer[], rowCount: number, requests: string[] = []): Promise<SpoolEntry> {
    const seq = this.nextSeq++;
    const token = `logq-${this.instance}-${seq}`;
    const file = join(this.options.dir, `${String(seq).padStart(12, '0')}.spool`);
    // One block per batch: the engine pays per block (many one-record requests would cost ~65x per row).
    const block = mergeNativeBlocks(chunks);
    const parts = spoolFileParts({ token, rowCount, data: block, requests });
    const size = parts[0].length + parts[1].length;
    const tmp = file + '.tmp';
    try {
      const fh = await open(tmp, 'w', 0o600);
      try {
        let written = 0;
        while (written < size) {
          const { bytesWritten } = await fh.writev(written === 0 ? parts : [Buffer.concat(parts).subarray(written)]);
          written += bytesWritten;
        }
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, file);
      const dir = await open(this.options.dir, 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch (error) {
      await unlink(tmp).catch(() => {});
      throw new LogqError('LOGQ_SPOOL_FAILED', `could not write spool file ${file}: ${(error as Error).message}`, { cause: error });
    }
    const entry: SpoolEntry = { seq, file, bytes: size, rowCount, token, requests, spooledAt: Date.now() };
    if (this.cachedRows + rowCount <= this.options.maxCachedRows) {
      entry.data = block;
      this.cachedRows += rowCount;
    }
    this.push(entry);
    this.stats.spooledBatches++;
    this.stats.spooledRows += rowCount;
    return entry;
  }

  /** The Native blocks of an entry (from memory or disk); throws SpoolCorruptError when the file is damaged. */
  async read(entry: SpoolEntry): Promise<Buffer> {
    if (entry.data) return entry.data;
    return decodeSpoolFile(await readFile(entry.file)).data;
  }

  /** Forgets an entry and deletes its file (after it was inserted, dropped or quarantined). */
  async remove(entry: SpoolEntry, deleteFile = true): Promise<void> {
    const i = this.entries.indexOf(entry);
    if (i < 0) return;
    this.entries.splice(i, 1);
    this.bytes -= entry.bytes;
    this.rows -= entry.rowCount;
    if (entry.data) this.cachedRows -= entry.rowCount;
    entry.data = undefined;
    if (deleteFile) await unlink(entry.file).catch(() => {});
  }

  /**
   * Drop-oldest policy: deletes the oldest batches (never those in `busy`, being inserted) until
   * the spool is below its bound; returns the rows dropped (counted in stats).
   */
  async dropOldest(busy: ReadonlySet<SpoolEntry> = new Set()): Promise<number> {
    let dropped = 0;
    while (this.full) {
      const victim = this.entries.find((e) => !busy.has(e));
      if (!victim) break;
      dropped += victim.rowCount;
      this.stats.droppedBatches++;
      this.stats.droppedRows += victim.rowCount;
      await this.remove(victim);
      collectorLog('warn', 'spool full: dropped oldest batch', { code: 'LOGQ_SPOOL_FULL', rows: victim.rowCount, policy: 'drop-oldest' });
    }
    return dropped;
  }

  /**
   * Records durably which batches the next insert combines and its token, before it runs: after
   * a crash the same batches are inserted together again with the same token (so ClickHouse
   * deduplicates a group that had landed), instead of a different grouping that would store them twice.
   */
  async writeGroup(group: InsertGroup): Promise<void> {
    const file = join(this.options.dir, GROUP_FILE);
    const fh = await open(file + '.tmp', 'w', 0o600);
    try {
      await fh.writeFile(JSON.stringify(group));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(file + '.tmp', file);
    const dir = await open(this.options.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  /** The group recorded by {@link writeGroup} and not yet cleared, if any. */
  async readGroup(): Promise<InsertGroup | undefined> {
    try {
      const g = JSON.parse(await readFile(join(this.options.dir, GROUP_FILE), 'utf8')) as Partial<InsertGroup>;
      if (typeof g.token === 'string' && Array.isArray(g.seqs) && g.seqs.every((n) => typeof n === 'number')) return { token: g.token, seqs: g.seqs, landed: g.landed === true };
    } catch {
      // none, or a torn write of one that never ran (it is written before its insert starts)
    }
    return undefined;
  }

  /** Forgets the recorded group (its batches are inserted and removed). */
  async clearGroup(): Promise<void> {
    await unlink(join(this.options.dir, GROUP_FILE)).catch(() => {});
  }
}

/** Batches inserted together: their sequence numbers and the insert's dedup token. */
export interface InsertGroup {
  token: string;
  seqs: number[];
  /** Set once the insert succeeded, before the batches' files are deleted. */
  landed?: boolean;
}
