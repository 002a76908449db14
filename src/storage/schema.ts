import type { ClickHouseClient } from '@clickhouse/client';
import { formatRetention, retentionExpression, type RetentionPolicy } from './RetentionPolicy.ts';

/** Where logs live. The names are the OpenTelemetry Collector ClickHouse exporter's defaults. */
export interface TableRef {
  /** @default 'otel' */
  database: string;
  /** @default 'otel_logs' */
  table: string;
}

export const DEFAULT_TABLE: TableRef = { database: 'otel', table: 'otel_logs' };

/** `db`.`table`, quoted. */
export function qualified(ref: TableRef): string {
  return `${quoteIdent(ref.database)}.${quoteIdent(ref.table)}`;
}

export function quoteIdent(name: string): string {
  return '`' + name.replace(/\\/g, '\\\\').replace(/`/g, '\\`') + '`';
}

/** Quotes a string literal for DDL (values in DDL cannot be bound parameters). */
export function quoteString(value: string): string {
  return "'" + value.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";
}

/**
 * Columns logq inserts, in insert order. All but the last two are the OTel Collector ClickHouse
 * exporter's `otel_logs` columns; `ObservedTimestamp` is logq's addition so OTLP's
 * observed_time_unix_nano is kept.
 */
export const INSERT_COLUMNS = [
  'Timestamp',
  'TraceId',
  'SpanId',
  'TraceFlags',
  'SeverityText',
  'SeverityNumber',
  'ServiceName',
  'Body',
  'ResourceSchemaUrl',
  'ResourceAttributes',
  'ScopeSchemaUrl',
  'ScopeName',
  'ScopeVersion',
  'ScopeAttributes',
  'LogAttributes',
  'EventName',
  'ObservedTimestamp',
] as const;

/** The comment on `RetentionDays` records the policy its DEFAULT was built from. */
function retentionComment(policy: RetentionPolicy): string {
  return `logq retention ${formatRetention(policy)}`;
}

/** `CREATE DATABASE` for the logs database. */
export function createDatabaseSql(ref: TableRef = DEFAULT_TABLE): string {
  return `CREATE DATABASE IF NOT EXISTS ${quoteIdent(ref.database)}`;
}

/**
 * `CREATE TABLE` for otel_logs: the exporter's columns, codecs and skip indexes, plus per-level
 * retention that expires whole parts (DESIGN.md decision 3): `RetentionDays` is computed from the
 * severity at insert, is part of the partition key, and the TTL uses it with
 * `ttl_only_drop_parts = 1`, so expiry drops parts instead of rewriting them.
 */
export function createLogsTableSql(policy: RetentionPolicy, ref: TableRef = DEFAULT_TABLE): string {
  return `CREATE TABLE IF NOT EXISTS ${qualified(ref)}
(
    Timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    TimestampTime DateTime DEFAULT toDateTime(Timestamp),
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    TraceFlags UInt8,
    SeverityText LowCardinality(String) CODEC(ZSTD(1)),
    SeverityNumber UInt8,
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    Body String CODEC(ZSTD(1)),
    ResourceSchemaUrl LowCardinality(String) CODEC(ZSTD(1)),
    ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    ScopeSchemaUrl LowCardinality(String) CODEC(ZSTD(1)),
    ScopeName String CODEC(ZSTD(1)),
    ScopeVersion LowCardinality(String) CODEC(ZSTD(1)),
    ScopeAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    LogAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    EventName String CODEC(ZSTD(1)),
    ObservedTimestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    RetentionDays UInt16 DEFAULT ${retentionExpression(policy)} COMMENT ${quoteString(retentionComment(policy))},
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_scope_attr_key mapKeys(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_scope_attr_value mapValues(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_log_attr_key mapKeys(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_log_attr_value mapValues(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_body Body TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8
)
ENGINE = MergeTree
PARTITION BY (toDate(TimestampTime), RetentionDays)
PRIMARY KEY (ServiceName, TimestampTime)
ORDER BY (ServiceName, TimestampTime, Timestamp)
TTL TimestampTime + toIntervalDay(RetentionDays)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1`;
}

/**
 * The ALTER that switches the retention of rows inserted from now on. Rows already stored keep
 * the `RetentionDays` they were written with; `logq clean` handles those explicitly.
 */
export function alterRetentionSql(policy: RetentionPolicy, ref: TableRef = DEFAULT_TABLE): string {
  return (
    `ALTER TABLE ${qualified(ref)} MODIFY COLUMN RetentionDays UInt16 ` +
    `DEFAULT ${retentionExpression(policy)} COMMENT ${quoteString(retentionComment(policy))}`
  );
}

/** What {@link ensureSchema} did. */
export interface SchemaResult {
  /** The table did not exist and was created. */
  created: boolean;
  /** The table existed with another retention policy, which was replaced. */
  retentionChanged: boolean;
  /** The policy the table had before (undefined when created). */
  previousRetention?: string;
}

/**
 * Creates the database and table if missing and applies `policy` to an existing table.
 * Idempotent: running it twice with the same policy changes nothing.
 */
export async function ensureSchema(
  client: ClickHouseClient,
  policy: RetentionPolicy,
  ref: TableRef = DEFAULT_TABLE,
): Promise<SchemaResult> {
  await client.command({ query: createDatabaseSql(ref) });
  const existing = await readRetentionComment(client, ref);
  if (existing === undefined) {
    await client.command({ query: createLogsTableSql(policy, ref) });
    return { created: true, retentionChanged: false };
  }
  const wanted = retentionComment(policy);
  if (existing === wanted) return { created: false, retentionChanged: false, previousRetention: existing };
  await client.command({ query: alterRetentionSql(policy, ref) });
  return { created: false, retentionChanged: true, previousRetention: existing };
}

async function readRetentionComment(client: ClickHouseClient, ref: TableRef): Promise<string | undefined> {
  const rs = await client.query({
    query:
      'SELECT comment FROM system.columns WHERE database = {db:String} AND table = {table:String} AND name = {col:String}',
    query_params: { db: ref.database, table: ref.table, col: 'RetentionDays' },
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ comment: string }>();
  return rows.length ? rows[0].comment : undefined;
}
