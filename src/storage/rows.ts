import { nanosToDecimalSeconds } from '../otlp/hr-time.ts';
import type { ExportLogsRequestData } from '../otlp/types.ts';
import { anyValueToString, attributesToMap } from './any-value.ts';

/** One otel_logs row, values in {@link INSERT_COLUMNS} order (JSONCompactEachRow shape). */
export type LogRow = [
  timestamp: string,
  traceId: string,
  spanId: string,
  traceFlags: number,
  severityText: string,
  severityNumber: number,
  serviceName: string,
  body: string,
  resourceSchemaUrl: string,
  resourceAttributes: Record<string, string>,
  scopeSchemaUrl: string,
  scopeName: string,
  scopeVersion: string,
  scopeAttributes: Record<string, string>,
  logAttributes: Record<string, string>,
  eventName: string,
  observedTimestamp: string,
];

/**
 * Maps a decoded OTLP request to otel_logs rows. Timestamp falls back to the observed time when
 * the record has none (and both to `now` when neither is set), as the OTel Collector exporter does;
 * trace and span ids become lower-case hex; the trace flags are the low byte of `flags`.
 */
export function requestToRows(req: ExportLogsRequestData, nowNanos: bigint = BigInt(Date.now()) * 1_000_000n): LogRow[] {
  const rows: LogRow[] = [];
  for (const rl of req.resourceLogs) {
    const resourceAttributes = attributesToMap(rl.resource.attributes);
    const serviceName = resourceAttributes['service.name'] ?? '';
    for (const sl of rl.scopeLogs) {
      const scopeAttributes = attributesToMap(sl.scope.attributes);
      for (const r of sl.logRecords) {
        const observed = r.observedTimeUnixNano || r.timeUnixNano || nowNanos;
        const ts = r.timeUnixNano || observed;
        rows.push([
          nanosToDecimalSeconds(ts),
          Buffer.from(r.traceId).toString('hex'),
          Buffer.from(r.spanId).toString('hex'),
          r.flags & 0xff,
          r.severityText,
          r.severityNumber,
          serviceName,
          anyValueToString(r.body),
          rl.schemaUrl,
          resourceAttributes,
          sl.schemaUrl,
          sl.scope.name,
          sl.scope.version,
          scopeAttributes,
          attributesToMap(r.attributes),
          r.eventName,
          nanosToDecimalSeconds(observed),
        ]);
      }
    }
  }
  return rows;
}
