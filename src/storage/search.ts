import type { ClickHouseClient } from '@clickhouse/client';
import { filterToSql, type LogFilter } from './LogFilter.ts';
import { runReadOnlyQuery } from './query.ts';
import { DEFAULT_TABLE, qualified, type TableRef } from './schema.ts';

/** One record as the query surfaces (CLI, REST API) return it. */
export interface LogRecordView {
  /** ISO-8601 with nanoseconds, UTC. */
  timestamp: string;
  /** Nanoseconds since the epoch, as a decimal string. */
  timestampNs: string;
  traceId: string;
  spanId: string;
  severityText: string;
  severityNumber: number;
  serviceName: string;
  body: string;
  logAttributes: Record<string, string>;
  resourceAttributes: Record<string, string>;
  scopeName: string;
  eventName: string;
  /** Opaque position of this record: pass it as `cursor`/`after` to continue from here. */
  cursor: string;
}

/** Options of {@link searchLogs}. */
export interface SearchOptions {
  /** Rows per page (1..10000). @default 100 */
  limit?: number;
  /** Continue after this record, newest first (`nextCursor` of the previous page). @default undefined */
  cursor?: string;
  /** Records newer than this cursor, oldest first (live tail); excludes `cursor`. @default undefined */
  after?: string;
  /** Longest the query may run, in seconds. @default 30 */
  maxExecutionSeconds?: number;
  /** @default otel.otel_logs */
  table?: TableRef;
  /** Extra numeric query settings (benchmarks compare `use_skip_indexes = 0`). @default {} */
  settings?: Readonly<Record<string, number>>;
}

/** A page of records and the cursor of the next one (undefined when this page is the last). */
export interface SearchPage {
  records: LogRecordView[];
  nextCursor?: string;
}

/** A cursor that could not be read. */
export class CursorError extends Error {
  override readonly name = 'CursorError';
}

interface CursorData {
  t: string;
  h: string;
}

/** Encodes a position (timestamp ns + row hash) as an opaque URL-safe token. */
export function encodeCursor(t: string, h: string): string {
  return Buffer.from(`${t}.${h}`).toString('base64url');
}

/** Decodes a cursor; throws {@link CursorError} when it is not one logq made. */
export function decodeCursor(cursor: string): CursorData {
  const text = Buffer.from(cursor, 'base64url').toString();
  const m = /^(\d{1,20})\.(\d{1,20})$/.exec(text);
  if (!m || BigInt(m[1]) > 2n ** 63n - 1n || BigInt(m[2]) > 2n ** 64n - 1n) {
    throw new CursorError(`"${cursor.slice(0, 80)}" is not a cursor returned by logq`);
  }
  return { t: m[1], h: m[2] };
}

/**
 * Rows are ordered by (Timestamp, RowHash): the hash of the row's content breaks ties between
 * records of the same nanosecond, so keyset pagination never skips or repeats a record (two
 * records of the same nanosecond equal in every hashed column are indistinguishable and may be
 * merged at a page edge). The attribute maps are left out of the hash: reading them for every
 * candidate row before the LIMIT doubled trace-id lookups (bench/query-indexes.ts).
 */
export const ROW_HASH_SQL = 'cityHash64(ServiceName, TraceId, SpanId, SeverityNumber, ObservedTimestamp, Body)';

/** The columns of a {@link LogRecordView} (plus `rowHash`), for SELECTs over otel_logs. */
export const SELECT_RECORD_COLUMNS = `formatDateTime(Timestamp, '%Y-%m-%dT%H:%i:%S.%f', 'UTC') || 'Z' AS timestamp,
  toString(toUnixTimestamp64Nano(Timestamp)) AS timestampNs, TraceId AS traceId, SpanId AS spanId,
  SeverityText AS severityText, SeverityNumber AS severityNumber, ServiceName AS serviceName, Body AS body,
  LogAttributes AS logAttributes, ResourceAttributes AS resourceAttributes, ScopeName AS scopeName,
  EventName AS eventName, toString(${ROW_HASH_SQL}) AS rowHash`;

/**
 * Finds records matching `filter`: newest first with keyset pagination (`cursor`), or oldest
 * first after a position (`after`, for live tail). Runs read-only with a time limit; every value
 * is bound.
 */
export async function searchLogs(client: ClickHouseClient, filter: LogFilter, options: SearchOptions = {}): Promise<SearchPage> {
  const limit = options.limit ?? 100;
  const { where, params } = filterToSql(filter);
  const conds = [where];
  let order = 'DESC';
  if (options.cursor !== undefined) {
    const c = decodeCursor(options.cursor);
    conds.push(
      'Timestamp <= fromUnixTimestamp64Nano({cursorT:Int64})',
      `(Timestamp, ${ROW_HASH_SQL}) < (fromUnixTimestamp64Nano({cursorT:Int64}), {cursorH:UInt64})`,
    );
    Object.assign(params, { cursorT: c.t, cursorH: c.h });
  }
  if (options.after !== undefined) {
    const c = decodeCursor(options.after);
    order = 'ASC';
    conds.push(
      'Timestamp >= fromUnixTimestamp64Nano({afterT:Int64})',
      `(Timestamp, ${ROW_HASH_SQL}) > (fromUnixTimestamp64Nano({afterT:Int64}), {afterH:UInt64})`,
    );
    Object.assign(params, { afterT: c.t, afterH: c.h });
  }
  params.limit = limit + 1;
  const sql = `SELECT ${SELECT_RECORD_COLUMNS} FROM ${qualified(options.table ?? DEFAULT_TABLE)}
WHERE ${conds.join(' AND ')}
ORDER BY Timestamp ${order}, ${ROW_HASH_SQL} ${order}
LIMIT {limit:UInt32}`;
  const result = await runReadOnlyQuery(client, sql, params, options.maxExecutionSeconds ?? 30, options.settings);
  const rows = result.rows.slice(0, limit).map(recordFromRow);
  const more = result.rows.length > limit;
  return { records: rows, nextCursor: more && rows.length ? rows[rows.length - 1].cursor : undefined };
}

/** Turns a row selected with {@link SELECT_RECORD_COLUMNS} into a {@link LogRecordView}. */
export function recordFromRow(r: Record<string, unknown>): LogRecordView {
  const { rowHash, ...rest } = r as Record<string, unknown> & { rowHash: string; timestampNs: string };
  const view = rest as unknown as Omit<LogRecordView, 'cursor'>;
  return { ...view, severityNumber: Number(view.severityNumber), cursor: encodeCursor(rest.timestampNs, rowHash) };
}

/** The position just before `nowNs`: `after` this cursor means "records from now on". */
export function cursorAt(ns: bigint): string {
  return encodeCursor(ns.toString(), '0');
}
