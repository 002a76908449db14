import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { queryRows, startTestCollector, tempDir } from '../helpers/collector.ts';
import { ROOT, spawnNode } from '../helpers/process.ts';

// Issue 9: the runnable examples in examples/ work as their guides say — each one, run as a
// child process against a live collector, stores its records with request and trace ids.

type Row = { Body: string; SeverityNumber: number; ScopeName: string; TraceId: string; LogAttributes: Record<string, string> };

const tmp = tempDir();
let collector: Awaited<ReturnType<typeof startTestCollector>>;

beforeAll(async () => {
  collector = await startTestCollector(tmp.dir);
});
afterAll(async () => {
  await collector.stop();
  tmp.cleanup();
});

async function rowsOf(service: string, until: (rows: Row[]) => boolean): Promise<Row[]> {
  let rows: Row[] = [];
  for (let i = 0; i < 200; i++) {
    rows = await queryRows<Row>(
      collector,
      `SELECT Body, SeverityNumber, ScopeName, TraceId, LogAttributes FROM otel.otel_logs WHERE ServiceName = {service:String} ORDER BY Timestamp`,
      { service },
    );
    if (until(rows)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return rows;
}

/** Runs a server example, sends two requests (a good one and a bad one), stops it with SIGTERM. */
async function runServerExample(dir: string, service: string): Promise<Row[]> {
  const app = spawnNode([resolve(ROOT, 'examples', dir, 'app.ts')], { LOGQ_ENDPOINT: collector.grpcEndpoint, OTEL_SERVICE_NAME: service, PORT: '0' });
  const port = (await app.waitFor(/listening on (\d+)/))[1];
  const trace = '0af7651916cd43dd8448eb211c80319c';
  const ok = await fetch(`http://127.0.0.1:${port}/orders/42`, { headers: { 'x-request-id': `${dir}-1`, traceparent: `00-${trace}-b7ad6b7169203331-01` } });
  expect(ok.status).toBe(200);
  expect((await fetch(`http://127.0.0.1:${port}/orders/0`, { headers: { 'x-request-id': `${dir}-2` } })).status).toBe(400);
  app.child.kill('SIGTERM');
  expect(await app.exited, app.stderr()).toBe(0);
  const rows = await rowsOf(service, (r) => r.some((x) => x.Body === 'loading order') && r.some((x) => x.LogAttributes['exception.type'] === 'RangeError') && r.filter((x) => x.ScopeName === 'logq.request').length >= 2);
  const loading = rows.find((r) => r.Body === 'loading order' && r.LogAttributes['request.id'] === `${dir}-1`)!;
  expect(loading, JSON.stringify(rows, null, 1)).toBeDefined();
  expect(loading.LogAttributes.orderId).toBe('42');
  expect(loading.TraceId).toBe(trace);
  const failed = rows.find((r) => r.LogAttributes['exception.type'] === 'RangeError')!;
  expect(failed.LogAttributes['exception.message']).toBe('order id must be positive');
  expect(failed.LogAttributes['request.id']).toBe(`${dir}-2`);
  return rows;
}

describe('examples/', () => {
  it('express-pino: Express + pino through logq/pino', async () => {
    const rows = await runServerExample('express-pino', 'ex-express');
    expect(rows.find((r) => r.Body === 'loading order')!.ScopeName).toBe('shop');
  });

  it("fastify-pino: Fastify's built-in pino through logq/pino", async () => {
    const rows = await runServerExample('fastify-pino', 'ex-fastify');
    expect(rows.some((r) => r.Body === 'incoming request' && r.LogAttributes['request.id'] === 'fastify-pino-1')).toBe(true);
  });

  it('winston: LogqTransport next to the console transport', async () => {
    const rows = await runServerExample('winston', 'ex-winston');
    expect(rows.find((r) => r.Body === 'loading order')!.LogAttributes.component).toBe('shop');
  });

  it('pino-instrumentation: @opentelemetry/instrumentation-pino into logq', async () => {
    const app = spawnNode([resolve(ROOT, 'examples/pino-instrumentation/app.ts')], { LOGQ_ENDPOINT: collector.grpcEndpoint, OTEL_SERVICE_NAME: 'ex-instr' });
    expect(await app.exited, app.stderr()).toBe(0);
    // pino's own destination (stdout) still gets the lines.
    expect(app.stdout()).toMatch(/"msg":"order placed"/);
    const rows = await rowsOf('ex-instr', (r) => r.length >= 2);
    expect(rows.map((r) => [r.Body, r.SeverityNumber])).toEqual([
      ['order placed', 9],
      ['payment failed', 17],
    ]);
  });
});
