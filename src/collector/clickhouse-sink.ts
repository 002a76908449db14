import type { ClickHouseClient } from '@clickhouse/client';
import type { Store } from '../storage/client.ts';
import { rowsToNative } from '../storage/native-format.ts';
import type { LogRow } from '../storage/rows.ts';
import { DEFAULT_TABLE, INSERT_COLUMNS, qualified } from '../storage/schema.ts';
import { collectorLog } from './log.ts';
import { insertBatch, type BatchSink, type InsertBatch } from './Shipper.ts';

/**
 * Blocks remembered for deduplication. A plain MergeTree ignores `insert_deduplication_token`
 * unless `non_replicated_deduplication_window` > 0 (checked on chDB 26.7: with the window a
 * replayed token is skipped, also across a restart; without it the rows are stored twice).
 * Replicated tables deduplicate by default (`replicated_deduplication_window`).
 */
export const DEDUP_WINDOW = 10_000;

/** Turns on insert deduplication for otel_logs (idempotent); warns and continues when it cannot. */
export async function enableInsertDeduplication(client: ClickHouseClient): Promise<boolean> {
  try {
    await client.command({
      query: `ALTER TABLE ${qualified(DEFAULT_TABLE)} MODIFY SETTING non_replicated_deduplication_window = ${DEDUP_WINDOW}`,
    });
    return true;
  } catch (error) {
    collectorLog('warn', 'could not enable insert deduplication; replays after a crash may store a batch twice', { error });
    return false;
  }
}

/** What the sink needs of the store: its client (JSON fallback) and its Native insert. */
export type SinkStore = Pick<Store, 'client' | 'insertNative'>;

/** The insert format of {@link createClickHouseSink}. */
export type SinkFormat = 'Native' | 'JSONCompactEachRow';

/**
 * The ClickHouse sink: one insert per batch into otel_logs, carrying the batch's
 * `insert_deduplication_token`. Default format Native: the batch's bytes as spooled, the engine's
 * own block layout, nothing to parse (JSONCompactEachRow, the format before, re-encodes the rows).
 */
export function createClickHouseSink(store: SinkStore, cluster?: string, format: SinkFormat = 'Native'): BatchSink {
  const table = qualified(DEFAULT_TABLE);
  const columns = [...INSERT_COLUMNS] as [string, ...string[]];
  return async (batch, dedupToken) => {
    if (batch.rowCount === 0) return;
    const settings = {
      ...(dedupToken ? { insert_deduplication_token: dedupToken } : {}),
      // Cluster: insert through the Distributed table synchronously, so the token reaches the
      // ReplicatedMergeTree shards (which deduplicate by default) and an ack means "stored".
      ...(cluster ? { distributed_foreground_insert: 1 } : {}),
    };
    if (format === 'JSONCompactEachRow') {
      await store.client.insert({ table, values: batch.rows(), format, columns, clickhouse_settings: settings });
      return;
    }
    await store.insertNative(table, columns, batch.parts, settings);
  };
}

/** Encodes rows for a sink (tests, tools): a row that does not fit otel_logs is a data error. */
export function rowsBatch(rows: LogRow[]): InsertBatch {
  let data: Buffer;
  try {
    data = rowsToNative(rows);
  } catch (error) {
    throw new RowDataError((error as Error).message);
  }
  return insertBatch(data, rows.length);
}

/** A row that cannot be stored as it is (same handling as ClickHouse's own data errors). */
export class RowDataError extends Error {
  /** ClickHouse's CANNOT_PARSE_INPUT_ASSERTION_FAILED, so {@link isDataError} treats it alike. */
  readonly code = '27';
  constructor(message: string) {
    super(message);
    this.name = 'RowDataError';
  }
}
