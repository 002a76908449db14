import type { ClickHouseClient } from '@clickhouse/client';
import {
  alterRetentionStatements,
  createDatabaseSql,
  DEFAULT_TABLE,
  retentionComment,
  type TableRef,
} from './ddl.ts';
import { detectEngine, type EngineInfo } from './engine-version.ts';
import { applyMigrations } from './migrations.ts';
import type { RetentionPolicy } from './RetentionPolicy.ts';

export {
  alterRetentionSql,
  alterRetentionStatements,
  createDatabaseSql,
  createLogsTableSql,
  createLogsTableStatements,
  DEFAULT_TABLE,
  INSERT_COLUMNS,
  onCluster,
  qualified,
  quoteIdent,
  quoteString,
  retentionComment,
  storageTable,
} from './ddl.ts';
export type { ClusterOptions, TableRef } from './ddl.ts';

/** What {@link ensureSchema} did. */
export interface SchemaResult {
  /** The table did not exist and was created. */
  created: boolean;
  /** The table existed with another retention policy, which was replaced. */
  retentionChanged: boolean;
  /** The policy the table had before (undefined when created). */
  previousRetention?: string;
  /** Versions of the migrations applied by this call (empty when the schema was current). */
  migrationsApplied?: number[];
  /** The engine found at start-up. */
  engine?: EngineInfo;
}

/** Options of {@link ensureSchema}. */
export interface EnsureSchemaOptions {
  /** See {@link ClusterOptions.cluster}. @default undefined */
  cluster?: string;
}

/**
 * Creates the database, detects the engine version, applies pending migrations (recorded in
 * `logq_schema_migrations`) and applies `policy` to an existing table.
 * Idempotent: running it twice with the same policy changes nothing.
 */
export async function ensureSchema(
  client: ClickHouseClient,
  policy: RetentionPolicy,
  ref: TableRef = DEFAULT_TABLE,
  options: EnsureSchemaOptions = {},
): Promise<SchemaResult> {
  const { cluster } = options;
  await client.command({ query: createDatabaseSql(ref, cluster) });
  const engine = await detectEngine(client);
  const existing = await readRetentionComment(client, ref);
  const applied = await applyMigrations(client, { policy, ref, engine, cluster });
  const migrationsApplied = applied.map((m) => m.version);
  if (existing === undefined) return { created: true, retentionChanged: false, migrationsApplied, engine };
  const wanted = retentionComment(policy);
  if (existing === wanted) {
    return { created: false, retentionChanged: false, previousRetention: existing, migrationsApplied, engine };
  }
  for (const query of alterRetentionStatements(policy, ref, cluster)) await client.command({ query });
  return { created: false, retentionChanged: true, previousRetention: existing, migrationsApplied, engine };
}

/** The comment on `RetentionDays` (`logq retention …`), or undefined when the table does not exist. */
export async function readRetentionComment(client: ClickHouseClient, ref: TableRef = DEFAULT_TABLE): Promise<string | undefined> {
  const rs = await client.query({
    query:
      'SELECT comment FROM system.columns WHERE database = {db:String} AND table = {table:String} AND name = {col:String}',
    query_params: { db: ref.database, table: ref.table, col: 'RetentionDays' },
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ comment: string }>();
  return rows.length ? rows[0].comment : undefined;
}
