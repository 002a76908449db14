import type { ClickHouseClient } from '@clickhouse/client';
import { LEVELS, type Level } from '../otlp/severity.ts';
import { LEVEL_OF_SEVERITY_SQL } from './histogram.ts';
import { runReadOnlyQuery } from './query.ts';
import { formatRetention, parseRetention, policyFromComment, type RetentionPolicy } from './RetentionPolicy.ts';
import { alterRetentionStatements, DEFAULT_TABLE, qualified, readRetentionComment, type TableRef } from './schema.ts';

/** What is stored for one level. */
export interface LevelUsage {
  /** A level name, or UNSPECIFIED for severity 0. */
  level: string;
  /** Days the policy keeps rows of this level that are inserted from now on. */
  policyDays?: number;
  rows: number;
  /** Uncompressed size of the rows (compressed size on disk is typically 5-15x smaller). */
  bytes: number;
  /** Oldest record, ISO-8601 UTC; undefined when there are no rows. */
  oldest?: string;
  /** The distinct retentions the stored rows were written with (they expire by these). */
  storedRetentionDays: number[];
}

/** The effective policy and what the table holds. */
export interface RetentionReport {
  policy: RetentionPolicy;
  levels: LevelUsage[];
}

/** The error raised when otel_logs does not exist yet. */
export class NoLogsTableError extends Error {
  override readonly name = 'NoLogsTableError';
}

/** Reads the policy the table applies to new rows. */
export async function currentRetention(client: ClickHouseClient, ref: TableRef = DEFAULT_TABLE): Promise<RetentionPolicy> {
  const comment = await readRetentionComment(client, ref);
  if (comment === undefined) {
    throw new NoLogsTableError(`${ref.database}.${ref.table} does not exist: start the collector or run logq migrate first`);
  }
  const policy = policyFromComment(comment);
  if (!policy) throw new NoLogsTableError(`the RetentionDays column has no logq policy comment (found "${comment}")`);
  return policy;
}

/** `logq retention show`: policy per level and rows, bytes, oldest record and stored retentions per level. */
export async function retentionReport(client: ClickHouseClient, ref: TableRef = DEFAULT_TABLE): Promise<RetentionReport> {
  const policy = await currentRetention(client, ref);
  const r = await runReadOnlyQuery(
    client,
    `SELECT ${LEVEL_OF_SEVERITY_SQL} AS level, count() AS rows, sum(byteSize(*)) AS bytes,
  formatDateTime(min(Timestamp), '%Y-%m-%dT%H:%i:%SZ', 'UTC') AS oldest, arraySort(groupUniqArray(RetentionDays)) AS stored
FROM ${qualified(ref)} GROUP BY level`,
  );
  const byLevel = new Map(r.rows.map((row) => [String(row.level), row]));
  const names: string[] = [...LEVELS, 'UNSPECIFIED'];
  const levels = names.map((level): LevelUsage => {
    const row = byLevel.get(level);
    return {
      level,
      policyDays: level === 'UNSPECIFIED' ? policy.INFO : policy[level as Level],
      rows: Number(row?.rows ?? 0),
      bytes: Number(row?.bytes ?? 0),
      oldest: row ? String(row.oldest) : undefined,
      storedRetentionDays: ((row?.stored as number[] | undefined) ?? []).map(Number),
    };
  });
  return { policy, levels };
}

/** What happens to rows already stored when the policy changes (printed by `logq retention set`, quoted in the README). */
export const EXISTING_ROWS_NOTE =
  'The new policy applies to rows inserted from now on. Rows already stored keep the retention they were ' +
  'written with (RetentionDays is part of the partition key, so it cannot be rewritten in place) and expire ' +
  'by it. To remove stored rows sooner, run: logq clean --days N [--level L].';

/** Printed by `logq retention set`: the collector applies its own policy when it starts. */
export const COLLECTOR_POLICY_NOTE =
  'The collector applies its --retention (LOGQ_RETENTION) when it starts: give it the same policy, ' +
  'or its next start replaces this one.';

/** The outcome of {@link setRetention}. */
export interface RetentionChange {
  before: RetentionPolicy;
  after: RetentionPolicy;
  /** The DDL that ran. */
  statements: string[];
}

/**
 * `logq retention set INFO=7d ERROR=30d [DEFAULT=14d]`: merges `assignments` into the current
 * policy (DEFAULT covers levels not named) and alters the live table's `RetentionDays` DEFAULT.
 */
export async function setRetention(
  client: ClickHouseClient,
  assignments: string[],
  options: { ref?: TableRef; cluster?: string } = {},
): Promise<RetentionChange> {
  const ref = options.ref ?? DEFAULT_TABLE;
  const before = await currentRetention(client, ref);
  const after = parseRetention(assignments.join(','), before);
  const statements = formatRetention(before) === formatRetention(after) ? [] : alterRetentionStatements(after, ref, options.cluster);
  for (const query of statements) await client.command({ query });
  return { before, after, statements };
}
