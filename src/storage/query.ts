import type { ClickHouseClient } from '@clickhouse/client';

/** Result of a read-only query. */
export interface QueryResult {
  columns: { name: string; type: string }[];
  rows: Record<string, unknown>[];
}

/**
 * Runs one SELECT that logq generated (bound `{name:Type}` parameters, no SETTINGS or FORMAT
 * clause of its own) with `readonly = 1` and a bounded execution time, given in the query's own
 * SETTINGS clause. The clause scopes them to this query: the embedded engine (chDB) applies
 * `clickhouse_settings` as session-wide `SET`s, and a session once set `readonly = 1` can never
 * write again (nor unset it), which would break the collector's inserts sharing it.
 * `settings` adds numeric settings before those (benchmarks: `use_skip_indexes = 0`).
 */
export async function runReadOnlyQuery(
  client: ClickHouseClient,
  sql: string,
  params: Record<string, unknown> = {},
  maxExecutionSeconds = 60,
  settings: Readonly<Record<string, number>> = {},
): Promise<QueryResult> {
  const seconds = Math.max(1, Math.floor(maxExecutionSeconds));
  const extra = Object.entries(settings).map(([k, v]) => {
    if (!/^[a-z_][a-z0-9_]*$/.test(k) || !Number.isFinite(v)) throw new Error(`invalid setting ${k} = ${v}`);
    return `${k} = ${v}, `;
  });
  // readonly = 1 goes last: once applied no other setting may change.
  const query = `${sql}\nSETTINGS ${extra.join('')}max_execution_time = ${seconds}, output_format_json_quote_64bit_integers = 1, readonly = 1`;
  const rs = await client.query({ query, query_params: params, format: 'JSON' });
  const body = await rs.json<Record<string, unknown>>();
  return { columns: body.meta ?? [], rows: body.data };
}

/**
 * Runs SQL a user typed (`logq query --sql`) with `readonly = 1` and a bounded execution time as
 * request settings. On the embedded engine these become session-wide: the session is read-only
 * afterwards, so use this only in a process that then closes the store (the one-shot CLI), never
 * in the collector.
 */
export async function runUserQuery(client: ClickHouseClient, sql: string, maxExecutionSeconds = 60): Promise<QueryResult> {
  const rs = await client.query({
    query: sql,
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
