import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, startTestCollector, tempDir } from '../helpers/collector.ts';
import { countRows, insertRecords } from '../storage/fixtures.ts';

const tmp = tempDir('logq-query-api-');
const TOKEN = 'query-api-test-token';
let c: Awaited<ReturnType<typeof startTestCollector>>;
const now = Date.now();
const TRACE = '0123456789abcdef0123456789abcdef';

beforeAll(async () => {
  c = await startTestCollector(tmp.dir, { authTokens: [TOKEN] });
  await insertRecords(c.store.client, [
    ...Array.from({ length: 45 }, (_, i) => ({
      ts: now - (i % 3 === 0 ? 0 : i) * 1000, // ties on the same timestamp
      severity: i % 2 ? 17 : 9,
      service: i % 3 ? 'api' : 'web',
      body: `request ${i} handled`,
      traceId: i < 4 ? TRACE : '',
      attrs: { 'request.id': i < 6 ? 'req-42' : `other-${i}` },
    })),
  ]);
});
afterAll(async () => {
  await c.stop();
  tmp.cleanup();
});

async function get(path: string, token: string | null = TOKEN): Promise<{ status: number; body: any }> {
  const res = await fetch(c.httpBase + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: await res.json() };
}

describe('GET /api/logs (real collector, real engine)', () => {
  it('needs the ingestion bearer token', async () => {
    expect((await get('/api/logs', null)).status).toBe(401);
    expect((await get('/api/logs', 'wrong')).status).toBe(401);
    expect((await get('/api/logs')).status).toBe(200);
  });

  it('filters with query parameters', async () => {
    const r = await get('/api/logs?service=api&level=ERROR&limit=1000');
    expect(r.status).toBe(200);
    expect(r.body.records.length).toBeGreaterThan(0);
    expect(r.body.records.every((x: any) => x.serviceName === 'api' && x.severityNumber >= 17)).toBe(true);
    expect((await get('/api/logs?grep=request%2012%20handled')).body.records.map((x: any) => x.body)).toEqual(['request 12 handled']);
    expect((await get('/api/logs?attr=request.id%3Dreq-42')).body.records).toHaveLength(6);
  });

  it('pagination returns every row exactly once', async () => {
    const bodies: string[] = [];
    let cursor: string | null = null;
    do {
      const r: { body: any } = await get(`/api/logs?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      bodies.push(...r.body.records.map((x: any) => x.body));
      cursor = r.body.nextCursor;
    } while (cursor);
    expect(bodies).toHaveLength(45);
    expect(new Set(bodies).size).toBe(45);
  });

  it('after=<cursor> returns only newer records, oldest first (live tail)', async () => {
    const newest = (await get('/api/logs?limit=1')).body.records[0];
    expect((await get(`/api/logs?after=${newest.cursor}`)).body.records).toEqual([]);
    await insertRecords(c.store.client, [{ ts: Date.now() + 5000, body: 'tail me', service: 'api' }]);
    expect((await get(`/api/logs?after=${newest.cursor}`)).body.records.map((x: any) => x.body)).toEqual(['tail me']);
  });

  it('answers 400 naming the bad parameter', async () => {
    for (const [q, param] of [
      ['level=LOUD', 'level'],
      ['since=yesterday', 'since'],
      ['limit=0', 'limit'],
      ['limit=abc', 'limit'],
      ['traceId=nothex', 'traceId'],
      ['cursor=garbage', 'cursor'],
      ['bogus=1', 'bogus'],
      ['attr=noequals', 'attr'],
    ]) {
      const r = await get(`/api/logs?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.param, q).toBe(param);
      expect(r.body.code, q).toBe('LOGQ_QUERY_INVALID');
      expect(r.body.error, q).toContain(param);
    }
    expect((await get('/api/logs/histogram?bucket=fast')).body.param).toBe('bucket');
  });

  it("a value carrying SQL matches nothing and changes nothing", async () => {
    const before = await countRows(c.store.client);
    for (const q of ["service=' OR 1=1 --", "requestId=x'; DROP TABLE otel.otel_logs; --", "grep=' OR 1=1 --"]) {
      const r = await get(`/api/logs?${encodeURI(q)}`);
      expect(r.status).toBe(200);
      expect(r.body.records).toEqual([]);
    }
    expect(await countRows(c.store.client)).toBe(before);
  });

  it('the collector keeps ingesting after API queries (read-only stays scoped to each query)', async () => {
    await get('/api/logs?service=api');
    await insertRecords(c.store.client, [{ ts: Date.now(), body: 'still writable' }]);
    expect(await countRows(c.store.client, "Body = 'still writable'")).toBe(1);
  });
});

describe('GET /api/logs/{id} and /api/logs/histogram', () => {
  it('returns every record of a trace id or a request id, oldest first', async () => {
    const byTrace = await get(`/api/logs/${TRACE.toUpperCase()}`);
    expect(byTrace.status).toBe(200);
    // Trace id matches 4 records; records 4 and 5 share request id req-42 but not the trace.
    expect(byTrace.body.records).toHaveLength(4);
    const byRequest = await get('/api/logs/req-42');
    expect(byRequest.body.records).toHaveLength(6);
    const ts = byRequest.body.records.map((x: any) => BigInt(x.timestampNs));
    expect([...ts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(ts);
    expect((await get("/api/logs/'%20OR%201=1%20--")).body.records).toEqual([]);
    expect(await get('/api/logs/%E0%A4%A')).toMatchObject({ status: 400, body: { param: 'id' } });
  });

  it('counts per level per bucket for the explorer histogram', async () => {
    const r = await get('/api/logs/histogram?bucket=1h&service=web');
    expect(r.status).toBe(200);
    expect(r.body.bucketSeconds).toBe(3600);
    const total = r.body.buckets.reduce((n: number, b: any) => n + b.count, 0);
    expect(total).toBe(15);
    expect(r.body.buckets.every((b: any) => ['INFO', 'ERROR'].includes(b.level))).toBe(true);
  });
});

describe('GET /api/services', () => {
  it('lists the services with records matching the filters, busiest first', async () => {
    const truth = async (where: string) =>
      (await queryRows<{ name: string; records: string }>(c, `SELECT ServiceName AS name, count() AS records FROM otel.otel_logs WHERE ${where} GROUP BY name ORDER BY count() DESC, name`))
        .map((r) => ({ name: r.name, records: Number(r.records) }));
    const all = (await get('/api/services')).body;
    expect(all.services).toEqual(await truth('1'));
    expect(all.services.slice(0, 2).map((x: { name: string }) => x.name)).toEqual(['api', 'web']);
    expect((await get('/api/services?level=ERROR')).body.services).toEqual(await truth('SeverityNumber >= 17'));
    expect((await get(`/api/services?until=${now - 50_000}`)).body).toEqual({ services: [] });
  });

  it('needs the token and names a bad parameter', async () => {
    expect((await get('/api/services', null)).status).toBe(401);
    const bad = await get('/api/services?level=LOUD');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'LOGQ_QUERY_INVALID', param: 'level' });
  });
});
