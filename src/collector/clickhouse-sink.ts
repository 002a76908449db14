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
 * Insert setting that leaves skip indexes (text, bloom) out of the part an insert writes; the
 * first merge of that part builds them (a merge rebuilds the indexes of the parts it merges
 * anyway). bench/insert-cost.ts: insert CPU 0.63× at 10,000 rows per insert (5.3 vs 8.4 µs/row),
 * insert + merge ~0.7×. Queries stay correct: a part without an index is read without pruning,
 * which only touches the recent, small parts no merge has picked yet.
 */
export const DEFER_SKIP_INDEXES_SETTING = 'materialize_skip_indexes_on_insert';

/**
 * Whether the engine knows {@link DEFER_SKIP_INDEXES_SETTING} (an older server rejects unknown
 * settings). Rejects when the store cannot be asked.
 */
export async function supportsDeferredSkipIndexes(client: ClickHouseClient): Promise<boolean> {
  const rs = await client.query({
    query: 'SELECT count() AS n FROM system.settings WHERE name = {name:String}',
    query_params: { name: DEFER_SKIP_INDEXES_SETTING },
    format: 'JSONEachRow',
  });
  return Number((await rs.json<{ n: string | number }>())[0]?.n ?? 0) > 0;
}

/** Options of {@link createClickHouseSink}. */
export interface ClickHouseSinkOptions {
  /**
   * Build skip indexes at merge time instead of at insert ({@link DEFER_SKIP_INDEXES_SETTING} = 0),
   * when the engine has the setting (asked at the first insert; asked again after a failed
   * attempt, which fails that insert so the shipper retries it).
   * @default true
   */
  deferSkipIndexes?: boolean;
}

/**
 * The ClickHouse sink: one insert per spooled batch into otel_logs (JSONCompactEachRow, the
 * fastest row format here), carrying the batch's `insert_deduplication_token`. (It writes itself
 * rather than through LogWriter because LogWriter.write takes no insert settings.)
 */
export function createClickHouseSink(client: ClickHouseClient, cluster?: string, options: ClickHouseSinkOptions = {}): RowSink<LogRow> {
  const table = qualified(DEFAULT_TABLE);
  const columns = [...INSERT_COLUMNS] as [string, ...string[]];
  let deferIndexes: boolean | undefined = options.deferSkipIndexes === false ? false : undefined;
  return async (rows, dedupToken) => {
    if (rows.length === 0) return;
    deferIndexes ??= await supportsDeferredSkipIndexes(client);
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
        ...(deferIndexes ? { [DEFER_SKIP_INDEXES_SETTING]: 0 } : {}),
      },
    });
  };
}
