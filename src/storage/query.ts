import type { ClickHouseClient } from '@clickhouse/client';

/** Result of a read-only query. */
export interface QueryResult {
  columns: { name: string; type: string }[];
  rows: Record<string, unknown>[];
}

/**
 * Runs one SQL statement with `readonly = 1`, so nothing can be written or altered through the
 * query surface, and a bounded execution time.
 */
export async function runReadOnlyQuery(
  client: ClickHouseClient,
  sql: string,
  params: Record<string, unknown> = {},
  maxExecutionSeconds = 60,
): Promise<QueryResult> {
  const rs = await client.query({
    query: sql,
    query_params: params,
    format: 'JSON',
    // Order matters: once readonly=1 is applied no other setting may change, so it goes last.
    clickhouse_settings: {
      max_execution_time: maxExecutionSeconds,
      output_format_json_quote_64bit_integers: 1,
      readonly: '1',
    },
  });
  const body = await rs.json<Record<string, unknown>>();
  return { columns: body.meta ?? [], rows: body.data };
}
