import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { queryRows, startTestCollector, tempDir } from '../helpers/collector.ts';
import { spawnNode } from '../helpers/process.ts';

// Issue 9: a real Fastify app (child process) whose built-in pino logger uses the `logq/pino`
// transport and logqPinoMixin; requests carry x-request-id and traceparent; after SIGTERM every
// record is in the store with request and trace ids.

type Row = { Body: string; SeverityNumber: number; ScopeName: string; ServiceName: string; TraceId: string; SpanId: string; LogAttributes: Record<string, string> };

const APP = resolve(import.meta.dirname, 'fixtures/fastify-app.ts');
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const tmp = tempDir();
let collector: Awaited<ReturnType<typeof startTestCollector>>;
let rows: Row[];

beforeAll(async () => {
  collector = await startTestCollector(tmp.dir);
  const app = spawnNode([APP], { LOGQ_ENDPOINT: collector.grpcEndpoint, RUN: 'fastify' });
  const port = Number((await app.waitFor(/listening (\d+)/))[1]);
  const base = `http://127.0.0.1:${port}`;
  const ok = await fetch(`${base}/orders/42`, { headers: { 'x-request-id': 'req-f1', traceparent: `00-${TRACE}-b7ad6b7169203331-01` } });
  expect(ok.status).toBe(200);
  expect(ok.headers.get('x-request-id')).toBe('req-f1');
  const fail = await fetch(`${base}/fail`, { headers: { 'x-request-id': 'req-f2' } });
  expect(fail.status).toBe(500);
  app.child.kill('SIGTERM');
  expect(await app.exited, app.stderr()).toBe(0);
  let complete = false;
  for (let i = 0; i < 200 && !complete; i++) {
    rows = await queryRows<Row>(
      collector,
      `SELECT Body, SeverityNumber, ScopeName, ServiceName, TraceId, SpanId, LogAttributes FROM otel.otel_logs
       WHERE LogAttributes['run'] = 'fastify' OR ResourceAttributes['run'] = 'fastify' ORDER BY Timestamp`,
    );
    // Every record the tests read (they may land in separate inserts: wait for each, not a count).
    const has = (f: (r: Row) => boolean) => rows.some(f);
    const fastify = (r: Row) => r.ScopeName === 'fastify';
    if (
      has((r) => r.Body === 'loading order') &&
      has((r) => fastify(r) && r.LogAttributes['request.id'] === 'req-f1' && r.Body === 'incoming request') &&
      has((r) => fastify(r) && r.LogAttributes['request.id'] === 'req-f1' && r.Body === 'request completed') &&
      has((r) => fastify(r) && r.SeverityNumber === 17) &&
      has((r) => r.ScopeName === 'logq.request' && r.LogAttributes['request.id'] === 'req-f1')
    ) {
      complete = true;
      break;
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  // Say what is missing (and what the app said) rather than fail later on an undefined row.
  expect(complete, `rows landed: ${JSON.stringify(rows.map((r) => [r.ScopeName, r.SeverityNumber, r.Body]))}\napp stderr: ${app.stderr()}`).toBe(true);
});
afterAll(async () => {
  await collector.stop();
  tmp.cleanup();
});

describe("Fastify's pino logger through logq/pino", () => {
  it("stores the handler's record with request id, trace id and bindings", () => {
    const r = rows.find((x) => x.Body === 'loading order')!;
    expect(r.ScopeName).toBe('fastify');
    expect(r.ServiceName).toBe('fastify-app');
    expect(r.SeverityNumber).toBe(9);
    expect(r.LogAttributes).toMatchObject({ run: 'fastify', 'request.id': 'req-f1', orderId: '42' });
    // The incoming trace continues: same trace id, a span id of this hop.
    expect(r.TraceId).toBe(TRACE);
    expect(r.SpanId).toMatch(/^[0-9a-f]{16}$/);
  });

  it("stores Fastify's own request records (incoming, completed) with the request id", () => {
    const own = rows.filter((x) => x.ScopeName === 'fastify' && x.LogAttributes['request.id'] === 'req-f1');
    expect(own.map((x) => x.Body)).toEqual(expect.arrayContaining(['incoming request', 'request completed']));
    const incoming = own.find((x) => x.Body === 'incoming request')!;
    expect(incoming.LogAttributes['req.url']).toBe('/orders/42');
    expect(own.find((x) => x.Body === 'request completed')!.LogAttributes['res.statusCode']).toBe('200');
  });

  it('maps the error of a failed request to ERROR with exception.*', () => {
    const r = rows.find((x) => x.ScopeName === 'fastify' && x.SeverityNumber === 17)!;
    expect(r.Body).toBe('db down');
    expect(r.LogAttributes['request.id']).toBe('req-f2');
    expect(r.LogAttributes['exception.type']).toBe('Error');
    expect(r.LogAttributes['exception.message']).toBe('db down');
    expect(r.LogAttributes['exception.stacktrace']).toMatch(/^Error: db down\n/);
    expect(r.LogAttributes['err.code']).toBe('E_DB');
  });

  it("lands beside logq's own access record of the same request (same request id and trace)", () => {
    const access = rows.find((x) => x.ScopeName === 'logq.request' && x.LogAttributes['request.id'] === 'req-f1')!;
    expect(access).toBeDefined();
    expect(access.TraceId).toBe(TRACE);
  });
});
