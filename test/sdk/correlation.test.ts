import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, describe, expect, it } from 'vitest';
import { currentRequestId, setUser } from '../../src/sdk/context.ts';
import { getLogger } from '../../src/sdk/logger.ts';
import { withRequestLogging } from '../../src/sdk/middleware/node-http.ts';
import { parseTraceparent } from '../../src/sdk/trace-context.ts';
import { withLogContext } from '../../src/sdk/wrappers.ts';
import { registerInMemory } from './memory-pipeline.ts';

const handle = registerInMemory();
afterAll(() => handle.shutdown());
const log = getLogger('corr');

async function fresh() {
  await handle.forceFlush();
  handle.exporter.reset();
}

describe('correlation', () => {
  it('an active span of a tracing SDK wins over the incoming traceparent', async () => {
    await fresh();
    const provider = new TracerProvider();
    const tracer = provider.getTracer('test');
    let server: Server | undefined;
    let expected: { traceId: string; spanId: string } | undefined;
    const handler = withRequestLogging((_req, res) => {
      log.info('inside handler');
      res.end('ok');
    });
    // The tracing instrumentation would start the server span before our middleware runs.
    server = createServer((req, res) =>
      tracer.startActiveSpan('GET /', (span) => {
        expected = { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
        handler(req, res);
        res.on('finish', () => span.end());
      }),
    );
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    await fetch(`http://127.0.0.1:${port}/`, { headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } });
    await new Promise<void>((r) => server!.close(() => r()));
    const rec = (await handle.records()).find((r) => r.body === 'inside handler');
    expect(rec?.spanContext?.traceId).toBe(expected?.traceId);
    expect(rec?.spanContext?.spanId).toBe(expected?.spanId);
    expect(rec?.spanContext?.traceId).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('withLogContext: start/completion records, attributes on every inner record, sync and async', async () => {
    await fresh();
    const value = withLogContext('nightly-import', () => {
      log.info('sync inner');
      return 42;
    }, { batch: { id: 3 } });
    expect(value).toBe(42);
    const result = await withLogContext('async-job', async () => {
      await new Promise((r) => setTimeout(r, 5));
      log.info('async inner');
      return 'done';
    });
    expect(result).toBe('done');
    const recs = await handle.records();
    expect(recs.map((r) => r.body)).toEqual(['nightly-import started', 'sync inner', 'nightly-import completed', 'async-job started', 'async inner', 'async-job completed']);
    expect(recs[1].attributes).toMatchObject({ 'batch.id': 3, 'log.context': 'nightly-import' });
    expect(recs[2].attributes).toMatchObject({ outcome: 'success', 'log.context': 'nightly-import' });
    expect(typeof recs[2].attributes.duration_ms).toBe('number');
    expect(recs[4].attributes['log.context']).toBe('async-job');
    expect(recs[4].attributes).not.toHaveProperty('batch.id');
  });

  it('withLogContext: a failure is logged with the exception and rethrown', async () => {
    await fresh();
    expect(() => withLogContext('sync-fail', () => { throw new TypeError('bad input'); })).toThrow('bad input');
    await expect(withLogContext('async-fail', async () => { throw new RangeError('out'); })).rejects.toThrow('out');
    const recs = await handle.records();
    const failed = recs.filter((r) => String(r.body).endsWith('failed'));
    expect(failed.map((r) => [r.body, r.severityText, r.attributes['exception.type']])).toEqual([
      ['sync-fail failed', 'ERROR', 'TypeError'],
      ['async-fail failed', 'ERROR', 'RangeError'],
    ]);
  });

  it('withLogContext inside a request keeps the request id and shares setUser with it', async () => {
    await fresh();
    const server = createServer(
      withRequestLogging(async (_req, res) => {
        await withLogContext('charge', async () => {
          setUser(99);
          log.info('charging', { rid: currentRequestId() });
        });
        log.info('after block');
        res.end();
      }),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/pay`, { headers: { 'x-request-id': 'pay-1' } });
    await new Promise<void>((r) => server.close(() => r()));
    await new Promise((r) => setTimeout(r, 20));
    const recs = await handle.records();
    const charging = recs.find((r) => r.body === 'charging')!;
    expect(charging.attributes).toMatchObject({ 'request.id': 'pay-1', rid: 'pay-1', 'user.id': '99', 'log.context': 'charge' });
    expect(recs.find((r) => r.body === 'after block')!.attributes['user.id']).toBe('99');
    expect(recs.find((r) => r.instrumentationScope.name === 'logq.request')!.attributes['user.id']).toBe('99');
  });

  it('parses traceparent per W3C and rejects invalid ones', () => {
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
    });
    for (const bad of [
      'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
      '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra',
      'garbage',
      undefined,
    ]) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
  });

  it('outside any context, records have no request id and no trace ids', async () => {
    await fresh();
    expect(trace.getActiveSpan()).toBeUndefined();
    log.info('plain');
    const [r] = await handle.records();
    expect(r.attributes).not.toHaveProperty('request.id');
    expect(r.spanContext).toBeUndefined();
  });
});
