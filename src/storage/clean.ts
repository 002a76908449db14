import type { ClickHouseClient } from '@clickhouse/client';
import { LEVEL_SEVERITY, type Level } from '../otlp/severity.ts';
import { runReadOnlyQuery } from './query.ts';
import { DEFAULT_TABLE, onCluster, qualified, quoteString, storageTable, type TableRef } from './schema.ts';

/** What `logq clean` removes: records older than `days`, optionally only up to a level and of one service. */
export interface CleanOptions {
  /** Remove records older than this many days. @default 30 */
  days?: number;
  /** Only this level and the ones below it (`INFO` removes TRACE, DEBUG, INFO and unspecified). @default undefined (all levels) */
  level?: Level;
  /** Only this service. @default undefined (all services) */
  service?: string;
  /** Reference time in ms (tests). @default Date.now() */
  nowMs?: number;
  /** @default otel.otel_logs */
  ref?: TableRef;
  /** Cluster name: DDL and deletes run ON CLUSTER against `<table>_local`. @default undefined */
  cluster?: string;
}

/** One partition touched by a clean. */
export interface PartitionPlan {
  /** ClickHouse partition id, e.g. `20261101-10` (date, retention days). */
  partitionId: string;
  /** Rows in the partition. */
  rows: number;
  /** Rows of it that match. */
  matching: number;
  /** `drop`: every row matches, the partition is dropped whole (a metadata operation); `delete`: lightweight DELETE of the matching rows. */
  action: 'drop' | 'delete';
}

/** What a clean would do (dry run) or did. */
export interface CleanPlan {
  /** Records older than this are removed, ISO-8601 UTC. */
  cutoff: string;
  /** Rows matching: removed by a real run, counted by a dry run. */
  rows: number;
  partitions: PartitionPlan[];
}

/** Progress of a running clean. */
export interface CleanProgress {
  done: number;
  total: number;
  partition: PartitionPlan;
}

interface Where {
  sql: string;
  params: Record<string, unknown>;
}

function cleanWhere(o: CleanOptions): { where: Where; cutoffMs: number } {
  const days = o.days ?? 30;
  const cutoffMs = (o.nowMs ?? Date.now()) - days * 86_400_000;
  const conds = ['Timestamp < fromUnixTimestamp64Milli({cutoffMs:Int64})'];
  const params: Record<string, unknown> = { cutoffMs };
  if (o.level) {
    // "That level and below", as the seed's clean command did; severity 0 (unspecified) counts as below.
    conds.push('SeverityNumber <= {maxSeverity:UInt8}');
    params.maxSeverity = LEVEL_SEVERITY[o.level] + 3;
  }
  if (o.service !== undefined) {
    conds.push('ServiceName = {service:String}');
    params.service = o.service;
  }
  return { where: { sql: conds.join(' AND '), params }, cutoffMs };
}

/** Counts what a clean removes, per partition, without deleting anything. */
export async function planClean(client: ClickHouseClient, options: CleanOptions = {}): Promise<CleanPlan> {
  const { where, cutoffMs } = cleanWhere(options);
  const table = qualified(storageTable(options.ref ?? DEFAULT_TABLE, options.cluster));
  const from = options.cluster ? qualified(options.ref ?? DEFAULT_TABLE) : table;
  // Partitions are (day, retention): only days up to the cutoff's can hold matching rows, and a
  // day's partition is all-or-nothing for that filter, so `rows` is the partition's whole count.
  const r = await runReadOnlyQuery(
    client,
    `SELECT _partition_id AS partitionId, count() AS rows, countIf(${where.sql}) AS matching
FROM ${from}
WHERE toDate(TimestampTime) <= toDate(fromUnixTimestamp64Milli({cutoffMs:Int64}))
GROUP BY partitionId HAVING matching > 0 ORDER BY partitionId`,
    where.params,
    600,
  );
  const partitions = r.rows.map((row): PartitionPlan => {
    const rows = Number(row.rows);
    const matching = Number(row.matching);
    return { partitionId: String(row.partitionId), rows, matching, action: matching === rows ? 'drop' : 'delete' };
  });
  return {
    cutoff: new Date(cutoffMs).toISOString(),
    rows: partitions.reduce((n, p) => n + p.matching, 0),
    partitions,
  };
}

/**
 * Removes what {@link planClean} found: `DROP PARTITION` for partitions where every row matches,
 * lightweight `DELETE … WHERE` (rows hidden at once, space reclaimed by merges) for the rest,
 * one partition at a time so `onProgress` can report long runs. Conditions are bound parameters.
 */
export async function runClean(
  client: ClickHouseClient,
  options: CleanOptions = {},
  onProgress?: (p: CleanProgress) => void,
): Promise<CleanPlan> {
  const plan = await planClean(client, options);
  const { where } = cleanWhere(options);
  const table = qualified(storageTable(options.ref ?? DEFAULT_TABLE, options.cluster));
  const cluster = onCluster(options.cluster);
  let done = 0;
  for (const p of plan.partitions) {
    if (p.action === 'drop') {
      // A partition id cannot be a bound parameter in DDL; it comes from the engine and is quoted.
      await client.command({ query: `ALTER TABLE ${table}${cluster} DROP PARTITION ID ${quoteString(p.partitionId)}` });
    } else {
      await client.command({
        query: `DELETE FROM ${table}${cluster} WHERE _partition_id = {partitionId:String} AND ${where.sql}`,
        query_params: { ...where.params, partitionId: p.partitionId },
      });
    }
    onProgress?.({ done: ++done, total: plan.partitions.length, partition: p });
  }
  return plan;
}
