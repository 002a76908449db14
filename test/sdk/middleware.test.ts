import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { currentRequestId, setUser } from '../../src/sdk/context.ts';
import { getLogger } from '../../src/sdk/logger.ts';
import { requestLogging } from '../../src/sdk/middleware/express.ts';
import { fastifyRequestLogging } from '../../src/sdk/middleware/fastify.ts';
import { withRequestLogging } from '../../src/sdk/middleware/node-http.ts';
import { registerInMemory } from './memory-pipeline.ts';

const handle = registerInMemory({ level: 'debug' });
afterAll(() => handle.shutdown());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const appLog = getLogger('app.orders');

/** Exports what is queued, then forgets it, so a test sees only its own records. */
async function clear() {
  await handle.forceFlush();
  handle.exporter.reset();
}

/** The work every app does per request: awaits in between so requests interleave. */
async function work(marker: string): Promise<string | undefined> {
  appLog.info('start', { marker });
  await sleep(Math.random() * 15);
  setUser(`user-${marker}`);
  await new Promise((r) => setImmediate(r));
  appLog.debug('middle', { marker });
  await sleep(Math.random() * 15);
  appLog.info('end', { marker });
  return currentRequestId();
}

function listen(server: Server): Promise<string> {
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

/** Waits (up to 5 s) until `n` access records are there: each is written when its response has finished, after the client may have read it. */
async function accessRecords(n: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while ((await handle.records()).filter((r) => r.instrumentationScope.name === 'logq.request').length < n && Date.now() < deadline) await sleep(10);
}

/** Fires `n` concurrent requests; even ones carry an X-Request-Id, odd ones let the server make one. */
async function fire(base: string, n: number) {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const headers: Record<string, string> = i % 2 === 0 ? { 'x-request-id': `client-${i}` } : {};
      const res = await fetch(`${base}/orders/${i}`, { headers });
      const body = (await res.json()) as { seen: string };
      return { i, header: res.headers.get('x-request-id')!, seen: body.seen };
    }),
  );
}

function assertNoCrossing(records: ReadableLogRecord[], results: { i: number; header: string; seen: string }[]) {
  for (const r of results) {
    if (r.i % 2 === 0) expect(r.header).toBe(`client-${r.i}`);
    else expect(r.header).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.seen).toBe(r.header);
    const mine = records.filter((rec) => rec.attributes.marker === String(r.i));
    expect(mine).toHaveLength(3);
    for (const rec of mine) expect(rec.attributes['request.id']).toBe(r.header);
    // The user id set mid-request is on the records after setUser and on the access record.
    expect(mine[2].attributes['user.id']).toBe(`user-${r.i}`);
    const access = records.filter((rec) => rec.instrumentationScope.name === 'logq.request' && rec.attributes['request.id'] === r.header);
    expect(access).toHaveLength(1);
    expect(access[0].attributes['user.id']).toBe(`user-${r.i}`);
    // One trace per request: all its records share the trace id.
    const traces = new Set([...mine, ...access].map((rec) => rec.spanContext?.traceId));
    expect(traces.size).toBe(1);
  }
  const ids = new Set(results.map((r) => r.header));
  expect(ids.size).toBe(results.length);
}

describe('Express 5 requestLogging', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const app = express();
    app.use(requestLogging());
    app.get('/orders/:id', async (req, res) => {
      res.json({ seen: await work(req.params.id) });
    });
    app.get('/healthz', (_req, res) => void res.send('ok'));
    app.get('/missing', (_req, res) => void res.status(404).send('no'));
    app.get('/boom', () => {
      throw new Error('boom');
    });
    app.get('/secret', (_req, res) => void res.send('ok'));
    server = createServer(app);
    base = await listen(server);
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('50 concurrent requests: request ids, user ids and trace ids never cross requests', async () => {
    await clear();
    const results = await fire(base, 50);
    await accessRecords(50);
    assertNoCrossing(await handle.records(), results);
  });

  it('access record: route pattern, status, duration; 4xx WARN, 5xx ERROR; health checks ignored; no headers logged', async () => {
    await clear();
    await fetch(`${base}/orders/9`, { headers: { authorization: 'Bearer abc', cookie: 'sid=1' } });
    await fetch(`${base}/healthz`);
    await fetch(`${base}/missing?token=x`);
    await fetch(`${base}/boom`);
    await sleep(20);
    const access = (await handle.records()).filter((r) => r.instrumentationScope.name === 'logq.request');
    expect(access.map((r) => [r.attributes['url.path'], r.severityText, r.attributes['http.response.status_code']])).toEqual([
      ['/orders/9', 'INFO', 200],
      ['/missing', 'WARN', 404],
      ['/boom', 'ERROR', 500],
    ]);
    expect(access[0].attributes['http.route']).toBe('/orders/:id');
    expect(access[0].attributes['http.request.method']).toBe('GET');
    expect(typeof access[0].attributes['http.server.duration_ms']).toBe('number');
    const text = JSON.stringify(access.map((r) => [r.body, r.attributes]));
    expect(text).not.toMatch(/Bearer|sid=1|token=x|authorization|cookie/i);
  });

  it("records inside a request carry the incoming traceparent's trace id", async () => {
    await clear();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await fetch(`${base}/orders/77`, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    await sleep(20);
    const recs = (await handle.records()).filter((r) => r.attributes.marker === '77' || r.instrumentationScope.name === 'logq.request');
    expect(recs.length).toBe(4);
    for (const r of recs) {
      expect(r.spanContext?.traceId).toBe(traceId);
      expect(r.spanContext?.spanId).not.toBe('00f067aa0ba902b7'); // this hop's own span id
    }
    await clear();
    await fetch(`${base}/orders/78`, { headers: { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' } });
    await sleep(20);
    const fresh = (await handle.records()).find((r) => r.attributes.marker === '78');
    expect(fresh?.spanContext?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh?.spanContext?.traceId).not.toBe('0'.repeat(32));
  });

  it('an unusable incoming X-Request-Id is replaced by a generated one', async () => {
    const res = await fetch(`${base}/orders/5`, { headers: { 'x-request-id': 'bad id with spaces <script>' } });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('Fastify 5 fastifyRequestLogging', () => {
  const app = Fastify();
  let base: string;
  beforeAll(async () => {
    await app.register(fastifyRequestLogging, {});
    app.get('/orders/:id', async (req) => ({ seen: await work((req.params as { id: string }).id) }));
    app.post('/orders/:id', async (req) => ({ seen: await work((req.params as { id: string }).id), body: req.body }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => app.close());

  it('50 concurrent requests: request ids, user ids and trace ids never cross requests', async () => {
    await clear();
    const results = await fire(base, 50);
    await accessRecords(50);
    const records = await handle.records();
    assertNoCrossing(records, results);
    const access = records.find((r) => r.instrumentationScope.name === 'logq.request');
    expect(access?.attributes['http.route']).toBe('/orders/:id');
  });

  it('keeps the context across body parsing (POST with a JSON body)', async () => {
    await clear();
    const res = await fetch(`${base}/orders/300`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'post-300' },
      body: JSON.stringify({ qty: 2 }),
    });
    expect(((await res.json()) as { seen: string }).seen).toBe('post-300');
    const recs = (await handle.records()).filter((r) => r.attributes.marker === '300');
    expect(recs.map((r) => r.attributes['request.id'])).toEqual(['post-300', 'post-300', 'post-300']);
  });

  it("records carry the incoming traceparent's trace id", async () => {
    await clear();
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    await fetch(`${base}/orders/88`, { headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` } });
    await sleep(20);
    const recs = (await handle.records()).filter((r) => r.attributes.marker === '88');
    expect(recs.length).toBe(3);
    for (const r of recs) expect(r.spanContext?.traceId).toBe(traceId);
  });
});

describe('node:http withRequestLogging', () => {
  it('gives each request its id and writes the access record; a throwing handler answers 500', async () => {
    const server = createServer(
      withRequestLogging(async (req, res) => {
        if (req.url === '/throw') throw new Error('handler bug');
        const seen = await work('h1');
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ seen }));
      }),
    );
    const base = await listen(server);
    await clear();
    const res = await fetch(`${base}/x`, { headers: { 'x-request-id': 'plain-1' } });
    expect(((await res.json()) as { seen: string }).seen).toBe('plain-1');
    expect((await fetch(`${base}/throw`)).status).toBe(500);
    await sleep(20);
    const recs = await handle.records();
    expect(recs.filter((r) => r.attributes.marker === 'h1').every((r) => r.attributes['request.id'] === 'plain-1')).toBe(true);
    const access = recs.filter((r) => r.instrumentationScope.name === 'logq.request');
    expect(access.map((r) => [r.attributes['url.path'], r.attributes['http.response.status_code'], r.severityText])).toEqual([
      ['/x', 200, 'INFO'],
      ['/throw', 500, 'ERROR'],
    ]);
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('outside a request there is no request id and setUser is a no-op', () => {
    expect(currentRequestId()).toBeUndefined();
    expect(setUser('nobody')).toBe(false);
  });
});
