/**
 * Scenario insert-cost: what in otel_logs makes an insert expensive on the embedded engine (chDB).
 * Same rows, same process, same run; variants interleaved per round so the shared machine's load
 * falls on all of them alike:
 *
 * - tables: `v3`, otel_logs as migrations 1-3 leave it on this engine (`text` indexes on Body,
 *   TraceId and LogAttributes values + bloom filters), the baseline; `v4` = v3 after migration 4
 *   (no Resource/Scope attribute bloom filters); v3 without the text indexes, with a bloom filter
 *   on TraceId instead of its text index, without any skip index, and LZ4 instead of ZSTD(1) on
 *   Body and the Map columns (with and without indexes);
 * - the query side of deferring skip indexes: lookups over unmerged parts, built vs deferred;
 * - formats: JSONCompactEachRow from row tuples (LogWriter.write, as the collector's sink) and
 *   TabSeparated bytes made beforehand by otlpToTabSeparatedBytes (LogWriter.writeTabSeparated);
 * - batch sizes: 10,000 (the collector's batch) and 50,000 rows per insert;
 * - insert settings on the v3 table, and chDB's `.chdb.rawInsert` (zero-copy Buffer) vs the client.
 *
 *   node bench/insert-cost.ts
 *
 * Env: BENCH_ROWS (rows per measurement, default 100000), BENCH_ONLY (regular expression on the
 * case names; include v3's rows for the ratios), BENCH_ROUNDS (default 3; the median
 * round by insert CPU is reported). Merges are stopped during the inserts and measured afterwards
 * (OPTIMIZE FINAL), so insert and merge cost are reported apart.
 * CPU is process.cpuUsage() of this process, engine threads included (chDB runs in-process).
 */
import { Readable } from 'node:stream';
import { createChdbConnection } from 'chdb/connection';
import { openStore } from '../src/storage/client.ts';
import { createDatabaseSql, createLogsTableSql, INSERT_COLUMNS, qualified, type TableRef } from '../src/storage/schema.ts';
import { detectEngine } from '../src/storage/engine-version.ts';
import { MIGRATIONS } from '../src/storage/migrations.ts';
import { LogWriter } from '../src/storage/LogWriter.ts';
import { requestToRows, type LogRow } from '../src/storage/rows.ts';
import { decodeExportLogsRequest } from '../src/otlp/decode-logs.ts';
import { otlpToTabSeparatedBytes } from '../src/storage/otlp-tab-separated.ts';
import { DEFAULT_RETENTION } from '../src/storage/RetentionPolicy.ts';
import { makeRequestBytes } from './lib/log-data.ts';
import { fmt, publish, type Table } from './lib/report.ts';
import { tempDir } from './lib/temp.ts';

const TOTAL = Number(process.env.BENCH_ROWS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BATCH = 10_000;
const BIG = 50_000;
const DB = 'ic';

interface Result {
  name: string;
  group: 'table' | 'setting';
  rows: number;
  seconds: number;
  cpuUs: number;
  /** CPU of the inserts alone (background merges stopped while they run). */
  cpuUsPerRow: number;
  rowsPerSec: number;
  /** CPU of merging the inserted parts into one afterwards (OPTIMIZE FINAL: rewrites data and skip indexes). */
  mergeCpuUsPerRow: number;
  /** Compressed bytes per row on disk after the merge (data + skip indexes). */
  bytesPerRow: number;
  indexBytesPerRow: number;
}

/** Table variants: name → DDL transformation + which later migrations to run + indexes to drop. */
interface TableVariant {
  name: string;
  label: string;
  lz4: boolean;
  drop: 'none' | 'text' | 'all' | 'resource-scope' | 'trace-text';
}

const TABLES: TableVariant[] = [
  { name: 'v3', label: 'schema of migrations 1-3 (text + bloom indexes, ZSTD(1)), the baseline', lz4: false, drop: 'none' },
  { name: 'no_text', label: 'without the text indexes (bloom filters stay)', lz4: false, drop: 'text' },
  { name: 'v4', label: 'v3 without the Resource/Scope attribute bloom filters (= migration 4)', lz4: false, drop: 'resource-scope' },
  { name: 'trace_bloom', label: 'TraceId: bloom_filter(0.001) instead of the text index', lz4: false, drop: 'trace-text' },
  { name: 'no_skip', label: 'without any skip index', lz4: false, drop: 'all' },
  { name: 'lz4', label: 'v3 indexes, LZ4 on Body + Maps', lz4: true, drop: 'none' },
  { name: 'no_skip_lz4', label: 'no skip index, LZ4 on Body + Maps', lz4: true, drop: 'all' },
];

const LZ4_COLUMNS = ['Body', 'ResourceAttributes', 'ScopeAttributes', 'LogAttributes'];

function lz4Ddl(ddl: string): string {
  let out = ddl;
  for (const col of LZ4_COLUMNS) out = out.replace(new RegExp(`(\\n\\s+${col} [^\\n]*?)CODEC\\(ZSTD\\(1\\)\\)`), '$1CODEC(LZ4)');
  return out;
}

export async function run(): Promise<void> {
  const tmp = tempDir('logq-bench-insert-cost-');
  const store = openStore({ dataDir: tmp.dir });
  const client = store.client;
  // A second connection on the same directory shares the engine; it gives `.chdb.rawInsert`.
  const raw = createChdbConnection({ path: tmp.dir });
  const results: Result[] = [];
  const notes: string[] = [];
  let queryTable: Table | undefined;
  try {
    const engine = await detectEngine(client);
    await client.command({ query: createDatabaseSql({ database: DB, table: 'x' }) });
    const refs = new Map<string, TableRef>();
    for (const v of TABLES) {
      const ref = { database: DB, table: v.name };
      refs.set(v.name, ref);
      const ddl = createLogsTableSql(DEFAULT_RETENTION, ref);
      await client.command({ query: v.lz4 ? lz4Ddl(ddl) : ddl });
      // Every variant starts from the schema of migrations 1-3 (before migration 4 dropped the
      // Resource/Scope blooms), so `v3` is the baseline the other variants are compared with.
      for (const m of MIGRATIONS.filter((x) => x.version > 1 && x.version <= 3)) for (const q of m.statements({ policy: DEFAULT_RETENTION, ref, engine })) await client.command({ query: q });
      const idx = await (await client.query({
        query: 'SELECT name, type FROM system.data_skipping_indices WHERE database = {db:String} AND table = {t:String}',
        query_params: { db: DB, t: v.name },
        format: 'JSONEachRow',
      })).json<{ name: string; type: string }>();
      for (const i of idx) {
        const rs = /^idx_(res|scope)_attr_/.test(i.name);
        if (v.drop === 'all' || (v.drop === 'text' && i.type === 'text') || (v.drop === 'resource-scope' && rs)) {
          await client.command({ query: `ALTER TABLE ${qualified(ref)} DROP INDEX ${i.name}` });
        }
        if (v.drop === 'trace-text' && i.name === 'idx_trace_id_text') {
          await client.command({ query: `ALTER TABLE ${qualified(ref)} DROP INDEX ${i.name}` });
          await client.command({ query: `ALTER TABLE ${qualified(ref)} ADD INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1` });
        }
      }
      const left = await (await client.query({
        query: 'SELECT groupArray(concat(name, \':\', type)) AS i FROM system.data_skipping_indices WHERE database = {db:String} AND table = {t:String}',
        query_params: { db: DB, t: v.name },
        format: 'JSONEachRow',
      })).json<{ i: string[] }>();
      notes.push(`${v.name}: skip indexes ${left[0]?.i.join(', ') || 'none'}${v.lz4 ? '; CODEC(LZ4) on ' + LZ4_COLUMNS.join(', ') : ''}`);
    }

    // Data: the same wire batches for every variant, serialized before timing.
    const wire = Array.from({ length: Math.ceil(TOTAL / BATCH) }, (_, i) => makeRequestBytes(Math.min(BATCH, TOTAL - i * BATCH), i * BATCH));
    const tsv10 = wire.map((b) => Buffer.from(otlpToTabSeparatedBytes(b).bytes));
    const rows10: LogRow[][] = wire.map((b) => requestToRows(decodeExportLogsRequest(b)));
    const per = BIG / BATCH;
    const tsv50: Buffer[] = [];
    const rows50: LogRow[][] = [];
    for (let i = 0; i < wire.length; i += per) {
      tsv50.push(Buffer.concat(tsv10.slice(i, i + per)));
      rows50.push(rows10.slice(i, i + per).flat());
    }

    const count = async (ref: TableRef) =>
      Number((await (await client.query({ query: `SELECT count() AS n FROM ${qualified(ref)}`, format: 'JSONEachRow' })).json<{ n: string }>())[0].n);
    const measure = async (name: string, group: Result['group'], ref: TableRef, body: () => Promise<void>) => {
      await client.command({ query: `TRUNCATE TABLE ${qualified(ref)}` });
      // Merges would otherwise run during the inserts (in this process) and be counted in them.
      await client.command({ query: `SYSTEM STOP MERGES ${qualified(ref)}` });
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await body();
      const seconds = (performance.now() - t0) / 1000;
      const c = process.cpuUsage(c0);
      await client.command({ query: `SYSTEM START MERGES ${qualified(ref)}` });
      const m0 = process.cpuUsage();
      await client.command({ query: `OPTIMIZE TABLE ${qualified(ref)} FINAL` });
      const m = process.cpuUsage(m0);
      const rows = await count(ref);
      if (rows !== TOTAL) throw new Error(`${name}: ${rows} rows landed, expected ${TOTAL}`);
      const size = (await (await client.query({
        query: 'SELECT sum(data_compressed_bytes) AS d, sum(secondary_indices_compressed_bytes) AS i FROM system.parts WHERE active AND database = {db:String} AND table = {t:String}',
        query_params: { db: ref.database, t: ref.table },
        format: 'JSONEachRow',
      })).json<{ d: string; i: string }>())[0];
      const cpuUs = c.user + c.system;
      const r: Result = {
        name, group, rows, seconds, cpuUs, cpuUsPerRow: cpuUs / rows, rowsPerSec: rows / seconds,
        mergeCpuUsPerRow: (m.user + m.system) / rows,
        bytesPerRow: (Number(size.d) + Number(size.i)) / rows,
        indexBytesPerRow: Number(size.i) / rows,
      };
      process.stderr.write(`insert-cost ${name}: ${fmt(r.cpuUsPerRow, 2)} µs/row insert, ${fmt(r.mergeCpuUsPerRow, 2)} merge, ${fmt(r.rowsPerSec)} rows/s\n`);
      results.push(r);
    };

    const cases: { name: string; group: Result['group']; ref: TableRef; body: () => Promise<void> }[] = [];
    for (const v of TABLES) {
      const ref = refs.get(v.name)!;
      const tsv = new LogWriter(client, ref, { format: 'TabSeparated' });
      const json = new LogWriter(client, ref, { format: 'JSONCompactEachRow' });
      cases.push({ name: `${v.name} | TSV | 10k`, group: 'table', ref, body: async () => { for (const b of tsv10) await tsv.writeTabSeparated(b); } });
      cases.push({ name: `${v.name} | TSV | 50k`, group: 'table', ref, body: async () => { for (const b of tsv50) await tsv.writeTabSeparated(b); } });
      cases.push({ name: `${v.name} | JSONCompact | 10k`, group: 'table', ref, body: async () => { for (const r of rows10) await json.write(r); } });
      cases.push({ name: `${v.name} | JSONCompact | 50k`, group: 'table', ref, body: async () => { for (const r of rows50) await json.write(r); } });
    }
    // Insert settings, on the v3 table, TabSeparated 10k (all synchronous: an ack means stored).
    const today = refs.get('v3')!;
    const columns = [...INSERT_COLUMNS] as [string, ...string[]];
    const withSettings = (label: string, s: Record<string, number>) =>
      cases.push({
        name: `v3 | TSV | 10k | ${label}`,
        group: 'setting',
        ref: today,
        body: async () => {
          for (const b of tsv10) {
            await client.insert({ table: qualified(today), values: Readable.from([b], { objectMode: false }), format: 'TabSeparated', columns, clickhouse_settings: s });
          }
        },
      });
    withSettings('optimize_on_insert=0', { optimize_on_insert: 0 });
    withSettings('input_format_parallel_parsing=0', { input_format_parallel_parsing: 0 });
    withSettings('max_insert_threads=1', { max_insert_threads: 1 });
    withSettings('min_insert_block_size_rows=1048576', { min_insert_block_size_rows: 1_048_576 });
    withSettings('materialize_skip_indexes_on_insert=0', { materialize_skip_indexes_on_insert: 0 });
    cases.push({
      name: 'v3 | TSV | 50k | materialize_skip_indexes_on_insert=0',
      group: 'setting',
      ref: today,
      body: async () => {
        for (const b of tsv50) {
          await client.insert({ table: qualified(today), values: Readable.from([b], { objectMode: false }), format: 'TabSeparated', columns, clickhouse_settings: { materialize_skip_indexes_on_insert: 0 } });
        }
      },
    });
    withSettings('async_insert=1, wait_for_async_insert=1', { async_insert: 1, wait_for_async_insert: 1 });
    cases.push({
      name: 'v3 | TSV | 10k | chdb.rawInsert (zero-copy Buffer)',
      group: 'setting',
      ref: today,
      body: async () => {
        for (const b of tsv10) await raw.chdb.rawInsert({ table: `${today.database}.${today.table}`, values: b, format: 'TabSeparated', columns });
      },
    });
    cases.push({
      name: 'v3 | TSV | 50k | chdb.rawInsert (zero-copy Buffer)',
      group: 'setting',
      ref: today,
      body: async () => {
        for (const b of tsv50) await raw.chdb.rawInsert({ table: `${today.database}.${today.table}`, values: b, format: 'TabSeparated', columns });
      },
    });

    // BENCH_ONLY: a regular expression on the case names, to re-measure a few variants with more rounds.
    const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;
    if (only) cases.splice(0, cases.length, ...cases.filter((c) => only.test(c.name)));
    // Warm-up: one insert per table.
    for (const v of TABLES) await new LogWriter(client, refs.get(v.name)!, { format: 'TabSeparated' }).writeTabSeparated(tsv10[0]);
    for (let round = 0; round < ROUNDS; round++) {
      // A fresh random order each round: a case's position (warm caches, merges of the previous
      // case's table) biased fixed orders by up to ~15% between identical tables here.
      const order = [...cases];
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (const c of order) await measure(c.name, c.group, c.ref, c.body);
    }
    if (!only) queryTable = await unmergedQueries(client, today, tsv10, columns);
    notes.push(await binaryFormatNote(client, today));
  } finally {
    await raw.close();
    await store.close();
    tmp.cleanup();
  }

  const byName = new Map<string, Result[]>();
  // Rows in a stable order (tables as listed, then format, batch, setting), not the random run order.
  const rank = (name: string) => {
    const [t, f, b, x] = name.split(' | ');
    return `${String(TABLES.findIndex((v) => v.name === t)).padStart(2, '0')} ${f} ${b} ${x ?? ''}`;
  };
  for (const r of [...results].sort((a, b) => rank(a.name).localeCompare(rank(b.name)))) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  const best = new Map<string, Result>();
  for (const [name, rs] of byName) best.set(name, rs.sort((a, b) => a.cpuUsPerRow - b.cpuUsPerRow)[Math.floor((rs.length - 1) / 2)]);
  const ratio = (r: Result, fmtName: string, batch: string) => {
    const b = best.get(`v3 | ${fmtName} | ${batch}`);
    return b ? fmt(r.cpuUsPerRow / b.cpuUsPerRow, 2) : '–';
  };
  const tables: Table[] = [
    {
      title: `insert-cost: table variants, ${fmt(TOTAL)} rows per measurement, embedded chDB (median of ${ROUNDS} rounds)`,
      headers: ['table', 'format', 'rows per insert', 'insert CPU µs/row', '× v3 (same format, batch)', 'rows/s', 'merge CPU µs/row', 'bytes/row on disk (of which skip indexes)'],
      rows: [...best.values()]
        .filter((r) => r.group === 'table')
        .map((r) => {
          const [, f, b] = r.name.split(' | ');
          return [...r.name.split(' | '), fmt(r.cpuUsPerRow, 2), ratio(r, f, b), fmt(r.rowsPerSec), fmt(r.mergeCpuUsPerRow, 2), `${fmt(r.bytesPerRow, 1)} (${fmt(r.indexBytesPerRow, 1)})`];
        }),
    },
    {
      title: 'insert-cost: insert settings and chDB rawInsert, v3 table, TabSeparated',
      headers: ['rows per insert', 'variant', 'insert CPU µs/row', '× v3 TSV (same batch)', 'rows/s', 'merge CPU µs/row', 'bytes/row on disk (of which skip indexes)'],
      rows: [...best.values()]
        .filter((r) => r.group === 'setting')
        .map((r) => {
          const b = r.name.split(' | ')[2];
          return [b, r.name.split(' | ')[3], fmt(r.cpuUsPerRow, 2), ratio(r, 'TSV', b), fmt(r.rowsPerSec), fmt(r.mergeCpuUsPerRow, 2), `${fmt(r.bytesPerRow, 1)} (${fmt(r.indexBytesPerRow, 1)})`];
        }),
    },
  ];
  if (queryTable) tables.push(queryTable);
  publish('insert-cost', tables, { total: TOTAL, rounds: ROUNDS, results }, notes);
}

/**
 * The query side of deferring skip indexes: selective lookups over the parts the inserts wrote
 * (merges stopped, so no part has been merged yet), with indexes built at insert vs deferred.
 */
async function unmergedQueries(
  client: ReturnType<typeof openStore>['client'],
  ref: TableRef,
  tsv10: Buffer[],
  columns: [string, ...string[]],
): Promise<Table> {
  const runs = 11;
  const out: (string | number)[][] = [];
  for (const materialize of [1, 0]) {
    await client.command({ query: `TRUNCATE TABLE ${qualified(ref)}` });
    await client.command({ query: `SYSTEM STOP MERGES ${qualified(ref)}` });
    for (const b of tsv10) {
      await client.insert({
        table: qualified(ref), values: Readable.from([b], { objectMode: false }), format: 'TabSeparated', columns,
        clickhouse_settings: { materialize_skip_indexes_on_insert: materialize },
      });
    }
    const lookups: [string, string, (i: number) => string][] = [
      ['body token (hasToken, 1 row)', 'hasToken(Body, {v:String})', (i) => String(1000 + i * 7919)],
      ['LogAttributes[\'order.id\'] = v (1 row)', "LogAttributes['order.id'] = {v:String}", (i) => String(2000 + i * 7907)],
    ];
    for (const [label, where, value] of lookups) {
      const ms: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const rs = await client.query({ query: `SELECT count() AS n FROM ${qualified(ref)} WHERE ${where}`, query_params: { v: value(i) }, format: 'JSONEachRow' });
        const n = Number((await rs.json<{ n: string }>())[0].n);
        ms.push(performance.now() - t0);
        if (n !== 1) throw new Error(`${label}: ${n} rows, expected 1`);
      }
      ms.sort((a, b) => a - b);
      out.push([materialize ? 'built at insert' : 'deferred to merge', label, fmt(ms[runs >> 1], 2)]);
    }
    await client.command({ query: `SYSTEM START MERGES ${qualified(ref)}` });
  }
  return {
    title: `insert-cost: lookups over ${tsv10.length} unmerged 10k-row parts (${fmt(TOTAL)} rows), median of ${runs} ms`,
    headers: ['skip indexes', 'query', 'median ms'],
    rows: out,
  };
}

/** Whether a binary format (RowBinary) survives the client → chDB insert path. */
async function binaryFormatNote(client: ReturnType<typeof openStore>['client'], ref: TableRef): Promise<string> {
  try {
    await client.command({ query: `CREATE TABLE IF NOT EXISTS ${DB}.rb (n UInt64, s String) ENGINE = MergeTree ORDER BY n` });
    // One row: n = 0x0102 (UInt64 LE), s = 'é' + byte 0xff (not valid UTF-8).
    const payload = Buffer.from([0x02, 0x01, 0, 0, 0, 0, 0, 0, 3, 0xc3, 0xa9, 0xff]);
    await client.insert({ table: `${DB}.rb`, values: Readable.from([payload]), format: 'RowBinary' as unknown as 'CSV' }); // not in the client's DataFormat list
    const rows = await (await client.query({ query: `SELECT n, hex(s) AS h FROM ${DB}.rb`, format: 'JSONEachRow' })).json<{ n: string; h: string }>();
    void ref;
    return `RowBinary through @clickhouse/client + chDB: accepted; read back ${JSON.stringify(rows)} (sent n=258, s hex C3A9FF)`;
  } catch (error) {
    return `RowBinary through @clickhouse/client + chDB: rejected: ${(error as Error).message.split('\n')[0].slice(0, 200)}`;
  }
}

if (import.meta.main) await run();
