import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/storage/client.ts';
import { planClean, runClean } from '../../src/storage/clean.ts';
import { DEFAULT_RETENTION } from '../../src/storage/RetentionPolicy.ts';
import { ensureSchema } from '../../src/storage/schema.ts';
import { tempDir } from '../helpers/collector.ts';
import { countRows, DAY, insertRecords } from './fixtures.ts';

const tmp = tempDir('logq-clean-');
let store: Store;
const now = Date.now();

beforeAll(async () => {
  store = openStore({ dataDir: tmp.dir });
  // Long retention so the engine's TTL does not drop the old test rows at insert.
  await ensureSchema(store.client, { ...DEFAULT_RETENTION, DEBUG: 400, TRACE: 400, INFO: 400, WARN: 400, ERROR: 400, FATAL: 400 });
});
afterAll(async () => {
  await store.close();
  tmp.cleanup();
});

async function reset(): Promise<void> {
  await store.client.command({ query: 'TRUNCATE TABLE otel.otel_logs' });
  const old = now - 40 * DAY;
  await insertRecords(store.client, [
    // Day -40: a partition of DEBUG+INFO+WARN rows for api, one of ERROR rows.
    ...Array.from({ length: 5 }, (_, i) => ({ ts: old + i, severity: 5, service: 'api' })),
    ...Array.from({ length: 4 }, (_, i) => ({ ts: old + i, severity: 9, service: 'api' })),
    ...Array.from({ length: 3 }, (_, i) => ({ ts: old + i, severity: 13, service: 'api' })),
    ...Array.from({ length: 2 }, (_, i) => ({ ts: old + i, severity: 17, service: 'worker' })),
    ...Array.from({ length: 3 }, (_, i) => ({ ts: old - 5 * DAY + i, severity: 9, service: 'worker' })),
    // Recent rows are never cleaned by --days 30.
    ...Array.from({ length: 6 }, (_, i) => ({ ts: now - DAY + i, severity: 5, service: 'api' })),
  ]);
}

describe('logq clean (real engine)', () => {
  it('dry run deletes nothing and counts exactly what a real run deletes', async () => {
    await reset();
    const before = await countRows(store.client);
    const plan = await planClean(store.client, { days: 30, nowMs: now });
    expect(await countRows(store.client)).toBe(before);
    expect(plan.rows).toBe(17);
    expect(plan.partitions.length).toBeGreaterThan(0);
    const done = await runClean(store.client, { days: 30, nowMs: now });
    expect(done.rows).toBe(plan.rows);
    expect(before - (await countRows(store.client))).toBe(plan.rows);
    expect(await countRows(store.client)).toBe(6);
  });

  it('--level INFO removes INFO and below and leaves WARN and above alone', async () => {
    await reset();
    const warnUp = await countRows(store.client, 'SeverityNumber >= 13');
    const plan = await planClean(store.client, { days: 30, level: 'INFO', nowMs: now });
    expect(plan.rows).toBe(5 + 4 + 3);
    const progress: number[] = [];
    await runClean(store.client, { days: 30, level: 'INFO', nowMs: now }, (p) => progress.push(p.done));
    expect(progress).toEqual(plan.partitions.map((_, i) => i + 1));
    expect(await countRows(store.client, 'SeverityNumber >= 13')).toBe(warnUp);
    expect(await countRows(store.client, `SeverityNumber <= 12 AND Timestamp < now() - INTERVAL 30 DAY`)).toBe(0);
    expect(await countRows(store.client, 'SeverityNumber <= 12')).toBe(6);
  });

  it('drops partitions that qualify whole and deletes rows from the others', async () => {
    await reset();
    const plan = await planClean(store.client, { days: 30, service: 'worker', nowMs: now });
    expect(plan.rows).toBe(5);
    const actions = plan.partitions.map((p) => p.action).sort();
    // The day -45 worker partition is all worker rows → drop; day -40 mixes api and worker → delete.
    expect(actions).toContain('drop');
    expect(actions).toContain('delete');
    await runClean(store.client, { days: 30, service: 'worker', nowMs: now });
    expect(await countRows(store.client, "ServiceName = 'worker'")).toBe(0);
    expect(await countRows(store.client, "ServiceName = 'api'")).toBe(18);
  });

  it('a service value carrying SQL matches nothing and removes nothing', async () => {
    await reset();
    const before = await countRows(store.client);
    const plan = await runClean(store.client, { days: 30, service: "' OR 1=1 --", nowMs: now });
    expect(plan.rows).toBe(0);
    expect(await countRows(store.client)).toBe(before);
  });
});
