import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, startTestCollector, tempDir } from '../helpers/collector.ts';
import { encodeRequest, RawOtlpClient, type TestRecord } from './otlp-client.ts';
import { prng } from '../helpers/prng.ts';

const tmp = tempDir();
let c: Awaited<ReturnType<typeof startTestCollector>>;
beforeAll(async () => {
  c = await startTestCollector(tmp.dir, { batchMaxDelayMs: 200, maxRequestBytes: 1024 * 1024 });
});
afterAll(async () => {
  await c?.stop();
  tmp.cleanup();
});

const SEED = Number(process.env.LOGQ_FUZZ_SEED ?? 20261123);
const rnd = prng(SEED);
const int = (n: number) => Math.floor(rnd() * n);

function randomBytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = int(256);
  return b;
}

function sample(i: number): Buffer {
  const records: TestRecord[] = Array.from({ length: 1 + int(5) }, (_, k) => ({
    body: `fuzz ${i} ${k} ${'x'.repeat(int(40))}`,
    severityNumber: int(30),
    attributes: { k: String(k), blob: 'y'.repeat(int(20)) },
    traceId: int(3) === 0 ? randomBytes(int(20)) : undefined,
  }));
  return encodeRequest('fuzz-svc', records);
}

/** Random bytes, or a valid request with bit flips, truncation, inserted or duplicated bytes. */
function mutate(i: number): Buffer {
  const kind = int(6);
  if (kind === 0) return randomBytes(int(300));
  const b = Buffer.from(sample(i));
  if (kind === 1) {
    for (let f = 0, n = 1 + int(4); f < n; f++) b[int(b.length)] ^= 1 << int(8);
    return b;
  }
  if (kind === 2) return b.subarray(0, int(b.length));
  if (kind === 3) {
    const at = int(b.length);
    return Buffer.concat([b.subarray(0, at), randomBytes(1 + int(8)), b.subarray(at)]);
  }
  if (kind === 4) {
    const at = int(b.length);
    const len = int(b.length - at);
    return Buffer.concat([b.subarray(0, at + len), b.subarray(at, at + len), b.subarray(at + len)]);
  }
  const at = int(b.length);
  b[at] = [0xff, 0x00, 0x80, 0x7f][int(4)];
  return b;
}

function mutateJson(i: number): string {
  const doc = JSON.stringify({
    resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'fuzz-json' } }] },
      scopeLogs: [{ scope: { name: 's' }, logRecords: [{ timeUnixNano: String(Date.now() * 1e6), severityNumber: int(30), body: { stringValue: `j${i}` },
        traceId: int(2) ? '0102030405060708090a0b0c0d0e0f10' : 'zz', attributes: [{ key: 'n', value: { intValue: String(i) } }] }] }] }],
  });
  const chars = [...doc];
  for (let f = 0, n = int(4); f < n; f++) chars[int(chars.length)] = '{}[]":,0a\\'[int(10)];
  return chars.join('');
}

async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

describe(`fuzz (seed ${SEED})`, () => {
  it('survives 6000 random and mutated gRPC payloads: INVALID_ARGUMENT or OK, never a crash', async () => {
    const client = new RawOtlpClient(`127.0.0.1:${c.grpcPort}`);
    const codes = new Map<number, number>();
    await pool(Array.from({ length: 6000 }, (_, i) => i), 48, async (i) => {
      const r = await client.export(mutate(i));
      codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
    });
    client.close();
    // Only OK (possibly partial) and INVALID_ARGUMENT: no INTERNAL, no UNKNOWN, no dropped connections.
    expect([...codes.keys()].every((k) => k === grpc.status.OK || k === grpc.status.INVALID_ARGUMENT)).toBe(true);
    expect(codes.get(grpc.status.INVALID_ARGUMENT)).toBeGreaterThan(100);
    expect(codes.get(grpc.status.OK)).toBeGreaterThan(100);
  }, 240_000);

  it('survives 4000 random and mutated OTLP/HTTP payloads (protobuf, gzip, JSON): 200 or 400', async () => {
    const statuses = new Map<number, number>();
    await pool(Array.from({ length: 4000 }, (_, i) => i), 48, async (i) => {
      const kind = i % 3;
      const body = kind === 2 ? Buffer.from(mutateJson(i)) : kind === 1 ? gzipSync(mutate(i)) : mutate(i);
      const res = await fetch(`${c.httpBase}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': kind === 2 ? 'application/json' : 'application/x-protobuf', ...(kind === 1 ? { 'content-encoding': 'gzip' } : {}) },
        body,
      });
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    });
    expect([...statuses.keys()].sort()).toEqual([200, 400]);
  }, 240_000);

  it('is still up, and mixed batches keep their valid records with a partial-success count', async () => {
    expect((await fetch(`${c.httpBase}/healthz`)).status).toBe(200);
    const client = new RawOtlpClient(`127.0.0.1:${c.grpcPort}`);
    const trace = Buffer.alloc(16, 7);
    const records: TestRecord[] = [
      { body: 'valid 1', severityNumber: 9, attributes: { mixed: 'ok1' }, traceId: trace, spanId: Buffer.alloc(8, 1) },
      { body: 'bad trace', severityNumber: 9, attributes: { mixed: 'bad1' }, traceId: Buffer.alloc(5, 1) },
      { body: 'valid 2', severityNumber: 24, attributes: { mixed: 'ok2' } },
      { body: 'bad severity', severityNumber: 99, attributes: { mixed: 'bad2' } },
      { body: 'bad span', severityNumber: 9, attributes: { mixed: 'bad3' }, spanId: Buffer.alloc(3, 1) },
    ];
    const r = await client.export(encodeRequest('mixed-svc', records));
    client.close();
    expect(r.ok).toBe(true);
    expect(r.rejected).toBe(3);
    expect(r.errorMessage).toMatch(/trace_id is 5 bytes, expected 16/);
    expect(r.errorMessage).toMatch(/severity_number 99 is unknown/);
    expect(r.errorMessage).toMatch(/span_id is 3 bytes, expected 8/);
    const res = await fetch(`${c.httpBase}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'mixed-svc' } }] },
        scopeLogs: [{ logRecords: [
          { severityNumber: 9, body: { stringValue: 'json ok' }, attributes: [{ key: 'mixed', value: { stringValue: 'ok3' } }] },
          { severityNumber: 9, traceId: 'abc', body: { stringValue: 'json bad' }, attributes: [{ key: 'mixed', value: { stringValue: 'bad4' } }] },
        ] }] }] }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ partialSuccess: { rejectedLogRecords: '1' } });
    const end = Date.now() + 120_000;
    let stored: string[] = [];
    while (Date.now() < end) {
      if (c.spool.entries.length > 0) {
        await new Promise((r2) => setTimeout(r2, 100));
        continue;
      }
      stored = (await queryRows<{ m: string }>(c, "SELECT LogAttributes['mixed'] AS m FROM otel.otel_logs WHERE ServiceName = 'mixed-svc' ORDER BY m")).map((x) => x.m);
      if (stored.length >= 3) break;
      await new Promise((r2) => setTimeout(r2, 50));
    }
    expect(stored).toEqual(['ok1', 'ok2', 'ok3']);
    expect(c.receiverStats.undecodableRequests).toBeGreaterThan(100);
    // Fuzzed records that decoded were stored or set aside, never left blocking the spool.
    expect(c.spool.entries.length).toBe(0);
    expect(c.shipperStats.failingSince).toBe(0);
  }, 240_000);
});
