import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/storage/client.ts';
import { QUERY_EXAMPLES } from '../../src/storage/query-examples.ts';
import { parseRetention } from '../../src/storage/RetentionPolicy.ts';
import { ensureSchema } from '../../src/storage/schema.ts';
import { tempDir } from '../helpers/collector.ts';
import { DAY, insertRecords } from './fixtures.ts';

const tmp = tempDir('logq-examples-');
let store: Store;
// Just after today's midnight UTC would make "last hour" cross days; work relative to now.
const now = Date.now();

beforeAll(async () => {
  store = openStore({ dataDir: tmp.dir });
  await ensureSchema(store.client, parseRetention('DEFAULT=30d'));
  await insertRecords(store.client, [
    // Errors in the last hour: api 3, web 1; an old api error is outside the hour.
    ...[0, 1, 2].map((i) => ({ ts: now - i * 60_000, severity: 17, service: 'api', body: `payment ${i} failed` })),
    { ts: now - 5 * 60_000, severity: 17, service: 'web', body: 'render failed' },
    { ts: now - 2 * 3_600_000, severity: 17, service: 'api', body: 'old failure' },
    // One request across two services.
    { ts: now - 3000, severity: 9, service: 'web', body: 'GET /checkout', attrs: { 'request.id': 'req-123' } },
    { ts: now - 2000, severity: 9, service: 'api', body: 'cart loaded', attrs: { 'request.id': 'req-123' } },
    { ts: now - 1000, severity: 13, service: 'api', body: 'slow query', attrs: { 'request.id': 'req-123' } },
    { ts: now - 1000, severity: 9, service: 'api', body: 'other request', attrs: { 'request.id': 'req-999' } },
    // Yesterday, for the per-day volume.
    { ts: now - DAY, severity: 9, service: 'api', body: 'yesterday' },
  ]);
});
afterAll(async () => {
  await store.close();
  tmp.cleanup();
});

async function run(title: string): Promise<Record<string, unknown>[]> {
  const ex = QUERY_EXAMPLES.find((e) => e.title.startsWith(title))!;
  const rs = await store.client.query({ query: ex.sql, format: 'JSONEachRow', clickhouse_settings: { output_format_json_quote_64bit_integers: 0 } });
  return rs.json<Record<string, unknown>>();
}

describe('README query examples (real engine)', () => {
  it('errors by service in the last hour', async () => {
    expect(await run('Errors by service')).toEqual([
      { ServiceName: 'api', errors: 3 },
      { ServiceName: 'web', errors: 1 },
    ]);
  });

  it('everything for one request id, in order', async () => {
    expect((await run('Everything for one request id')).map((r) => [r.ServiceName, r.Body])).toEqual([
      ['web', 'GET /checkout'],
      ['api', 'cart loaded'],
      ['api', 'slow query'],
    ]);
  });

  it('top repeated messages group messages differing only in numbers', async () => {
    const top = await run('Top repeated messages');
    // "today()" is the engine's day: the 3 payment errors are today unless the test runs just after midnight.
    const payments = top.find((r) => r.message === 'payment <n> failed');
    if (new Date(now - 3 * 60_000).getUTCDate() === new Date(now).getUTCDate()) expect(payments).toMatchObject({ times: 3, service: 'api' });
    expect(top.length).toBeGreaterThan(0);
    expect((top[0].times as number) >= (top[top.length - 1].times as number)).toBe(true);
  });

  it('log volume per level per day', async () => {
    const rows = await run('Log volume per level per day');
    const total = rows.reduce((n, r) => n + (r.records as number), 0);
    expect(total).toBe(10);
    expect(new Set(rows.map((r) => r.day)).size).toBeGreaterThanOrEqual(2);
    const byLevel: Record<string, number> = {};
    for (const r of rows) byLevel[r.level as string] = (byLevel[r.level as string] ?? 0) + (r.records as number);
    expect(byLevel).toEqual({ ERROR: 5, INFO: 4, WARN: 1 });
  });
});
