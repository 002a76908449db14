import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { describe, expect, it } from 'vitest';
import { encodeLogRecords } from '../../src/exporter/encode-records.ts';
import { decodeExportLogsRequest } from '../../src/otlp/decode-logs.ts';
import { ProtoDecodeError } from '../../src/otlp/ProtoReader.ts';
import { ProtoWriter, WireType } from '../../src/otlp/ProtoWriter.ts';
import { otlpToTabSeparated } from '../../src/storage/otlp-tab-separated.ts';
import { otlpToTabSeparatedBytes } from '../../src/storage/otlp-tsv-bytes.ts';
import { requestToRows } from '../../src/storage/rows.ts';
import { rowsToTabSeparated } from '../../src/storage/tab-separated.ts';
import { writeStringKeyValue } from '../helpers/otlp-bytes.ts';

const NOW = 1_763_900_000_123_456_789n;

/** The reference: full decode → row tuples → TabSeparated. */
function reference(buf: Uint8Array): string {
  return rowsToTabSeparated(requestToRows(decodeExportLogsRequest(buf), NOW));
}

function rec(over: Partial<Record<string, unknown>>): ReadableLogRecord {
  return {
    hrTime: [1_763_900_000, 5],
    hrTimeObserved: [1_763_900_001, 999_999_999],
    severityNumber: 9,
    severityText: 'INFO',
    body: 'hello',
    attributes: {},
    droppedAttributesCount: 0,
    resource: resourceFromAttributes({ 'service.name': 'svc', 'host.name': 'h\t1' }),
    instrumentationScope: { name: 'scope', version: '1.2.3', schemaUrl: 'https://s/1' },
    ...over,
  } as unknown as ReadableLogRecord;
}

describe('otlpToTabSeparated', () => {
  it('produces exactly the rows of decode → requestToRows → rowsToTabSeparated', () => {
    const other = resourceFromAttributes({ 'service.name': "o'ther\\svc", k: 'v' });
    const records = [
      rec({}),
      rec({ body: 'tab\there\nnew line \\ back', attributes: { s: "it's", i: 42, neg: -7, big: 2 ** 60, d: 1.5, b: true, f: false } }),
      rec({ body: 12345, attributes: { arr: [1, 'two', { three: 3 }], kv: { a: 1, b: [true] }, bytes: new Uint8Array([0, 255, 7]) } }),
      rec({ body: { nested: ['x'] }, severityText: '', severityNumber: 0, eventName: 'user.login' }),
      rec({ spanContext: { traceId: '0102030405060708090a0b0c0d0e0f10', spanId: 'a1a2a3a4a5a6a7a8', traceFlags: 257 } }),
      rec({ hrTime: [0, 0] }),
      rec({ hrTime: [0, 0], hrTimeObserved: [0, 0] }),
      rec({ hrTime: [0, 999], hrTimeObserved: [4_294_967_296, 1] }),
      rec({ resource: other, body: 'ünïcödé ✓ 𝄞', attributes: { 'ключ': 'значение' } }),
      rec({ instrumentationScope: { name: 'second', version: '' } }),
    ];
    const buf = encodeLogRecords(records, new ProtoWriter());
    const fused = otlpToTabSeparated(buf, NOW);
    expect(fused.rows).toBe(records.length);
    expect(fused.text).toBe(reference(buf));
    const bytes = otlpToTabSeparatedBytes(buf, NOW);
    expect(bytes.rows).toBe(records.length);
    expect(bytes.bytes.toString('utf8')).toBe(reference(buf));
  });

  it('keeps the first position and the last value of a repeated key (byte path as object path)', () => {
    const w = new ProtoWriter();
    const kv = (key: string, value: string) => writeStringKeyValue(w, 6, key, value);
    w.tag(1, WireType.LEN);
    const rl = w.beginMessage();
    w.tag(2, WireType.LEN);
    const sl = w.beginMessage();
    w.tag(2, WireType.LEN);
    const lr = w.beginMessage();
    kv('k', 'first');
    kv('j', 'other');
    kv('k', 'last');
    w.endMessage(lr);
    w.endMessage(sl);
    w.endMessage(rl);
    const buf = w.finish();
    const text = otlpToTabSeparatedBytes(buf, NOW).bytes.toString('utf8');
    expect(text).toBe(reference(buf));
    expect(text).toContain("{'k':'last','j':'other'}");
    expect(otlpToTabSeparated(buf, NOW).text).toBe(text);
  });

  it('accepts fields in any wire order (schema_url and resource after the scopes)', () => {
    const w = new ProtoWriter();
    w.tag(1, WireType.LEN); // resource_logs
    const rl = w.beginMessage();
    w.tag(2, WireType.LEN); // scope_logs first
    const sl = w.beginMessage();
    w.tag(2, WireType.LEN); // a log record before the scope
    const lr = w.beginMessage();
    w.tag(3, WireType.LEN);
    w.string('WARN');
    w.tag(5, WireType.LEN);
    const body = w.beginMessage();
    w.tag(1, WireType.LEN);
    w.string('late');
    w.endMessage(body);
    w.endMessage(lr);
    w.tag(3, WireType.LEN);
    w.string('https://scope/schema');
    w.tag(1, WireType.LEN);
    const sc = w.beginMessage();
    w.tag(1, WireType.LEN);
    w.string('late-scope');
    w.endMessage(sc);
    w.endMessage(sl);
    w.tag(3, WireType.LEN);
    w.string('https://resource/schema');
    w.tag(1, WireType.LEN); // resource last
    const res = w.beginMessage();
    w.tag(1, WireType.LEN);
    const kv = w.beginMessage();
    w.tag(1, WireType.LEN);
    w.string('service.name');
    w.tag(2, WireType.LEN);
    const v = w.beginMessage();
    w.tag(1, WireType.LEN);
    w.string('late-svc');
    w.endMessage(v);
    w.endMessage(kv);
    w.endMessage(res);
    w.endMessage(rl);
    const buf = w.finish();
    const fused = otlpToTabSeparated(buf, NOW);
    expect(fused.rows).toBe(1);
    expect(fused.text).toBe(reference(buf));
    expect(fused.text).toContain('late-svc');
    expect(otlpToTabSeparatedBytes(buf, NOW).bytes.toString('utf8')).toBe(reference(buf));
  });

  it('rejects truncated input with ProtoDecodeError, like the decoder', () => {
    const buf = encodeLogRecords([rec({}), rec({})], new ProtoWriter());
    expect(() => otlpToTabSeparated(buf.subarray(0, buf.length - 5), NOW)).toThrow(ProtoDecodeError);
    expect(otlpToTabSeparated(new Uint8Array(0), NOW)).toEqual({ text: '', rows: 0 });
    expect(() => otlpToTabSeparatedBytes(buf.subarray(0, buf.length - 5), NOW)).toThrow(ProtoDecodeError);
    expect(otlpToTabSeparatedBytes(new Uint8Array(0), NOW).rows).toBe(0);
  });
});
