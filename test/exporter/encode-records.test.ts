import { describe, expect, it } from 'vitest';
import type { Attributes } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { encodeLogRecords } from '../../src/exporter/encode-records.ts';
import { decodeExportLogsRequest } from '../../src/otlp/decode-logs.ts';
import type { AnyValue as WireValue } from '../../src/otlp/types.ts';
import { ProtoWriter } from '../../src/otlp/ProtoWriter.ts';

/** What the wire should carry for a JS attribute value (integers as int_value, other numbers as double). */
function expected(value: unknown): WireValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isSafeInteger(value) ? { intValue: BigInt(value) } : { doubleValue: value };
  if (Array.isArray(value)) return { arrayValue: value.map(expected) };
  if (value instanceof Uint8Array) return { bytesValue: Buffer.from(value) }; // the decoder hands out Buffers
  if (value === null) return {};
  return { kvlistValue: Object.entries(value as object).map(([key, v]) => ({ key, value: expected(v) })) };
}

function record(body: unknown, attributes: Attributes, scope = 'enc'): ReadableLogRecord {
  return {
    hrTime: [1_800_000_000, 123_456_789],
    hrTimeObserved: [1_800_000_000, 123_456_789],
    severityNumber: 9,
    severityText: 'INFO',
    body,
    attributes,
    droppedAttributesCount: 0,
    resource: RESOURCE,
    instrumentationScope: { name: scope },
  } as unknown as ReadableLogRecord;
}

const RESOURCE = resourceFromAttributes({ 'service.name': 'enc' });
const long = (n: number, c = 'x') => c.repeat(n);

describe('encodeLogRecords', () => {
  it('every kind of attribute value and body round-trips, on the one-pass path for scalars and the general one for the rest', () => {
    // Keys and values around the one-byte length limits of the fast forms, non-ASCII, integers
    // outside 0..2^31, doubles, NaN, -0, booleans, null, arrays, maps, bytes.
    const values: unknown[] = [
      '', 'c-4711', long(100), long(101), long(108), long(109), long(114), long(115), long(125), long(126), long(200), 'é', `${long(60)}ü`, '日本',
      0, 1, 127, 128, 0x7fffffff, 0x80000000, 2 ** 40, Number.MAX_SAFE_INTEGER, -1, -(2 ** 40), 19.99, -0.5, 1e300, NaN, Infinity, -0,
      true, false, null, ['a', 1, 2.5, true], { a: 1, b: { c: 'd' } }, new Uint8Array([1, 2, 3]),
    ];
    const keys = ['k', 'order.id', long(100, 'k'), long(110, 'k'), long(114, 'k'), long(115, 'k'), 'ключ'];
    const records: ReadableLogRecord[] = [];
    for (const key of keys) {
      const attributes: Attributes = {};
      values.forEach((v, i) => (attributes[`${key}.${i}`] = v as never));
      records.push(record('order placed', attributes));
    }
    for (const body of ['', long(125), long(126), 'çava', 42, { m: 'x' }]) records.push(record(body, { only: 1 }, 'bodies'));
    const decoded = decodeExportLogsRequest(encodeLogRecords(records, new ProtoWriter(64)));
    const got = decoded.resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords));
    expect(got).toHaveLength(records.length);
    got.forEach((g, i) => {
      const want = records[i];
      expect(g.body).toEqual(expected(want.body));
      expect(g.attributes).toEqual(Object.entries(want.attributes).map(([key, v]) => ({ key, value: expected(v) })));
      expect(g.severityText).toBe('INFO');
      expect(g.timeUnixNano).toBe(1_800_000_000_123_456_789n);
    });
  });

  it('batches of any size round-trip (length reserves guessed from the previous batch, right or wrong)', () => {
    const w = new ProtoWriter(16);
    for (const n of [1, 3000, 1, 20000, 150, 2]) {
      const records = Array.from({ length: n }, (_, i) => record(i % 2 ? long(i % 300) : `m${i}`, { i, s: 'c-4711' }, i % 3 ? 'a' : 'b'));
      const decoded = decodeExportLogsRequest(encodeLogRecords(records, w));
      const scopes = decoded.resourceLogs[0].scopeLogs;
      expect(scopes.reduce((sum, sl) => sum + sl.logRecords.length, 0)).toBe(n);
      for (const sl of scopes) for (const r of sl.logRecords) expect(r.attributes[1]).toEqual({ key: 's', value: { stringValue: 'c-4711' } });
      // Records of 2..300+ bytes alternate, so the guessed record length reserve is often wrong.
      const bodies = scopes.flatMap((sl) => sl.logRecords.map((r) => (r.body as { stringValue: string }).stringValue));
      expect(bodies.sort()).toEqual(records.map((r) => r.body as string).sort());
    }
  });
});

describe('GrpcLogExporter payload buffers', () => {
  it('a payload stays intact while its call is retried, however many exports run meanwhile', async () => {
    const { GrpcLogExporter } = await import('../../src/exporter/GrpcLogExporter.ts');
    const { startOtlpTestServer } = await import('./otlp-test-server.ts');
    const grpc = await import('@grpc/grpc-js');
    const seen: string[][] = [];
    // Every first attempt fails (retryable), so each batch is sent again after the others were encoded.
    const firstTry = new Set<string>();
    const server = await startOtlpTestServer((_n, call) => {
      const bodies = decodeExportLogsRequest(call.request).resourceLogs.flatMap((rl) =>
        rl.scopeLogs.flatMap((sl) => sl.logRecords.map((r) => (r.body as { stringValue: string }).stringValue)),
      );
      const batch = bodies[0].split('-')[0];
      if (!firstTry.has(batch)) {
        firstTry.add(batch);
        return { error: { code: grpc.status.UNAVAILABLE, details: 'try again' } };
      }
      seen.push(bodies);
      return {};
    });
    const exporter = new GrpcLogExporter({ endpoint: `http://127.0.0.1:${server.port}`, initialBackoffMillis: 20, maxBackoffMillis: 40 });
    try {
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, b) =>
          new Promise<number>((resolve) =>
            exporter.export(Array.from({ length: 500 + 100 * b }, (_, i) => record(`b${b}-${i}`, { i })), (r) => resolve(r.code)),
          ),
        ),
      );
      expect(results).toEqual(Array(8).fill(0));
      expect(seen).toHaveLength(8);
      for (const bodies of seen) {
        const b = Number(bodies[0].slice(1).split('-')[0]);
        expect(bodies).toEqual(Array.from({ length: 500 + 100 * b }, (_, i) => `b${b}-${i}`));
      }
    } finally {
      await exporter.shutdown();
      server.close();
    }
  });
});
