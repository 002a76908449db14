/**
 * The insert-cost changes from bench/insert-cost.ts, on the real engine (chDB): migration 4 drops
 * the Resource/Scope attribute bloom filters, and the collector's sink defers skip indexes to the
 * first merge (materialize_skip_indexes_on_insert = 0) while queries stay correct.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouseSink } from '../../src/collector/clickhouse-sink.ts';
import type { ExportLogsRequestData, LogRecordData } from '../../src/otlp/types.ts';
import { openStore, type Store } from '../../src/storage/client.ts';
import { engineInfoFromVersion } from '../../src/storage/engine-version.ts';
import { filterToSql, parseFilter } from '../../src/storage/LogFilter.ts';
import { pendingMigrations, RESOURCE_SCOPE_INDEXES } from '../../src/storage/migrations.ts';
import { DEFAULT_RETENTION } from '../../src/storage/RetentionPolicy.ts';
import { requestToRows } from '../../src/storage/rows.ts';
import { ensureSchema } from '../../src/storage/schema.ts';
import { tempDir } from '../helpers/collector.ts';

const tmp = tempDir('logq-insert-cost-');
let store: Store;

beforeAll(async () => {
  store = openStore({ dataDir: tmp.dir });
  await ensureSchema(store.client, DEFAULT_RETENTION);
});
afterAll(async () => {
  await store.close();
  tmp.cleanup();
});

async function rows<T>(query: string): Promise<T[]> {
  const rs = await store.client.query({ query, format: 'JSONEachRow' });
  return rs.json<T>();
}

/** `count` records; every 100th body says "deadlock" and carries trace id ab…ab. */
function request(count: number, offset: number): ExportLogsRequestData {
  const now = BigInt(Date.now()) * 1_000_000n;
  const logRecords: LogRecordData[] = [];
  for (let i = 0; i < count; i++) {
    const n = offset + i;
    const rare = n % 100 === 0;
    logRecords.push({
      timeUnixNano: now + BigInt(n),
      observedTimeUnixNano: now + BigInt(n),
      severityNumber: 9,
      severityText: 'INFO',
      body: { stringValue: rare ? `database deadlock ${n}` : `order placed ${n}` },
      attributes: [{ key: 'request.id', value: { stringValue: `req-${n}` } }],
      droppedAttributesCount: 0,
      flags: 0,
      traceId: rare ? new Uint8Array(16).fill(0xab) : new Uint8Array(0),
      spanId: new Uint8Array(0),
      eventName: '',
    });
  }
  return {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }], droppedAttributesCount: 0 },
        scopeLogs: [{ scope: { name: 's', version: '1', attributes: [], droppedAttributesCount: 0 }, logRecords, schemaUrl: '' }],
        schemaUrl: '',
      },
    ],
  };
}

/** Active parts of otel_logs: rows and bytes of skip indexes. */
async function parts(): Promise<{ rows: number; indexBytes: number }[]> {
  const r = await rows<{ rows: string; i: string }>(
    "SELECT rows, secondary_indices_compressed_bytes AS i FROM system.parts WHERE active AND database = 'otel' AND table = 'otel_logs' ORDER BY name",
  );
  return r.map((p) => ({ rows: Number(p.rows), indexBytes: Number(p.i) }));
}

/** Rows logq's own filter finds, and whether the plan names `index`. */
async function find(raw: Record<string, unknown>): Promise<number> {
  const { where, params } = filterToSql(parseFilter(raw));
  const rs = await store.client.query({ query: `SELECT count() AS n FROM otel.otel_logs WHERE ${where}`, query_params: params, format: 'JSONEachRow' });
  return Number((await rs.json<{ n: string }>())[0].n);
}

describe('migration 4 (real engine)', () => {
  it('drops the Resource/Scope attribute bloom filters and keeps the indexes logq queries use', async () => {
    const names = (await rows<{ name: string }>("SELECT name FROM system.data_skipping_indices WHERE database = 'otel' AND table = 'otel_logs'")).map(
      (r) => r.name,
    );
    for (const dropped of RESOURCE_SCOPE_INDEXES) expect(names).not.toContain(dropped);
    expect(names).toEqual(expect.arrayContaining(['idx_body_text', 'idx_trace_id_text', 'idx_log_attr_value_text', 'idx_log_attr_key']));
    const recorded = await rows<{ version: number }>('SELECT version FROM otel.logq_schema_migrations FINAL ORDER BY version');
    expect(recorded.map((r) => Number(r.version))).toContain(4);
  });

  it('applies before 26.2 too (the bloom filters exist there as well)', async () => {
    await store.client.command({ query: 'CREATE DATABASE IF NOT EXISTS older' });
    const ref = { database: 'older', table: 'otel_logs' };
    const pending = await pendingMigrations(store.client, { policy: DEFAULT_RETENTION, ref, engine: engineInfoFromVersion('25.8.1') });
    const m4 = pending.find((m) => m.version === 4);
    expect(m4?.statements).toEqual(RESOURCE_SCOPE_INDEXES.map((n) => `ALTER TABLE \`older\`.\`otel_logs\` DROP INDEX IF EXISTS ${n}`));
  });
});

describe('collector sink defers skip indexes to the first merge (real engine)', () => {
  it('inserted parts carry no skip index; queries find the same rows before and after the merge, which builds the indexes', async () => {
    await store.client.command({ query: 'TRUNCATE TABLE otel.otel_logs' });
    await store.client.command({ query: 'SYSTEM STOP MERGES otel.otel_logs' });
    const sink = createClickHouseSink(store.client);
    await sink(requestToRows(request(3000, 0)), 'batch-a');
    await sink(requestToRows(request(3000, 3000)), 'batch-b');
    const fresh = await parts();
    expect(fresh.map((p) => p.rows)).toEqual([3000, 3000]);
    expect(fresh.map((p) => p.indexBytes)).toEqual([0, 0]);
    const before = [await find({ grep: 'deadlock' }), await find({ traceId: 'ab'.repeat(16) }), await find({ requestId: 'req-4200' })];
    expect(before).toEqual([60, 60, 1]);

    await store.client.command({ query: 'SYSTEM START MERGES otel.otel_logs' });
    await store.client.command({ query: 'OPTIMIZE TABLE otel.otel_logs FINAL' });
    const merged = await parts();
    expect(merged.map((p) => p.rows)).toEqual([6000]);
    expect(merged[0].indexBytes).toBeGreaterThan(0);
    expect([await find({ grep: 'deadlock' }), await find({ traceId: 'ab'.repeat(16) }), await find({ requestId: 'req-4200' })]).toEqual(before);
  });

  it('with deferSkipIndexes: false the insert builds the indexes (the control)', async () => {
    await store.client.command({ query: 'TRUNCATE TABLE otel.otel_logs' });
    await createClickHouseSink(store.client, undefined, { deferSkipIndexes: false })(requestToRows(request(3000, 0)), 'batch-c');
    const p = await parts();
    expect(p).toHaveLength(1);
    expect(p[0].indexBytes).toBeGreaterThan(0);
  });
});
