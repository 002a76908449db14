import { describe, expect, it } from 'vitest';
import { guardRows, type GuardStats, type RecordLimits } from '../../src/collector/limit-rows.ts';
import { requestToNative } from '../../src/collector/request-native.ts';
import type { AnyValue, ExportLogsRequestData, KeyValue, LogRecordData } from '../../src/otlp/types.ts';
import { nativeToRows, rowsToNative } from '../../src/storage/native-format.ts';
import { requestToRows } from '../../src/storage/rows.ts';

// requestToNative must store exactly what the row path (requestToRows → guardRows → rowsToNative) stores.
const limits: RecordLimits = { maxAttributes: 4, maxAttributeValueLength: 20, maxBodyLength: 30, redact: true };
const NOW = 1_795_465_089_123_456_789n;

const kv = (key: string, value: AnyValue): KeyValue => ({ key, value });
const s = (stringValue: string): AnyValue => ({ stringValue });

function record(i: number, over: Partial<LogRecordData> = {}): LogRecordData {
  return {
    timeUnixNano: 1_795_465_000_000_000_000n + BigInt(i),
    observedTimeUnixNano: 1_795_465_000_000_000_500n + BigInt(i),
    severityNumber: 9,
    severityText: 'INFO',
    body: s(`body ${i}`),
    attributes: [kv('order.id', { intValue: BigInt(i) }), kv('amount', { doubleValue: 19.99 }), kv('ok', { boolValue: true })],
    droppedAttributesCount: 0,
    flags: 0x101,
    traceId: i % 2 ? Uint8Array.from({ length: 16 }, (_, k) => k * 17) : new Uint8Array(0),
    spanId: i % 2 ? Uint8Array.from({ length: 8 }, (_, k) => 255 - k) : new Uint8Array(0),
    eventName: i % 3 ? '' : 'user.login',
    ...over,
  };
}

const request: ExportLogsRequestData = {
  resourceLogs: [
    {
      schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
      resource: { attributes: [kv('service.name', s('checkout')), kv('host.name', s('h1')), kv('db_password', s('hunter2'))], droppedAttributesCount: 0 },
      scopeLogs: [
        { schemaUrl: '', scope: { name: 'app', version: '1.2.3', attributes: [kv('scope.k', s('v'))], droppedAttributesCount: 0 }, logRecords: [record(0), record(1), record(2)] },
        { schemaUrl: 's2', scope: { name: 'db', version: '', attributes: [], droppedAttributesCount: 0 }, logRecords: [] },
        {
          schemaUrl: '',
          scope: { name: 'edge', version: '', attributes: [], droppedAttributesCount: 0 },
          logRecords: [
            // Limits: too many attributes, a repeated key (first position, last value), long values and body.
            record(3, {
              attributes: [kv('a', s('1')), kv('b', s('x'.repeat(50))), kv('a', s('2')), kv('c', s('3')), kv('d', s('4')), kv('e', s('5'))],
              body: s('y'.repeat(40)),
            }),
            // Redaction: secret keys, bearer tokens, card numbers in values and the body.
            record(4, {
              attributes: [kv('Authorization', s('Bearer abc.def')), kv('note', s('4111111111111111')), kv('empty_token', s(''))],
              body: s('paid with 4111-1111-1111-1111'),
            }),
            // No timestamps (falls back to observed, then now), no body, odd values.
            record(5, { timeUnixNano: 0n, body: undefined, severityText: '', attributes: [kv('bytes', { bytesValue: Uint8Array.of(1, 2, 255) }), kv('arr', { arrayValue: [s('x'), { intValue: 9007199254740993n }] }), kv('map', { kvlistValue: [kv('k', { boolValue: false })] })] }),
            record(6, { timeUnixNano: 0n, observedTimeUnixNano: 0n, body: s('日本語 ✓ and 🚀'), severityNumber: 17, severityText: 'ERROR' }),
          ],
        },
      ],
    },
    { schemaUrl: '', resource: { attributes: [], droppedAttributesCount: 0 }, scopeLogs: [{ schemaUrl: '', scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0 }, logRecords: [record(7)] }] },
  ],
};

const stats = (): GuardStats => ({ droppedAttributes: 0, truncatedValues: 0, redactedValues: 0 });

describe('requestToNative', () => {
  it('writes the rows the row path stores, with the same limit and redaction counts', () => {
    const viaRows = requestToRows(request, NOW);
    const rowStats = stats();
    guardRows(viaRows, limits, rowStats);
    const nativeStats = stats();
    const chunk = requestToNative(request, limits, nativeStats, NOW);
    expect(chunk.rows).toBe(8);
    expect(nativeToRows(chunk.data)).toEqual(nativeToRows(rowsToNative(viaRows))); // no integer-like keys here (see requestToNative)
    expect(nativeStats).toEqual(rowStats);
    expect(nativeStats.redactedValues).toBe(4);
    expect(nativeStats.droppedAttributes).toBe(1);
  });

  it('applies no redaction when it is off, and keeps repeated keys at their first position with their last value', () => {
    const st = stats();
    const rows = nativeToRows(requestToNative(request, { ...limits, redact: false }, st, NOW).data);
    expect(st.redactedValues).toBe(0);
    expect(rows[4][14]).toMatchObject({ Authorization: 'Bearer abc.def' });
    expect(Object.entries(rows[3][14])).toEqual([['a', '2'], ['b', 'x'.repeat(20) + '…[truncated]'], ['c', '3'], ['d', '4']]);
    expect(rows[0][9]).toMatchObject({ db_password: 'hunter2' });
  });

  it('writes an empty request as an empty block', () => {
    const chunk = requestToNative({ resourceLogs: [] }, limits, stats(), NOW);
    expect(chunk.rows).toBe(0);
    expect(nativeToRows(chunk.data)).toEqual([]);
  });
});
