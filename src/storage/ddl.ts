/** DDL generators for the otel_logs table (pure functions, unit-tested by snapshot). */
import { formatRetention, retentionExpression, type RetentionPolicy } from './RetentionPolicy.ts';

/** Where logs live. The names are the OpenTelemetry Collector ClickHouse exporter's defaults. */
export interface TableRef {
  /** @default 'otel' */
  database: string;
  /** @default 'otel_logs' */
  table: string;
}

/** `otel.otel_logs`. */
export const DEFAULT_TABLE: TableRef = { database: 'otel', table: 'otel_logs' };

/** `db`.`table`, quoted. */
export function qualified(ref: TableRef): string {
  return `${quoteIdent(ref.database)}.${quoteIdent(ref.table)}`;
}

/** Backquotes an identifier. */
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
export function retentionComment(policy: RetentionPolicy): string {
  return `logq retention ${formatRetention(policy)}`;
}

/** Cluster options of the DDL generators. */
export interface ClusterOptions {
  /**
   * Name of a ClickHouse cluster (`remote_servers`): DDL runs `ON CLUSTER`, rows live in
   * `<table>_local` (ReplicatedMergeTree) and `<table>` is a Distributed table over it.
   * @default undefined (one node, plain MergeTree)
   */
  cluster?: string;
}

/** ` ON CLUSTER `name`` or nothing. */
export function onCluster(cluster?: string): string {
  return cluster ? ` ON CLUSTER ${quoteIdent(cluster)}` : '';
}

/** The MergeTree table holding the rows: `ref` itself, or `<table>_local` in cluster mode. */
export function storageTable(ref: TableRef, cluster?: string): TableRef {
  return cluster ? { database: ref.database, table: `${ref.table}_local` } : ref;
}

/** `CREATE DATABASE` for the logs database. */
export function createDatabaseSql(ref: TableRef = DEFAULT_TABLE, cluster?: string): string {
  return `CREATE DATABASE IF NOT EXISTS ${quoteIdent(ref.database)}${onCluster(cluster)}`;
}

/**
 * `CREATE TABLE` for otel_logs: the exporter's columns, codecs and skip indexes, plus per-level
 * retention that expires whole parts (DESIGN.md decision 3): `RetentionDays` is computed from the
 * severity at insert, is part of the partition key, and the TTL uses it with
 * `ttl_only_drop_parts = 1`, so expiry drops parts instead of rewriting them.
 */
export function createLogsTableSql(
  policy: RetentionPolicy,
  ref: TableRef = DEFAULT_TABLE,
  engine = 'MergeTree',
  cluster?: string,
): string {
  return `CREATE TABLE IF NOT EXISTS ${qualified(ref)}${onCluster(cluster)}
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
ENGINE = ${engine}
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
export function alterRetentionSql(policy: RetentionPolicy, ref: TableRef = DEFAULT_TABLE, cluster?: string): string {
  return (
    `ALTER TABLE ${qualified(ref)}${onCluster(cluster)} MODIFY COLUMN RetentionDays UInt16 ` +
    `DEFAULT ${retentionExpression(policy)} COMMENT ${quoteString(retentionComment(policy))}`
  );
}

/**
 * Statements creating otel_logs. One node: the MergeTree table. Cluster: a ReplicatedMergeTree
 * `<table>_local` on every node and a Distributed `<table>` over it that takes inserts and
 * queries (rows spread at random across shards).
 */
export function createLogsTableStatements(policy: RetentionPolicy, ref: TableRef = DEFAULT_TABLE, cluster?: string): string[] {
  if (!cluster) return [createLogsTableSql(policy, ref)];
  const local = storageTable(ref, cluster);
  const zkPath = `/clickhouse/tables/{shard}/${local.database}/${local.table}`;
  return [
    createLogsTableSql(policy, local, `ReplicatedMergeTree(${quoteString(zkPath)}, '{replica}')`, cluster),
    `CREATE TABLE IF NOT EXISTS ${qualified(ref)}${onCluster(cluster)} AS ${qualified(local)}\n` +
      `ENGINE = Distributed(${quoteString(cluster)}, ${quoteString(local.database)}, ${quoteString(local.table)}, rand())`,
  ];
}

/** Retention ALTERs: the table, or in cluster mode the local tables and the Distributed one (its DEFAULT fills inserts). */
export function alterRetentionStatements(policy: RetentionPolicy, ref: TableRef = DEFAULT_TABLE, cluster?: string): string[] {
  if (!cluster) return [alterRetentionSql(policy, ref)];
  return [alterRetentionSql(policy, storageTable(ref, cluster), cluster), alterRetentionSql(policy, ref, cluster)];
}
