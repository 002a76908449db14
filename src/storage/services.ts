import type { ClickHouseClient } from '@clickhouse/client';
import { filterToSql, type LogFilter } from './LogFilter.ts';
import { runReadOnlyQuery } from './query.ts';
import { DEFAULT_TABLE, qualified, type TableRef } from './schema.ts';

/** One service that logged in the filtered range. */
export interface ServiceCount {
  name: string;
  records: number;
}

/**
 * The services that have records matching `filter` (usually just a time range), busiest first —
 * what a service picker offers. Reads only `ServiceName`, the first column of the primary key.
 */
export async function listServices(
  client: ClickHouseClient,
  filter: LogFilter,
  options: { table?: TableRef; maxExecutionSeconds?: number; limit?: number } = {},
): Promise<ServiceCount[]> {
  const { where, params } = filterToSql(filter);
  const r = await runReadOnlyQuery(
    client,
    `SELECT ServiceName AS name, count() AS records FROM ${qualified(options.table ?? DEFAULT_TABLE)}
WHERE ${where}
GROUP BY name ORDER BY records DESC, name LIMIT {limit:UInt32}`,
    { ...params, limit: options.limit ?? 1000 },
    options.maxExecutionSeconds ?? 30,
  );
  return r.rows.map((row) => ({ name: String(row.name), records: Number(row.records) }));
}
