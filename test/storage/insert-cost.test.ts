/**
 * Migration 4 (from bench/insert-cost.ts) on the real engine (chDB): it drops the Resource/Scope
 * attribute bloom filters, keeps the indexes logq's queries use, and those queries still use them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/storage/client.ts';
import { engineInfoFromVersion } from '../../src/storage/engine-version.ts';
import { pendingMigrations, RESOURCE_SCOPE_INDEXES } from '../../src/storage/migrations.ts';
import { DEFAULT_RETENTION } from '../../src/storage/RetentionPolicy.ts';
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
