import type { ClickHouseClient } from '@clickhouse/client';
import type { LogRow } from '../storage/rows.ts';
import { DEFAULT_TABLE, INSERT_COLUMNS, qualified } from '../storage/schema.ts';
import { collectorLog } from './log.ts';
import type { RowSink } from './Shipper.ts';

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

/**
 * The ClickHouse sink: one insert per spooled batch into otel_logs (JSONCompactEachRow, the
 * fastest row format here), carrying the batch's `insert_deduplication_token`. (It writes itself
 * rather than through LogWriter because LogWriter.write takes no insert settings.)
 */
export function createClickHouseSink(client: ClickHouseClient, cluster?: string): RowSink<LogRow> {
  const table = qualified(DEFAULT_TABLE);
  const columns = [...INSERT_COLUMNS] as [string, ...string[]];
  return async (rows, dedupToken) => {
    if (rows.length === 0) return;
    await client.insert({
      table,
      values: rows,
      format: 'JSONCompactEachRow',
      columns,
      clickhouse_settings: {
        ...(dedupToken ? { insert_deduplication_token: dedupToken } : {}),
        // Cluster: insert through the Distributed table synchronously, so the token reaches the
        // ReplicatedMergeTree shards (which deduplicate by default) and an ack means "stored".
        ...(cluster ? { distributed_foreground_insert: 1 } : {}),
      },
    });
  };
}
