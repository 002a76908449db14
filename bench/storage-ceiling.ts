/**
 * Scenario storage-ceiling: how fast the embedded engine (chDB, the real ClickHouse engine) stores
 * log-shaped rows by itself (`INSERT … SELECT` from numbers(), no client at all) vs logq's writer
 * path (OTLP bytes → decoded request → rows → Native blocks → insert, as the collector does; and the
 * JSONCompactEachRow path it used before), in the same process and run.
 *
 *   npm run bench -- storage-ceiling
 *
 * Env: BENCH_ROWS (default 200000), BENCH_BATCH (rows per insert, default 10000 = the collector's
 * batch).
 */
import { createLogsTableStatements, createDatabaseSql, INSERT_COLUMNS, type TableRef } from '../src/storage/schema.ts';
import { openStore } from '../src/storage/client.ts';
import { LogWriter } from '../src/storage/LogWriter.ts';
import { requestToRows } from '../src/storage/rows.ts';
import { rowsToNative } from '../src/storage/native-format.ts';
import { DEFAULT_RETENTION } from '../src/storage/RetentionPolicy.ts';
import { engineSelectSql, makeRequest, makeRequestBytes } from './lib/log-data.ts';
import { decodeExportLogsRequest } from '../src/otlp/decode-logs.ts';
import { otlpToTabSeparatedBytes } from '../src/storage/otlp-tab-separated.ts';
import { DEFAULT_CONFIG } from '../src/collector/config.ts';
import { otlpToNative } from '../src/collector/wire-native.ts';
import { processCpuSeconds } from './lib/proc.ts';
import { fmt, publish, type Table } from './lib/report.ts';
import { writeChart } from './lib/svg.ts';
import { tempDir } from './lib/temp.ts';

/** Chart labels, in the order the variants run. */
const SHORT = [
  'engine, 1 stmt', 'engine, batched', 'rows→JSON', 'rows→Native', 'wire→JSON (before)', 'wire→rows→Native', 'wire→rows→Native, combined',
  'wire→Native byte pass, combined (now)', 'shipper: blocks→insert', 'wire: fused TSV', 'engine process, 1 stmt', 'wire→Native, engine process, overlapped',
];

interface Variant {
  name: string;
  rowsPerSec: number;
  seconds: number;
  cpuSeconds: number;
  rows: number;
}

export async function run(): Promise<void> {
  const total = Number(process.env.BENCH_ROWS ?? 200_000);
  const batch = Number(process.env.BENCH_BATCH ?? 10_000);
  // Combined inserts (a multiple of `batch`): the collector's --insert-max-rows default.
  const bigBatch = batch * 10;
  const tmp = tempDir('logq-bench-storage-');
  const store = openStore({ dataDir: tmp.dir });
  const client = store.client;
  const ref: TableRef = { database: 'otel', table: 'otel_logs' };
  const results: Variant[] = [];
  try {
    await client.command({ query: createDatabaseSql(ref) });
    for (const query of createLogsTableStatements(DEFAULT_RETENTION, ref)) await client.command({ query });
    const table = '`otel`.`otel_logs`';
    const count = async () =>
      Number((await (await client.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' })).json<{ n: string }>())[0].n);
    const requests = Array.from({ length: Math.ceil(total / batch) }, (_, i) => makeRequest(Math.min(batch, total - i * batch), i * batch));
    const wire = Array.from({ length: Math.ceil(total / batch) }, (_, i) => makeRequestBytes(Math.min(batch, total - i * batch), i * batch));
    const writer = new LogWriter(client, ref, { format: 'TabSeparated' });
    const jsonWriter = new LogWriter(client, ref, { format: 'JSONCompactEachRow' });
    const native = (data: Buffer) => store.insertNative(table, INSERT_COLUMNS, data);
    // What the shipper inserts: Native blocks made at ingest (one per request), combined up to --insert-max-rows.
    const spooled: Buffer[] = [];
    for (let i = 0; i < requests.length; i += bigBatch / batch) {
      spooled.push(Buffer.concat(requests.slice(i, i + bigBatch / batch).map((req) => rowsToNative(requestToRows(req)))));
    }

    const measure = async (name: string, body: () => Promise<void>) => {
      await client.command({ query: `TRUNCATE TABLE ${table}` });
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await body();
      const seconds = (performance.now() - t0) / 1000;
      const c = process.cpuUsage(c0);
      const rows = await count();
      if (rows !== total) throw new Error(`${name}: ${rows} rows landed, expected ${total}`);
      const v = { name, rows, seconds, cpuSeconds: (c.user + c.system) / 1e6, rowsPerSec: rows / seconds };
      process.stderr.write(`storage-ceiling ${name}: ${fmt(v.rowsPerSec)} rows/s\n`);
      results.push(v);
    };
    const columns = INSERT_COLUMNS.join(', ');
    // Warm-up (first insert creates parts, loads codecs).
    await client.command({ query: `INSERT INTO ${table} (${columns}) ${engineSelectSql(batch)}` });
    await writer.write(requestToRows(requests[0]));

    for (let round = 0; round < 2; round++) {
      await measure('engine INSERT … SELECT (one statement)', () =>
        client.command({ query: `INSERT INTO ${table} (${columns}) ${engineSelectSql(total)}` }).then(() => {}),
      );
      await measure(`engine INSERT … SELECT (${fmt(batch)}-row statements)`, async () => {
        for (let i = 0; i < total; i += batch) {
          await client.command({ query: `INSERT INTO ${table} (${columns}) ${engineSelectSql(Math.min(batch, total - i))}` });
        }
      });
      await measure(`logq writer: requestToRows + JSONCompactEachRow insert, the collector before (${fmt(batch)}-row inserts)`, async () => {
        for (const req of requests) await jsonWriter.write(requestToRows(req));
      });
      await measure(`logq writer: requestToRows + rowsToNative + Native insert (${fmt(batch)}-row inserts)`, async () => {
        for (const req of requests) await native(rowsToNative(requestToRows(req)));
      });
      await measure(`from OTLP bytes, the collector before: decode + requestToRows + JSONCompactEachRow (${fmt(batch)}-row inserts)`, async () => {
        for (const buf of wire) await jsonWriter.write(requestToRows(decodeExportLogsRequest(buf)));
      });
      await measure(`from OTLP bytes, the object path: decode + requestToRows + rowsToNative + Native insert (${fmt(batch)}-row inserts)`, async () => {
        for (const buf of wire) await native(rowsToNative(requestToRows(decodeExportLogsRequest(buf))));
      });
      await measure(`from OTLP bytes, the object path with combined inserts: ${fmt(batch)}-row Native batches, ${fmt(bigBatch)}-row inserts`, async () => {
        for (let i = 0; i < wire.length; i += bigBatch / batch) {
          await native(Buffer.concat(wire.slice(i, i + bigBatch / batch).map((buf) => rowsToNative(requestToRows(decodeExportLogsRequest(buf))))));
        }
      });
      await measure(`from OTLP bytes, the collector now: otlpToNative byte pass (validation, limits, redaction) → ${fmt(batch)}-row Native blocks, ${fmt(bigBatch)}-row inserts`, async () => {
        const stats = { droppedAttributes: 0, truncatedValues: 0, redactedValues: 0 };
        for (let i = 0; i < wire.length; i += bigBatch / batch) {
          const blocks = wire.slice(i, i + bigBatch / batch).map((buf) => {
            const out = otlpToNative(buf, DEFAULT_CONFIG, stats);
            if (!out) throw new Error('storage-ceiling: the byte pass declined a bench request');
            return out.chunk.data;
          });
          await native(Buffer.concat(blocks));
        }
      });
      await measure(`logq writer as the shipper runs it: spooled Native blocks → insert (${fmt(bigBatch)}-row inserts; blocks encoded at ingest, before this)`, async () => {
        for (const data of spooled) await native(data);
      });
      await measure(`from OTLP bytes, fused: otlpToTabSeparatedBytes + TabSeparated insert (${fmt(batch)}-row inserts)`, async () => {
        for (const buf of wire) await writer.writeTabSeparated(otlpToTabSeparatedBytes(buf).bytes);
      });
    }
  } finally {
    await store.close();
    tmp.cleanup();
  }
  await runEngineProcess(total, batch, bigBatch, results);
  // Keep the better of the two rounds per variant (machine noise only ever slows a run down).
  const best = new Map<string, Variant>();
  for (const v of results) if (!best.has(v.name) || best.get(v.name)!.rowsPerSec < v.rowsPerSec) best.set(v.name, v);
  const variants = [...best.values()];
  const engine = variants[0];
  const tableOut: Table = {
    title: `storage-ceiling: ${fmt(total)} log rows into otel_logs (embedded chDB), ${fmt(batch)} rows per insert, best of 2 rounds`,
    headers: ['path', 'rows/s', '× engine INSERT…SELECT (target writer ≥ 0.7)', 'process CPU µs/row (engine threads included)'],
    rows: variants.map((v) => [v.name, fmt(v.rowsPerSec), fmt(v.rowsPerSec / engine.rowsPerSec, 2), fmt((v.cpuSeconds * 1e6) / v.rows, 2)]),
  };
  writeChart('storage-ceiling', {
    title: 'Rows stored per second into otel_logs (higher is better)',
    yLabel: 'rows/s',
    series: ['rows/s'],
    groups: variants.map((v, i) => ({ label: SHORT[i] ?? v.name, values: [v.rowsPerSec] })),
  });
  publish('storage-ceiling', [tableOut], { total, batch, results }, [
    '"logq writer" rows start from decoded requests (rows + serialization + insert); "from OTLP bytes" rows start from the wire bytes (decode included), as the collector does.',
    'The last two rows run the engine in a process of its own, as the collector does by default: the byte pass of the next insert overlaps the insert in flight; CPU counts both processes. All ratios are to the first row (the engine in this process).',
  ]);
}

/**
 * The collector as it runs by default (`--embedded-engine process`): chDB in a process of its own,
 * so the byte pass of the next combined insert (here) overlaps the insert in flight (there), one
 * insert at a time as the shipper does. CPU counts both processes.
 */
async function runEngineProcess(total: number, batch: number, bigBatch: number, results: Variant[]): Promise<void> {
  const tmp = tempDir('logq-bench-storage-ep-');
  const store = openStore({ dataDir: tmp.dir, engineProcess: true });
  const ref: TableRef = { database: 'otel', table: 'otel_logs' };
  const table = '`otel`.`otel_logs`';
  const columns = INSERT_COLUMNS.join(', ');
  try {
    await store.client.command({ query: createDatabaseSql(ref) });
    for (const query of createLogsTableStatements(DEFAULT_RETENTION, ref)) await store.client.command({ query });
    await store.client.command({ query: `INSERT INTO ${table} (${columns}) ${engineSelectSql(batch)}` });
    const wire = Array.from({ length: Math.ceil(total / batch) }, (_, i) => makeRequestBytes(Math.min(batch, total - i * batch), i * batch));
    const stats = { droppedAttributes: 0, truncatedValues: 0, redactedValues: 0 };
    const measure = async (name: string, body: () => Promise<void>) => {
      await store.client.command({ query: `TRUNCATE TABLE ${table}` });
      const pid = store.engine!.pid!;
      const e0 = processCpuSeconds(pid);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await body();
      const seconds = (performance.now() - t0) / 1000;
      const c = process.cpuUsage(c0);
      const engineCpu = processCpuSeconds(pid) - e0;
      const rs = await store.client.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' });
      const rows = Number((await rs.json<{ n: string }>())[0].n);
      if (rows !== total) throw new Error(`${name}: ${rows} rows landed, expected ${total}`);
      const v = { name, rows, seconds, cpuSeconds: (c.user + c.system) / 1e6 + engineCpu, rowsPerSec: rows / seconds };
      process.stderr.write(`storage-ceiling ${name}: ${fmt(v.rowsPerSec)} rows/s\n`);
      results.push(v);
    };
    for (let round = 0; round < 2; round++) {
      await measure('engine process: INSERT … SELECT (one statement; the collector\'s default `--embedded-engine process`)', () =>
        store.client.command({ query: `INSERT INTO ${table} (${columns}) ${engineSelectSql(total)}` }).then(() => {}),
      );
      await measure(`from OTLP bytes, the collector as it runs: byte pass here while the engine process inserts the previous ${fmt(bigBatch)} rows (one insert in flight)`, async () => {
        let inFlight: Promise<void> = Promise.resolve();
        for (let i = 0; i < wire.length; i += bigBatch / batch) {
          const blocks = wire.slice(i, i + bigBatch / batch).map((buf) => {
            const out = otlpToNative(buf, DEFAULT_CONFIG, stats);
            if (!out) throw new Error('storage-ceiling: the byte pass declined a bench request');
            return out.chunk.data;
          });
          await inFlight;
          inFlight = store.insertNative(table, INSERT_COLUMNS, Buffer.concat(blocks));
        }
        await inFlight;
      });
    }
  } finally {
    await store.close();
    tmp.cleanup();
  }
}

if (import.meta.main) await run();
