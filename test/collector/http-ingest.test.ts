import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchSink } from '../../src/collector/Shipper.ts';
import { passThrough } from '../../src/otlp/service.ts';
import { queryRows, startTestCollector, tempDir, waitForCount } from '../helpers/collector.ts';
import { encodeRequest } from './otlp-client.ts';

let storageDown = false;
const wrapSink = (sink: BatchSink): BatchSink => async (batch, token) => {
  if (storageDown) throw new Error('injected outage');
  await sink(batch, token);
};

const tmp = tempDir();
let c: Awaited<ReturnType<typeof startTestCollector>>;
beforeAll(async () => {
  c = await startTestCollector(tmp.dir, { maxRequestBytes: 64 * 1024, spoolMaxBytes: 20_000, retryDelayMs: 2000, maxAttributes: 3, maxBodyLength: 50 }, { wrapSink });
});
afterAll(async () => {
  await c?.stop();
  tmp.cleanup();
});

const post = (path: string, body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${c.httpBase}${path}`, { method: 'POST', headers, body });

describe('POST /api/logs (REST ingestion)', () => {
  it('takes one object or an array, with case-insensitive Python/Django level names', async () => {
    // Recent times: rows older than their retention are dropped by the TTL at insert.
    const hourAgo = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
    const iso = hourAgo.toISOString().replace('.000Z', '.123456Z');
    const isoText = hourAgo.toISOString().replace('T', ' ').replace('.000Z', '.123456000');
    const one = await post('/api/logs', JSON.stringify({ level: 'warning', message: 'disk low', service: 'rest-svc', attributes: { host: 'h1', free: 12 } }));
    expect(one.status).toBe(200);
    expect(await one.json()).toEqual({ accepted: 1, rejected: 0 });
    const many = await post('/api/logs', JSON.stringify([
      { level: 'DEBUG', message: 'd', service: 'rest-svc' },
      { level: 'Info', message: 'i', service: 'rest-svc', timestamp: iso },
      { level: 'WARN', message: 'w', service: 'rest-svc' },
      { level: 'error', message: 'e', service: 'rest-svc', timestamp: hourAgo.getTime() },
      { level: 'CRITICAL', message: 'c', service: 'rest-svc' },
      { level: 'fatal', message: 'f', service: 'rest-svc' },
    ]));
    expect(await many.json()).toEqual({ accepted: 6, rejected: 0 });
    await waitForCount(c, "ServiceName = 'rest-svc'", 7);
    const rows = await queryRows<{ Body: string; SeverityText: string; SeverityNumber: number; ts: string; LogAttributes: Record<string, string> }>(
      c,
      "SELECT Body, SeverityText, SeverityNumber, toString(Timestamp) AS ts, LogAttributes FROM otel.otel_logs WHERE ServiceName = 'rest-svc' ORDER BY Body",
    );
    const by = Object.fromEntries(rows.map((r) => [r.Body, r]));
    expect(by['disk low']).toMatchObject({ SeverityText: 'WARN', SeverityNumber: 13, LogAttributes: { host: 'h1', free: '12' } });
    expect([by.d.SeverityNumber, by.i.SeverityNumber, by.w.SeverityNumber, by.e.SeverityNumber, by.c.SeverityNumber, by.f.SeverityNumber]).toEqual([5, 9, 13, 17, 21, 21]);
    expect(by.c.SeverityText).toBe('FATAL');
    expect(by.i.ts).toBe(isoText);
    expect(by.e.ts).toBe(isoText.replace('.123456000', '.000000000'));
  });

  it('answers 400 naming the bad field and the expected form', async () => {
    const cases: [unknown, RegExp][] = [
      [{ level: 'LOUD', message: 'x' }, /level: "LOUD" is not valid: expected a level name: DEBUG, INFO, WARNING\/WARN/],
      [[{ level: 'info', message: 'ok' }, { level: 'info' }], /\[1\]\.message: missing is not valid: expected a string/],
      [{ level: 'info', message: 'x', timestamp: 'yesterday' }, /timestamp: "yesterday" is not valid: expected an ISO 8601 string/],
      [{ level: 'info', message: 'x', attributes: [1] }, /attributes: \[1\] is not valid: expected an object/],
      [{ level: 'info', message: 'x', colour: 'red' }, /colour: an unknown field is not valid/],
      [[], /body: an empty array/],
      [{ level: 'info', message: 'x', attributes: { deep: JSON.parse('['.repeat(40) + ']'.repeat(40)) } }, /attributes\.deep: a value nested deeper than 32 levels/],
    ];
    for (const [body, message] of cases) {
      const res = await post('/api/logs', JSON.stringify(body));
      expect(res.status).toBe(400);
      const json = (await res.json()) as { error: string; message: string };
      expect(json.error).toBe('LOGQ_BAD_REQUEST');
      expect(json.message).toMatch(message);
    }
    const notJson = await post('/api/logs', '{level:');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { message: string }).message).toMatch(/body: not JSON/);
  });
});

describe('POST /v1/logs limits and errors', () => {
  it('413 beyond --max-request-bytes (also after gzip), 415 for other media types, 400 for bad bodies', async () => {
    const big = encodeRequest('limits-svc', [{ body: 'z'.repeat(70 * 1024), severityNumber: 9 }]);
    expect((await post('/v1/logs', big, { 'content-type': 'application/x-protobuf' })).status).toBe(413);
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect((await post('/v1/logs', bomb, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' })).status).toBe(413);
    expect((await post('/v1/logs', 'x', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post('/v1/logs', 'x', { 'content-type': 'application/x-protobuf', 'content-encoding': 'br' })).status).toBe(415);
    const bad = await post('/v1/logs', '{"resourceLogs": 5}');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/LOGQ_DECODE_FAILED.*resourceLogs: expected an array/);
  });

  it('gRPC answers RESOURCE_EXHAUSTED beyond --max-request-bytes and keeps serving', async () => {
    const { RawOtlpClient } = await import('./otlp-client.ts');
    const client = new RawOtlpClient(`127.0.0.1:${c.grpcPort}`);
    const big = await client.export(encodeRequest('limits-svc', [{ body: 'z'.repeat(70 * 1024), severityNumber: 9 }]));
    expect(big.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect((await client.export(encodeRequest('limits-svc', [{ body: 'small', severityNumber: 9 }]))).ok).toBe(true);
    client.close();
  });

  it('caps attribute count and body length, counting what it dropped', async () => {
    const res = await post('/api/logs', JSON.stringify({ level: 'info', message: 'm'.repeat(80), service: 'cap-svc', attributes: { a: 1, b: 2, c: 3, d: 4, e: 5 } }));
    expect(res.status).toBe(200);
    await waitForCount(c, "ServiceName = 'cap-svc'", 1);
    const [row] = await queryRows<{ Body: string; n: string }>(c, "SELECT Body, length(mapKeys(LogAttributes)) AS n FROM otel.otel_logs WHERE ServiceName = 'cap-svc'");
    expect(row.Body).toBe('m'.repeat(50) + '…[truncated]');
    expect(Number(row.n)).toBe(3);
    expect(c.receiverStats.droppedAttributes).toBeGreaterThanOrEqual(2);
    expect(await c.metrics.metrics()).toMatch(/logq_processor_dropped_attributes_total [1-9]/);
  });
});

describe('backpressure, health and metrics', () => {
  it('503 + Retry-After on HTTP, UNAVAILABLE on gRPC health and /readyz while the spool is full and ClickHouse down', async () => {
    storageDown = true;
    const health = new grpc.Client(`127.0.0.1:${c.grpcPort}`, grpc.credentials.createInsecure());
    const check = () =>
      new Promise<number>((resolve, reject) =>
        health.makeUnaryRequest('/grpc.health.v1.Health/Check', passThrough, passThrough, Buffer.alloc(0), (err, v) => (err ? reject(err) : resolve(v![1]))),
      );
    expect(await check()).toBe(1); // SERVING
    let last: Response | undefined;
    for (let i = 0; i < 200; i++) {
      last = await post('/api/logs', JSON.stringify(Array.from({ length: 20 }, (_, k) => ({ level: 'info', message: `fill ${i} ${k}`, service: 'bp-svc' }))));
      if (last.status !== 200) break;
    }
    expect(last!.status).toBe(503);
    // Batches wait up to --insert-max-delay for a fuller insert, but not once the spool is full: the
    // shipper then tries at once, sees ClickHouse fail, and the advised delay becomes 2 s x5.
    for (let i = 0; i < 40 && last!.headers.get('retry-after') !== '10'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      last = await post('/api/logs', JSON.stringify([{ level: 'info', message: `fill more ${i}`, service: 'bp-svc' }]));
      expect(last.status).toBe(503);
    }
    expect(last!.headers.get('retry-after')).toBe('10');
    expect(((await last!.json()) as { error: string }).error).toBe('LOGQ_SPOOL_FULL');
    const ready = await fetch(`${c.httpBase}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { reason: string }).reason).toMatch(/ClickHouse inserts failing/);
    expect(await check()).toBe(2); // NOT_SERVING
    const proto = await post('/v1/logs', encodeRequest('bp-svc', [{ body: 'x', severityNumber: 9 }]), { 'content-type': 'application/x-protobuf' });
    expect(proto.status).toBe(503);
    expect(proto.headers.get('content-type')).toBe('application/x-protobuf');

    storageDown = false;
    const end = Date.now() + 30_000;
    while (c.spool.entries.length && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(await check()).toBe(1);
    health.close();
    const text = await c.metrics.metrics();
    for (const name of [
      'logq_receiver_received_log_records_total', 'logq_receiver_accepted_log_records_total', 'logq_receiver_rejected_log_records_total',
      'logq_receiver_refused_log_records_total', 'logq_exporter_sent_log_records_total', 'logq_exporter_send_failed_requests_total',
      'logq_spool_spooled_log_records_total', 'logq_spool_replayed_log_records_total', 'logq_spool_dropped_log_records_total',
      'logq_buffer_log_records', 'logq_spool_log_records', 'logq_exporter_insert_duration_seconds_bucket', 'logq_exporter_insert_batch_size_bucket',
    ]) expect(text).toContain(name);
    const served = await fetch(`${c.httpBase}/metrics`);
    expect(served.headers.get('content-type')).toMatch(/text\/plain/);
    expect(await served.text()).toMatch(/logq_receiver_refused_log_records_total [1-9]/);
  });
});

describe('memory bound', () => {
  it('429 + Retry-After while more rows wait in memory than --max-pending-rows', async () => {
    await c.stop();
    c = await startTestCollector(tmp.dir, { maxPendingRows: 10, batchMaxDelayMs: 1500, retryDelayMs: 3000 }, { wrapSink });
    const rows = (n: number, tag: string) => JSON.stringify(Array.from({ length: n }, (_, k) => ({ level: 'info', message: `${tag} ${k}`, service: 'mem-svc' })));
    const first = post('/api/logs', rows(8, 'first')); // waits in the batcher for 1.5 s
    await new Promise((r) => setTimeout(r, 100));
    const second = await post('/api/logs', rows(5, 'second'));
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('3');
    expect(((await second.json()) as { error: string }).error).toBe('LOGQ_OVERLOADED');
    expect((await first).status).toBe(200);
    // A single request larger than the whole bound still gets in when nothing is pending.
    expect((await post('/api/logs', rows(25, 'big'))).status).toBe(200);
    await waitForCount(c, "ServiceName = 'mem-svc'", 33);
  });
});
