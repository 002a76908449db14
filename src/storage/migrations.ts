import type { ClickHouseClient } from '@clickhouse/client';
import {
  createLogsTableStatements,
  onCluster,
  qualified,
  quoteIdent,
  storageTable,
  type TableRef,
} from './ddl.ts';
import type { EngineInfo } from './engine-version.ts';
import type { RetentionPolicy } from './RetentionPolicy.ts';

/** What migrations are computed from. */
export interface MigrationContext {
  policy: RetentionPolicy;
  ref: TableRef;
  engine: EngineInfo;
  /** @default undefined (one node) */
  cluster?: string;
}

/** One versioned schema change. Its statements are idempotent (IF [NOT] EXISTS) so a re-run is harmless. */
export interface Migration {
  version: number;
  name: string;
  statements(ctx: MigrationContext): string[];
}

/** A migration with its statements for this engine and table. */
export interface PlannedMigration {
  version: number;
  name: string;
  statements: string[];
}

/** Skip indexes of the exporter's schema that migration 4 dropped and migration 5 restores. */
export const RESOURCE_SCOPE_INDEXES = ['idx_res_attr_key', 'idx_res_attr_value', 'idx_scope_attr_key', 'idx_scope_attr_value'] as const;

/** The table recording applied migrations, beside otel_logs. */
export const MIGRATIONS_TABLE = 'logq_schema_migrations';

/**
 * Every schema change, in order. Never edit an applied migration: add the next one.
 * 1 creates otel_logs (the walking skeleton's table, so an existing table is left as it is);
 * 2 chooses the indexes for the engine: on 26.2+ the `text` index replaces the token bloom filter
 * for body search and the bloom filter for trace ids (exact posting lists instead of
 * false-positive-prone filters); before 26.2 the bloom filters stay. 3 does the same for log
 * attribute values. Index materialization of existing rows is a background mutation.
 * 4 dropped the bloom filters on ResourceAttributes and ScopeAttributes keys/values (no logq
 * query filters on those maps); 5 puts them back: with the variants in random order,
 * bench/insert-cost.ts measured v4 vs v3 at 0.87–1.02× insert CPU (mean ≈ 0.96×), i.e. no clear
 * gain, while raw SQL on those maps loses its pruning and the table leaves the OTel exporter's
 * schema. (Earlier runs that suggested 0.69–0.89× had a fixed order that favoured later variants.)
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'create otel_logs',
    statements: (ctx) => createLogsTableStatements(ctx.policy, ctx.ref, ctx.cluster),
  },
  {
    version: 2,
    name: 'text indexes for body and trace id (ClickHouse 26.2+)',
    statements: (ctx) => {
      if (!ctx.engine.textIndex) return [];
      const t = `ALTER TABLE ${qualified(storageTable(ctx.ref, ctx.cluster))}${onCluster(ctx.cluster)}`;
      return [
        `${t} DROP INDEX IF EXISTS idx_body`,
        `${t} ADD INDEX IF NOT EXISTS idx_body_text Body TYPE text(tokenizer = 'splitByNonAlpha')`,
        `${t} MATERIALIZE INDEX idx_body_text`,
        `${t} DROP INDEX IF EXISTS idx_trace_id`,
        `${t} ADD INDEX IF NOT EXISTS idx_trace_id_text TraceId TYPE text(tokenizer = 'array')`,
        `${t} MATERIALIZE INDEX idx_trace_id_text`,
      ];
    },
  },
  {
    version: 3,
    name: 'text index for log attribute values (request.id, user.id, --attr) (ClickHouse 26.2+)',
    statements: (ctx) => {
      if (!ctx.engine.textIndex) return [];
      const t = `ALTER TABLE ${qualified(storageTable(ctx.ref, ctx.cluster))}${onCluster(ctx.cluster)}`;
      // The text index answers LogAttributes['k'] = 'v' from exact posting lists (checked with
      // EXPLAIN indexes = 1 on 26.7); the bloom filter it replaces often selected every granule.
      return [
        `${t} DROP INDEX IF EXISTS idx_log_attr_value`,
        `${t} ADD INDEX IF NOT EXISTS idx_log_attr_value_text mapValues(LogAttributes) TYPE text(tokenizer = 'array')`,
        `${t} MATERIALIZE INDEX idx_log_attr_value_text`,
      ];
    },
  },
  {
    version: 4,
    name: 'drop the Resource/Scope attribute bloom filters (no logq query uses them; they cost insert CPU)',
    statements: (ctx) => {
      const t = `ALTER TABLE ${qualified(storageTable(ctx.ref, ctx.cluster))}${onCluster(ctx.cluster)}`;
      return RESOURCE_SCOPE_INDEXES.map((name) => `${t} DROP INDEX IF EXISTS ${name}`);
    },
  },
  {
    version: 5,
    name: 'restore the Resource/Scope attribute bloom filters (migration 4 gave no clear insert gain)',
    statements: (ctx) => {
      const t = `ALTER TABLE ${qualified(storageTable(ctx.ref, ctx.cluster))}${onCluster(ctx.cluster)}`;
      return RESOURCE_SCOPE_INDEXES.flatMap((name) => {
        const expr = `${name.includes('_key') ? 'mapKeys' : 'mapValues'}(${name.startsWith('idx_res_') ? 'ResourceAttributes' : 'ScopeAttributes'})`;
        return [`${t} ADD INDEX IF NOT EXISTS ${name} ${expr} TYPE bloom_filter(0.01) GRANULARITY 1`, `${t} MATERIALIZE INDEX ${name}`];
      });
    },
  },
];

function migrationsTable(ref: TableRef): string {
  return `${quoteIdent(ref.database)}.${quoteIdent(MIGRATIONS_TABLE)}`;
}

/** DDL of the migrations table (replicated in cluster mode so every node knows what ran). */
export function createMigrationsTableSql(ref: TableRef, cluster?: string): string {
  const engine = cluster
    ? `ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/${ref.database}/${MIGRATIONS_TABLE}', '{replica}')`
    : 'ReplacingMergeTree';
  return `CREATE TABLE IF NOT EXISTS ${migrationsTable(ref)}${onCluster(cluster)}
(
    version UInt32,
    name String,
    statements Array(String),
    engine_version String,
    applied_at DateTime64(3) DEFAULT now64(3)
)
ENGINE = ${engine}
ORDER BY version`;
}

async function migrationsTableExists(client: ClickHouseClient, ref: TableRef): Promise<boolean> {
  const rs = await client.query({
    query: 'SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = {table:String}',
    query_params: { db: ref.database, table: MIGRATIONS_TABLE },
    format: 'JSONEachRow',
  });
  return Number((await rs.json<{ n: string | number }>())[0]?.n ?? 0) > 0;
}

async function appliedVersions(client: ClickHouseClient, ref: TableRef): Promise<Set<number>> {
  const rs = await client.query({
    query: `SELECT DISTINCT version FROM ${migrationsTable(ref)}`,
    format: 'JSONEachRow',
  });
  return new Set((await rs.json<{ version: number }>()).map((r) => Number(r.version)));
}

/** The migrations not yet recorded, with their statements (what `logq migrate --dry-run` prints). Changes nothing. */
export async function pendingMigrations(client: ClickHouseClient, ctx: MigrationContext): Promise<PlannedMigration[]> {
  const done = (await migrationsTableExists(client, ctx.ref)) ? await appliedVersions(client, ctx.ref) : new Set<number>();
  return MIGRATIONS.filter((m) => !done.has(m.version)).map((m) => ({
    version: m.version,
    name: m.name,
    statements: m.statements(ctx),
  }));
}

/** Applies pending migrations in order, recording each once its statements have run. Idempotent. */
export async function applyMigrations(client: ClickHouseClient, ctx: MigrationContext): Promise<PlannedMigration[]> {
  await client.command({ query: createMigrationsTableSql(ctx.ref, ctx.cluster) });
  const pending = await pendingMigrations(client, ctx);
  for (const m of pending) {
    for (const statement of m.statements) await client.command({ query: statement });
    await client.insert({
      table: migrationsTable(ctx.ref),
      values: [{ version: m.version, name: m.name, statements: m.statements, engine_version: ctx.engine.version }],
      format: 'JSONEachRow',
      columns: ['version', 'name', 'statements', 'engine_version'],
    });
  }
  return pending;
}
