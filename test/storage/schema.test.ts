import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/storage/client.ts';
import { engineInfoFromVersion } from '../../src/storage/engine-version.ts';
import { filterToSql, parseFilter } from '../../src/storage/LogFilter.ts';
import { MIGRATIONS, pendingMigrations } from '../../src/storage/migrations.ts';
import { retentionReport, setRetention, EXISTING_ROWS_NOTE } from '../../src/storage/retention-admin.ts';
import { DEFAULT_RETENTION, parseRetention } from '../../src/storage/RetentionPolicy.ts';
import { alterRetentionStatements, createLogsTableSql, createLogsTableStatements, ensureSchema } from '../../src/storage/schema.ts';
import { tempDir } from '../helpers/collector.ts';
import { countRows, DAY, insertRecords } from './fixtures.ts';

const tmp = tempDir('logq-schema-');
let store: Store;

beforeAll(() => {
  store = openStore({ dataDir: tmp.dir });
});
afterAll(async () => {
  await store.close();
  tmp.cleanup();
});

async function rows<T>(query: string): Promise<T[]> {
  const rs = await store.client.query({ query, format: 'JSONEachRow' });
  return rs.json<T>();
}

describe('DDL generators (unit)', () => {
  it('picks the text index from 26.2 on', () => {
    expect(engineInfoFromVersion('26.7.2.1').textIndex).toBe(true);
    expect(engineInfoFromVersion('26.2.1').textIndex).toBe(true);
    expect(engineInfoFromVersion('26.1.9').textIndex).toBe(false);
    expect(engineInfoFromVersion('25.12.1').textIndex).toBe(false);
    expect(engineInfoFromVersion('27.1').textIndex).toBe(true);
  });

  it('DEFAULT covers the levels a spec does not name', () => {
    expect(parseRetention('INFO=7d,DEFAULT=20d')).toEqual({ TRACE: 20, DEBUG: 20, INFO: 7, WARN: 20, ERROR: 20, FATAL: 20 });
    expect(parseRetention('ERROR=30d', { ...DEFAULT_RETENTION })).toEqual({ ...DEFAULT_RETENTION, ERROR: 30 });
    expect(() => parseRetention('NOPE=3d')).toThrow(/unknown level "NOPE".*or DEFAULT/);
  });

  it('retention ALTER changes the DEFAULT and the recorded policy', () => {
    const [sql] = alterRetentionStatements(parseRetention('DEFAULT=5d,ERROR=30d'));
    expect(sql).toBe(
      'ALTER TABLE `otel`.`otel_logs` MODIFY COLUMN RetentionDays UInt16 DEFAULT toUInt16(multiIf(SeverityNumber = 0, 5, ' +
        'SeverityNumber <= 4, 5, SeverityNumber <= 8, 5, SeverityNumber <= 12, 5, SeverityNumber <= 16, 5, SeverityNumber <= 20, 30, 5)) ' +
        "COMMENT 'logq retention TRACE=5d,DEBUG=5d,INFO=5d,WARN=5d,ERROR=30d,FATAL=5d'",
    );
  });

  it('cluster mode: ON CLUSTER, ReplicatedMergeTree local table, Distributed table (snapshot)', () => {
    const ref = { database: 'otel', table: 'otel_logs' };
    const ctx = { policy: DEFAULT_RETENTION, ref, cluster: 'logs', engine: engineInfoFromVersion('26.7.2.1') };
    const ddl = [
      ...createLogsTableStatements(DEFAULT_RETENTION, ref, 'logs'),
      ...MIGRATIONS[1].statements(ctx),
      ...MIGRATIONS[2].statements(ctx),
      ...alterRetentionStatements(DEFAULT_RETENTION, ref, 'logs'),
    ];
    expect(ddl.join(';\n\n')).toMatchSnapshot();
    expect(ddl[0]).toContain("ON CLUSTER `logs`");
    expect(ddl[0]).toContain("ReplicatedMergeTree('/clickhouse/tables/{shard}/otel/otel_logs_local', '{replica}')");
    expect(ddl[1]).toMatch(/^CREATE TABLE IF NOT EXISTS `otel`.`otel_logs` ON CLUSTER `logs` AS `otel`.`otel_logs_local`\nENGINE = Distributed\('logs', 'otel', 'otel_logs_local', rand\(\)\)$/);
  });
});

describe('migrations (real engine)', () => {
  it('apply at start-up, are recorded, and are idempotent', async () => {
    const first = await ensureSchema(store.client, DEFAULT_RETENTION);
    expect(first.created).toBe(true);
    expect(first.migrationsApplied).toEqual([1, 2, 3, 4, 5]);
    expect(first.engine?.textIndex).toBe(true);
    const second = await ensureSchema(store.client, DEFAULT_RETENTION);
    expect(second).toMatchObject({ created: false, retentionChanged: false, migrationsApplied: [] });
    const recorded = await rows<{ version: number }>('SELECT version FROM otel.logq_schema_migrations FINAL ORDER BY version');
    expect(recorded.map((r) => Number(r.version))).toEqual([1, 2, 3, 4, 5]);
    const idx = await rows<{ name: string; type: string }>(
      "SELECT name, type FROM system.data_skipping_indices WHERE database = 'otel' AND table = 'otel_logs' AND name IN ('idx_body', 'idx_body_text', 'idx_trace_id', 'idx_trace_id_text', 'idx_log_attr_value', 'idx_log_attr_value_text') ORDER BY name",
    );
    expect(idx).toEqual([
      { name: 'idx_body_text', type: 'text' },
      { name: 'idx_log_attr_value_text', type: 'text' },
      { name: 'idx_trace_id_text', type: 'text' },
    ]);
  });

  it('upgrade a table the walking skeleton created, keeping its rows', async () => {
    const ref = { database: 'legacy', table: 'otel_logs' };
    await store.client.command({ query: 'CREATE DATABASE IF NOT EXISTS legacy' });
    await store.client.command({ query: createLogsTableSql(DEFAULT_RETENTION, ref) });
    await insertRecords(store.client, [{ ts: Date.now(), body: 'kept across migration' }], 'legacy.otel_logs');
    const r = await ensureSchema(store.client, DEFAULT_RETENTION, ref);
    expect(r).toMatchObject({ created: false, migrationsApplied: [1, 2, 3, 4, 5] });
    const found = await rows<{ n: string }>("SELECT count() AS n FROM legacy.otel_logs WHERE hasToken(Body, 'migration')");
    expect(Number(found[0].n)).toBe(1);
  });

  it('before 26.2 the bloom filters stay (no index statements); --dry-run lists pending DDL', async () => {
    const ref = { database: 'older', table: 'otel_logs' };
    await store.client.command({ query: 'CREATE DATABASE IF NOT EXISTS older' });
    const pending = await pendingMigrations(store.client, { policy: DEFAULT_RETENTION, ref, engine: engineInfoFromVersion('25.8.1') });
    expect(pending.map((m) => m.version)).toEqual([1, 2, 3, 4, 5]);
    expect(pending[0].statements[0]).toContain('TYPE tokenbf_v1');
    expect(pending[1].statements).toEqual([]);
    expect(pending[2].statements).toEqual([]);
  });

  it('body search, trace-id and attribute lookups use the text indexes', async () => {
    await insertRecords(store.client, [{ ts: Date.now(), body: 'payment failed', traceId: 'cd'.repeat(16) }]);
    const expected: [Record<string, unknown>, RegExp][] = [
      [{ grep: 'payment failed' }, /Name: idx_body_text/],
      [{ traceId: 'ab'.repeat(16) }, /Name: idx_trace_id_text/],
      [{ requestId: 'req-1' }, /Name: idx_log_attr_value_text/],
      [{ attr: ['http.route=/a'] }, /Name: idx_log_attr_value_text/],
    ];
    for (const [raw, index] of expected) {
      const { where, params } = filterToSql(parseFilter(raw));
      const rs = await store.client.query({
        query: `EXPLAIN indexes = 1 SELECT count() FROM otel.otel_logs WHERE ${where}`,
        query_params: params,
        format: 'JSONEachRow',
      });
      const plan = (await rs.json<{ explain: string }>()).map((r) => r.explain).join('\n');
      expect(plan, plan).toMatch(index);
    }
  });
});

describe('retention set / show (real engine)', () => {
  it('new rows follow the new policy; stored rows keep the retention they were written with', async () => {
    const old = Date.now() - 8 * DAY;
    // INFO keeps 10 days: an 8-day-old INFO row is stored with RetentionDays 10.
    await insertRecords(store.client, [{ ts: old, severity: 9, body: 'before change' }]);
    const change = await setRetention(store.client, ['INFO=7d', 'DEFAULT=20d']);
    expect(change.before).toEqual(DEFAULT_RETENTION);
    expect(change.after).toEqual({ TRACE: 20, DEBUG: 20, INFO: 7, WARN: 20, ERROR: 20, FATAL: 20 });
    expect(change.statements).toHaveLength(1);
    await insertRecords(store.client, [
      { ts: old, severity: 9, body: 'after change' },
      { ts: Date.now(), severity: 9, body: 'fresh info' },
      { ts: Date.now(), severity: 5, body: 'fresh debug' },
    ]);
    await store.client.command({ query: 'OPTIMIZE TABLE otel.otel_logs FINAL' });
    // The 8-day-old row written under INFO=7d has expired; the one written under INFO=10d is kept.
    expect(await countRows(store.client, "Body = 'after change'")).toBe(0);
    expect(await countRows(store.client, "Body = 'before change'")).toBe(1);
    const byBody = await rows<{ Body: string; RetentionDays: number }>(
      "SELECT Body, RetentionDays FROM otel.otel_logs WHERE Body IN ('before change', 'fresh info', 'fresh debug') ORDER BY Body",
    );
    expect(byBody).toEqual([
      { Body: 'before change', RetentionDays: 10 },
      { Body: 'fresh debug', RetentionDays: 20 },
      { Body: 'fresh info', RetentionDays: 7 },
    ]);
    const report = await retentionReport(store.client);
    const info = report.levels.find((l) => l.level === 'INFO')!;
    expect(info).toMatchObject({ policyDays: 7, rows: 3, storedRetentionDays: [7, 10] });
    expect(info.bytes).toBeGreaterThan(0);
    expect(info.oldest).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(report.levels.find((l) => l.level === 'DEBUG')).toMatchObject({ policyDays: 20, rows: 1 });
    // The collector's start-up sees the table's policy as changed from its own and says so.
    const again = await ensureSchema(store.client, change.after);
    expect(again.retentionChanged).toBe(false);
    expect(EXISTING_ROWS_NOTE).toMatch(/keep the retention they were written with/);
  });
});
