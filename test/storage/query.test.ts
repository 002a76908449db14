import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/storage/client.ts';
import { runReadOnlyQuery } from '../../src/storage/query.ts';
import { tempDir } from '../helpers/collector.ts';

const tmp = tempDir('logq-query-');
let store: Store;
beforeAll(async () => {
  store = openStore({ dataDir: tmp.dir });
  await store.client.command({ query: 'CREATE TABLE default.t (x UInt8) ENGINE = MergeTree ORDER BY x' });
});
afterAll(async () => {
  await store.close();
  tmp.cleanup();
});

describe('runReadOnlyQuery (real engine)', () => {
  it('runs with readonly = 1 and max_execution_time, scoped to that query', async () => {
    const r = await runReadOnlyQuery(
      store.client,
      "SELECT getSetting('readonly') AS ro, getSetting('max_execution_time') AS met, getSetting('use_skip_indexes') AS skip",
      {},
      7,
      { use_skip_indexes: 0 },
    );
    expect(r.rows).toHaveLength(1);
    expect(Number(r.rows[0].ro)).toBe(1);
    expect(Number(r.rows[0].met)).toBe(7);
    expect([0, false, '0']).toContain(r.rows[0].skip);
    // The embedded engine would keep a session-wide readonly forever; the SETTINGS clause does not.
    await store.client.command({ query: 'INSERT INTO default.t VALUES (1)' });
    const rs = await store.client.query({ query: 'SELECT count() AS n FROM default.t', format: 'JSONEachRow' });
    expect(Number((await rs.json<{ n: string }>())[0].n)).toBe(1);
  });

  it('refuses writes and bad setting names', async () => {
    await expect(runReadOnlyQuery(store.client, 'INSERT INTO default.t SELECT 2')).rejects.toThrow(/readonly/i);
    await expect(runReadOnlyQuery(store.client, 'SELECT 1', {}, 5, { 'x; DROP': 1 })).rejects.toThrow(/invalid setting/);
  });
});
