import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/storage/client.ts';
import { logHistogram } from '../../src/storage/histogram.ts';
import { filterToSql, FilterError, parseFilter } from '../../src/storage/LogFilter.ts';
import { LogFollower } from '../../src/storage/LogFollower.ts';
import { DEFAULT_RETENTION } from '../../src/storage/RetentionPolicy.ts';
import { ensureSchema } from '../../src/storage/schema.ts';
import { searchLogs } from '../../src/storage/search.ts';
import { tempDir } from '../helpers/collector.ts';
import { countRows, insertRecords } from './fixtures.ts';

const tmp = tempDir('logq-search-');
let store: Store;
const now = Date.now();
const TRACE = 'aa'.repeat(16);

beforeAll(async () => {
  store = openStore({ dataDir: tmp.dir });
  await ensureSchema(store.client, DEFAULT_RETENTION);
  await insertRecords(store.client, [
    // 250 records, 50 of them sharing one timestamp so ties cross page boundaries.
    ...Array.from({ length: 250 }, (_, i) => ({
      ts: i < 50 ? now - 60_000 : now - 120_000 - i * 1000,
      severity: [5, 9, 13, 17][i % 4],
      service: i % 2 ? 'api' : 'worker',
      body: `order ${i} placed for customer-${i % 7}`,
      traceId: i % 10 === 0 ? TRACE : ('0'.repeat(28) + i.toString(16).padStart(4, '0')),
      attrs: { 'request.id': `req-${i % 25}`, 'user.id': `user-${i % 3}`, 'http.route': i % 5 ? '/a' : '/b' },
    })),
  ]);
});
afterAll(async () => {
  await store.close();
  tmp.cleanup();
});

const search = (raw: Parameters<typeof parseFilter>[0], limit = 1000) => searchLogs(store.client, parseFilter(raw, now), { limit });

describe('filters (real engine)', () => {
  it('each filter narrows as documented', async () => {
    expect((await search({ service: 'api' })).records).toHaveLength(125);
    expect((await search({ level: 'WARN' })).records.every((r) => r.severityNumber >= 13)).toBe(true);
    expect((await search({ level: 'warning' })).records).toHaveLength(124);
    expect((await search({ traceId: TRACE.toUpperCase() })).records).toHaveLength(25);
    expect((await search({ requestId: 'req-3' })).records).toHaveLength(10);
    expect((await search({ user: 'user-1' })).records.every((r) => r.logAttributes['user.id'] === 'user-1')).toBe(true);
    expect((await search({ attr: ['http.route=/b'] })).records).toHaveLength(50);
    expect((await search({ since: '90s' })).records).toHaveLength(50);
    expect((await search({ until: '90s' })).records).toHaveLength(200);
    const grep = (await search({ grep: 'customer-3' })).records;
    expect(grep.length).toBeGreaterThan(0);
    expect(grep.every((r) => r.body.includes('customer-3'))).toBe(true);
    expect((await search({ grep: 'order 17 placed' })).records.map((r) => r.body)).toEqual(['order 17 placed for customer-3']);
    expect((await search({ service: 'api', level: 'ERROR', requestId: 'req-1' })).records.every(
      (r) => r.serviceName === 'api' && r.severityNumber >= 17 && r.logAttributes['request.id'] === 'req-1',
    )).toBe(true);
  });

  it('rejects bad values with an error naming the parameter', () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ level: 'LOUD' }, 'level'],
      [{ since: 'yesterday' }, 'since'],
      [{ traceId: 'xyz' }, 'traceId'],
      [{ attr: ['novalue'] }, 'attr'],
      [{ service: '' }, 'service'],
    ];
    for (const [raw, param] of bad) {
      try {
        parseFilter(raw);
        expect.unreachable(`${param} accepted`);
      } catch (e) {
        expect(e).toBeInstanceOf(FilterError);
        expect((e as FilterError).param).toBe(param);
        expect((e as Error).message).toMatch(new RegExp(`^${param}:`));
      }
    }
  });

  it("a value carrying SQL (' OR 1=1 --) is bound, matches nothing and runs no extra statement", async () => {
    const evil = "' OR 1=1 --";
    const drop = "x'; DROP TABLE otel.otel_logs; --";
    for (const raw of [{ service: evil }, { requestId: evil }, { user: drop }, { grep: evil }, { attr: [`k=${drop}`] }, { attr: [`${evil}=v`] }]) {
      const f = parseFilter(raw);
      const sql = filterToSql(f);
      expect(sql.where).not.toContain('OR 1=1');
      expect(sql.where).not.toContain('DROP');
      expect((await searchLogs(store.client, f)).records).toHaveLength(0);
    }
    expect(await countRows(store.client)).toBe(250);
  });
});

describe('pagination', () => {
  it('returns every row exactly once, newest first, across ties at page edges', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await searchLogs(store.client, {}, { limit: 7, cursor });
      seen.push(...page.records.map((r) => r.body));
      for (let i = 1; i < page.records.length; i++) {
        expect(BigInt(page.records[i - 1].timestampNs) >= BigInt(page.records[i].timestampNs)).toBe(true);
      }
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil(250 / 7));
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
  });
});

describe('follow and histogram', () => {
  it('the follower returns records inserted after it started, once', async () => {
    const follower = LogFollower.forStore(store.client, parseFilter({ service: 'tailme' }));
    expect(await follower.poll()).toEqual([]);
    await insertRecords(store.client, [{ ts: Date.now(), service: 'tailme', body: 'first new' }]);
    expect((await follower.poll()).map((r) => r.body)).toEqual(['first new']);
    await insertRecords(store.client, [{ ts: Date.now(), service: 'tailme', body: 'second new' }, { ts: Date.now(), service: 'other' }]);
    expect((await follower.poll()).map((r) => r.body)).toEqual(['second new']);
    expect(await follower.poll()).toEqual([]);
  });

  it('counts records per level per bucket', async () => {
    const buckets = await logHistogram(store.client, parseFilter({ service: 'api' }, now), 3600);
    const total = buckets.reduce((n, b) => n + b.count, 0);
    expect(total).toBe(125);
    expect(new Set(buckets.map((b) => b.level))).toEqual(new Set(['INFO', 'ERROR']));
  });
});
