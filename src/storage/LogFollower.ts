import type { ClickHouseClient } from '@clickhouse/client';
import type { LogFilter } from './LogFilter.ts';
import { cursorAt, searchLogs, type SearchPage } from './search.ts';
import type { LogRecordView } from './search.ts';
import type { TableRef } from './schema.ts';

/** Fetches records after a cursor, oldest first (the store directly, or the REST API's `after=`). */
export type FetchAfter = (after: string, limit: number) => Promise<SearchPage>;

/** Options of {@link LogFollower}. */
export interface LogFollowerOptions {
  /** Only records at or after this time (ns since epoch). @default now */
  startNs?: bigint;
  /**
   * How far back each poll looks again, in ms, for records that arrive late (batched exporters
   * deliver records some time after their timestamp). Records already returned are not repeated.
   * @default 30000
   */
  lookbackMs?: number;
  /** Most records one poll returns. @default 1000 */
  maxPerPoll?: number;
}

/**
 * Follows new records (`logq tail -f`): each {@link LogFollower.poll} returns the matching
 * records it has not returned before, oldest first.
 */
export class LogFollower {
  private readonly fetchAfter: FetchAfter;
  private readonly lookbackNs: bigint;
  private readonly maxPerPoll: number;
  private readonly startNs: bigint;
  /** Cursor → timestamp (ns) of records already returned within the look-back window. */
  private readonly seen = new Map<string, bigint>();
  private newestNs: bigint;

  constructor(fetchAfter: FetchAfter, options: LogFollowerOptions = {}) {
    this.fetchAfter = fetchAfter;
    this.lookbackNs = BigInt(options.lookbackMs ?? 30_000) * 1_000_000n;
    this.maxPerPoll = options.maxPerPoll ?? 1000;
    this.startNs = options.startNs ?? BigInt(Date.now()) * 1_000_000n;
    this.newestNs = this.startNs;
  }

  /** A follower reading the store directly. */
  static forStore(client: ClickHouseClient, filter: LogFilter, options: LogFollowerOptions & { table?: TableRef } = {}): LogFollower {
    return new LogFollower((after, limit) => searchLogs(client, filter, { after, limit, table: options.table }), options);
  }

  /** Records new since the last poll. */
  async poll(): Promise<LogRecordView[]> {
    const out: LogRecordView[] = [];
    let after = cursorAt(this.newestNs - this.lookbackNs - 1n);
    for (;;) {
      const page = await this.fetchAfter(after, this.maxPerPoll);
      for (const r of page.records) {
        if (this.seen.has(r.cursor) || BigInt(r.timestampNs) < this.startNs) continue;
        this.seen.set(r.cursor, BigInt(r.timestampNs));
        out.push(r);
      }
      if (!page.nextCursor || out.length >= this.maxPerPoll) break;
      after = page.nextCursor;
    }
    for (const r of out) if (BigInt(r.timestampNs) > this.newestNs) this.newestNs = BigInt(r.timestampNs);
    const prune = this.newestNs - this.lookbackNs;
    for (const [k, t] of this.seen) if (t < prune) this.seen.delete(k);
    return out;
  }
}
