import { hash } from 'node:crypto';
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { collectorLog } from './log.ts';

/** The key of a client request: a hash of its bytes (the OTLP exporters resend the same bytes on retry). */
export function requestKey(body: Uint8Array): string {
  return hash('sha256', body, 'base64url').slice(0, 32);
}

/**
 * Remembers which client requests are already durable, so a client's retry of a request whose
 * answer it never got (collector killed between the spool fsync and the reply) is acknowledged
 * without storing its records again. Keys of batches still in the spool come from their spool
 * files; keys of batches already inserted are appended (fsync'ed) to `requests.journal` before
 * the batch's file is deleted. The journal keeps the last `capacity` keys.
 */
export class RequestJournal {
  private readonly file: string;
  private readonly capacity: number;
  private readonly known = new Set<string>();
  private readonly order: string[] = [];
  private journalLines = 0;
  private writing: Promise<void> = Promise.resolve();
  /** Requests answered from memory because they were already durable. */
  duplicates = 0;

  private constructor(dir: string, capacity: number) {
    this.file = join(dir, 'requests.journal');
    this.capacity = capacity;
  }

  /** Loads the journal of `dir` and the keys of batches still spooled. */
  static async open(dir: string, spooledKeys: Iterable<string>, capacity = 100_000): Promise<RequestJournal> {
    const j = new RequestJournal(dir, capacity);
    try {
      const lines = (await readFile(j.file, 'utf8')).split('\n').filter((l) => /^[\w-]{32}$/.test(l));
      j.journalLines = lines.length;
      for (const k of lines.slice(-capacity)) j.remember(k);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') collectorLog('warn', 'request journal unreadable; starting empty', { error });
    }
    for (const k of spooledKeys) j.remember(k);
    return j;
  }

  private remember(key: string): void {
    if (this.known.has(key)) return;
    this.known.add(key);
    this.order.push(key);
    if (this.order.length > this.capacity * 2) {
      for (const k of this.order.splice(0, this.order.length - this.capacity)) this.known.delete(k);
    }
  }

  /** True when a request with this key is already durable. */
  has(key: string): boolean {
    return this.known.has(key);
  }

  /** Marks keys durable (their batch was just spooled). */
  spooled(keys: readonly string[]): void {
    for (const k of keys) this.remember(k);
  }

  /** Persists keys of a batch about to leave the spool (inserted or dropped); resolves once fsync'ed. */
  persist(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return this.writing;
    this.writing = this.writing.then(async () => {
      const fh = await open(this.file, 'a', 0o600);
      try {
        await fh.appendFile(keys.join('\n') + '\n');
        await fh.datasync();
      } finally {
        await fh.close();
      }
      this.journalLines += keys.length;
      if (this.journalLines > this.capacity * 2) await this.compact();
    }).catch((error: unknown) => collectorLog('warn', 'request journal write failed', { error }));
    return this.writing;
  }

  private async compact(): Promise<void> {
    const keep = (await readFile(this.file, 'utf8')).split('\n').filter(Boolean).slice(-this.capacity);
    const tmp = this.file + '.tmp';
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(keep.join('\n') + '\n');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.file);
    this.journalLines = keep.length;
  }
}
