import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { encodeLogRecords } from '../../src/exporter/encode-records.ts';
import { ProtoWriter } from '../../src/otlp/ProtoWriter.ts';
import type { ExportLogsRequestData, LogRecordData } from '../../src/otlp/types.ts';

/**
 * Log-shaped data for the storage and collector benchmarks: one service, one scope, records with a
 * message and the same 3 attributes as bench/app-export (string, int, double), half of them with
 * a trace context.
 */
export function makeRequest(records: number, offset = 0, nowNanos = BigInt(Date.now()) * 1_000_000n): ExportLogsRequestData {
  const logRecords: LogRecordData[] = [];
  const traceId = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
  const spanId = Uint8Array.from({ length: 8 }, (_, i) => i + 101);
  for (let i = 0; i < records; i++) {
    const n = offset + i;
    const t = nowNanos + BigInt(n) * 1000n;
    logRecords.push({
      timeUnixNano: t,
      observedTimeUnixNano: t + 500n,
      severityNumber: 9,
      severityText: 'INFO',
      body: { stringValue: `order placed ${n}` },
      attributes: [
        { key: 'order.id', value: { intValue: BigInt(n) } },
        { key: 'customer.id', value: { stringValue: 'c-4711' } },
        { key: 'order.amount', value: { doubleValue: 19.99 } },
      ],
      droppedAttributesCount: 0,
      flags: n % 2 ? 1 : 0,
      traceId: n % 2 ? traceId : new Uint8Array(0),
      spanId: n % 2 ? spanId : new Uint8Array(0),
      eventName: '',
    });
  }
  return {
    resourceLogs: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: 'bench' } },
            { key: 'host.name', value: { stringValue: 'bench-host' } },
          ],
          droppedAttributesCount: 0,
        },
        scopeLogs: [{ scope: { name: 'bench', version: '1.0.0', attributes: [], droppedAttributesCount: 0 }, logRecords, schemaUrl: '' }],
        schemaUrl: '',
      },
    ],
  };
}

/** The engine-side twin of {@link makeRequest}: a SELECT producing the same rows from numbers(). */
export function engineSelectSql(rows: number): string {
  return `SELECT
    toDateTime64(now64(9) + toIntervalMicrosecond(number), 9) AS Timestamp,
    if(number % 2 = 1, '0102030405060708090a0b0c0d0e0f10', '') AS TraceId,
    if(number % 2 = 1, '65666768696a6b6c', '') AS SpanId,
    toUInt8(number % 2) AS TraceFlags,
    'INFO' AS SeverityText,
    toUInt8(9) AS SeverityNumber,
    'bench' AS ServiceName,
    concat('order placed ', toString(number)) AS Body,
    '' AS ResourceSchemaUrl,
    map('service.name', 'bench', 'host.name', 'bench-host') AS ResourceAttributes,
    '' AS ScopeSchemaUrl,
    'bench' AS ScopeName,
    '1.0.0' AS ScopeVersion,
    map() AS ScopeAttributes,
    map('order.id', toString(number), 'customer.id', 'c-4711', 'order.amount', '19.99') AS LogAttributes,
    '' AS EventName,
    toDateTime64(now64(9) + toIntervalMicrosecond(number), 9) AS ObservedTimestamp
  FROM numbers(${rows})`;
}

/**
 * The protobuf bytes of a request shaped like {@link makeRequest} (logq's encoder from SDK-shaped
 * records), for paths that start where the collector starts: at the wire.
 */
export function makeRequestBytes(records: number, offset = 0, nowMs = Date.now()): Buffer {
  const resource = resourceFromAttributes({ 'service.name': 'bench', 'host.name': 'bench-host' });
  const scope = { name: 'bench', version: '1.0.0' };
  const sec = Math.floor(nowMs / 1000);
  const recs: ReadableLogRecord[] = [];
  for (let i = 0; i < records; i++) {
    const n = offset + i;
    const traced = n % 2 === 1;
    recs.push({
      hrTime: [sec, (n % 1_000_000) * 1000],
      hrTimeObserved: [sec, (n % 1_000_000) * 1000 + 500],
      severityNumber: 9,
      severityText: 'INFO',
      body: `order placed ${n}`,
      attributes: { 'order.id': n, 'customer.id': 'c-4711', 'order.amount': 19.99 },
      droppedAttributesCount: 0,
      resource,
      instrumentationScope: scope,
      spanContext: traced ? { traceId: '0102030405060708090a0b0c0d0e0f10', spanId: '65666768696a6b6c', traceFlags: 1 } : undefined,
    } as unknown as ReadableLogRecord);
  }
  return encodeLogRecords(recs, new ProtoWriter(1 << 20));
}
