import type { ClickHouseClient } from '@clickhouse/client';
import type { LogFilter } from './LogFilter.ts';
import { cursorAt, searchLogs, type LogRecordView } from './search.ts';
import type { TableRef } from './schema.ts';

/** Options of {@link LogFollower}. */
export interface LogFollowerOptions {
  /** Start from records at or after this time (ns since epoch). @default now */
  startNs?: bigint;
  /**
   * How far back each poll looks again, in ms, for records that arrive late (batched exporters
   * deliver records some time after their timestamp). Records seen are not repeated.
   * @default 30000
   */
  lookbackMs?: number;
  /** Most records returned by one poll. @default 1000 */
  maxPerPoll?: number;
  /** @default otel.otel_logs */
  table?: TableRef;
}

/**
 * Follows new records (`logq tail -f`): each {@link LogFollower.poll} returns the records
 * matching the filter that it has not returned before, oldest first.
 */
export class LogFollower {
  private readonly client: ClickHouseClient;
  private readonly filter: LogFilter;
  private readonly lookbackNs: bigint;
  private readonly maxPerPoll: number;
  private readonly table?: TableRef;
  /** Cursor → timestamp ns of records already returned within the look-back window. */
  private readonly seen = new Map<string, bigint>();
  private newestNs: bigint;
  private readonly startNs: bigint;

  constructor(client: ClickHouseClient, filter: LogFilter, options: LogFollowerOptions = {}) {
    this.client = client;
    this.filter = filter;
    this.lookbackNs = BigInt(options.lookbackMs ?? 30_000) * 1_000_000n;
    this.maxPerPoll = options.maxPerPoll ?? 1000;
    this.table = options.table;
    this.startNs = options.startNs ?? BigInt(Date.now()) * 1_000_000n;
    this.newestNs = this.startNs;
  }

  /** Records new since the last poll. */
  async poll(): Promise<LogRecordView[]> {
    const floor = this.newestNs - this.lookbackNs;
    const out: LogRecordView[] = [];
    let after = cursorAt(floor - 1n);
    for (;;) {
      const page = await searchLogs(this.client, this.filter, { after, limit: this.maxPerPoll, table: this.table });
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
