import type { ClickHouseClient } from '@clickhouse/client';
import { filterToSql, type LogFilter } from './LogFilter.ts';
import { runReadOnlyQuery } from './query.ts';
import { DEFAULT_TABLE, qualified, type TableRef } from './schema.ts';

/** Count of records of one level in one time bucket. */
export interface HistogramBucket {
  /** Bucket start, ISO-8601 UTC. */
  time: string;
  /** TRACE, DEBUG, INFO, WARN, ERROR, FATAL, or UNSPECIFIED for severity 0. */
  level: string;
  count: number;
}

/** SQL mapping SeverityNumber to logq's level name. */
export const LEVEL_OF_SEVERITY_SQL =
  "multiIf(SeverityNumber = 0, 'UNSPECIFIED', SeverityNumber <= 4, 'TRACE', SeverityNumber <= 8, 'DEBUG', " +
  "SeverityNumber <= 12, 'INFO', SeverityNumber <= 16, 'WARN', SeverityNumber <= 20, 'ERROR', 'FATAL')";

/**
 * Counts records matching `filter` per level per `bucketSeconds` bucket (what a volume chart
 * of the log explorer draws), oldest bucket first. Read-only, bounded time.
 */
export async function logHistogram(
  client: ClickHouseClient,
  filter: LogFilter,
  bucketSeconds: number,
  options: { table?: TableRef; maxExecutionSeconds?: number } = {},
): Promise<HistogramBucket[]> {
  const { where, params } = filterToSql(filter);
  const sql = `SELECT formatDateTime(toStartOfInterval(TimestampTime, toIntervalSecond({bucket:UInt32})), '%Y-%m-%dT%H:%i:%SZ', 'UTC') AS time,
  ${LEVEL_OF_SEVERITY_SQL} AS level, count() AS count
FROM ${qualified(options.table ?? DEFAULT_TABLE)}
WHERE ${where}
GROUP BY time, level ORDER BY time, level
LIMIT 100000`;
  const r = await runReadOnlyQuery(client, sql, { ...params, bucket: bucketSeconds }, options.maxExecutionSeconds ?? 30);
  return r.rows.map((row) => ({ time: String(row.time), level: String(row.level), count: Number(row.count) }));
}
