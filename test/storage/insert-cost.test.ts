/**
 * Migrations 4 and 5 on the real engine (chDB): 4 dropped the Resource/Scope attribute bloom
 * filters, 5 restores them (bench/insert-cost.ts found no clear insert gain), so a table ends with
 * the exporter's indexes whichever version it had reached.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/storage/client.ts';
import { engineInfoFromVersion } from '../../src/storage/engine-version.ts';
import { pendingMigrations, RESOURCE_SCOPE_INDEXES } from '../../src/storage/migrations.ts';
import { DEFAULT_RETENTION } from '../../src/storage/RetentionPolicy.ts';
import { createLogsTableSql, ensureSchema } from '../../src/storage/schema.ts';
import { insertRecords } from './fixtures.ts';
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

/** name → `expr TYPE type` of the Resource/Scope attribute indexes of a table. */
async function resourceScopeIndexes(db: string): Promise<Record<string, string>> {
  const r = await rows<{ name: string; expr: string; type_full: string }>(
    `SELECT name, expr, type_full FROM system.data_skipping_indices WHERE database = '${db}' AND table = 'otel_logs' ORDER BY name`,
  );
  return Object.fromEntries(r.filter((i) => (RESOURCE_SCOPE_INDEXES as readonly string[]).includes(i.name)).map((i) => [i.name, `${i.expr} TYPE ${i.type_full}`]));
}

describe('migrations 4 and 5 (real engine)', () => {
  it('a new table ends with the exporter\'s Resource/Scope bloom filters, as migration 1 creates them', async () => {
    await store.client.command({ query: 'CREATE DATABASE IF NOT EXISTS plain' });
    await store.client.command({ query: createLogsTableSql(DEFAULT_RETENTION, { database: 'plain', table: 'otel_logs' }) });
    const expected = await resourceScopeIndexes('plain');
    expect(Object.keys(expected).sort()).toEqual([...RESOURCE_SCOPE_INDEXES].sort());
    expect(await resourceScopeIndexes('otel')).toEqual(expected);
  });

  it('a table migrated to 4 (indexes dropped) gets them back from 5 and keeps its rows', async () => {
    const ref = { database: 'was4', table: 'otel_logs' };
    await ensureSchema(store.client, DEFAULT_RETENTION, ref);
    // Back to the state after migration 4: indexes dropped, version 5 not recorded.
    for (const name of RESOURCE_SCOPE_INDEXES) await store.client.command({ query: `ALTER TABLE was4.otel_logs DROP INDEX ${name}` });
    await store.client.command({ query: 'ALTER TABLE was4.logq_schema_migrations DELETE WHERE version = 5 SETTINGS mutations_sync = 1' });
    await insertRecords(store.client, [{ ts: Date.now(), body: 'kept across migration 5' }], 'was4.otel_logs');
    expect(await resourceScopeIndexes('was4')).toEqual({});
    const r = await ensureSchema(store.client, DEFAULT_RETENTION, ref);
    expect(r.migrationsApplied).toEqual([5]);
    expect(Object.keys(await resourceScopeIndexes('was4')).sort()).toEqual([...RESOURCE_SCOPE_INDEXES].sort());
    const kept = await rows<{ n: string }>("SELECT count() AS n FROM was4.otel_logs WHERE Body = 'kept across migration 5'");
    expect(Number(kept[0].n)).toBe(1);
  });

  it('4 and 5 apply before 26.2 too (the bloom filters exist there as well)', async () => {
    await store.client.command({ query: 'CREATE DATABASE IF NOT EXISTS older' });
    const ref = { database: 'older', table: 'otel_logs' };
    const pending = await pendingMigrations(store.client, { policy: DEFAULT_RETENTION, ref, engine: engineInfoFromVersion('25.8.1') });
    expect(pending.find((m) => m.version === 4)?.statements).toHaveLength(4);
    expect(pending.find((m) => m.version === 5)?.statements).toContain(
      'ALTER TABLE `older`.`otel_logs` ADD INDEX IF NOT EXISTS idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1',
    );
  });
});
