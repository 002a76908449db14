import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';

/** A record as one plain JSON object (console JSON lines, file exporter, webhook payloads). */
export function recordToJson(rec: ReadableLogRecord): Record<string, unknown> {
  const [s, ns] = rec.hrTime;
  const out: Record<string, unknown> = {
    time: new Date(s * 1000 + Math.floor(ns / 1e6)).toISOString(),
    level: rec.severityText ?? '',
    severity: rec.severityNumber ?? 0,
    logger: rec.instrumentationScope.name,
    body: rec.body ?? '',
  };
  if (rec.eventName) out.event = rec.eventName;
  if (rec.spanContext?.traceId) {
    out.trace_id = rec.spanContext.traceId;
    out.span_id = rec.spanContext.spanId;
  }
  const attrs = rec.attributes;
  if (attrs && Object.keys(attrs).length > 0) out.attributes = attrs;
  const service = rec.resource.attributes['service.name'];
  if (service !== undefined) out.service = service;
  return out;
}

/** JSON.stringify that never throws (bigint → string, cycles → '[Circular]'). */
export function safeJson(value: unknown): string {
  const seen = new WeakSet<object>();
  try {
    return JSON.stringify(value, (_k, v: unknown) => {
      if (typeof v === 'bigint') return v.toString();
      if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
      if (v && typeof v === 'object') {
        if (seen.has(v)) return '[Circular]';
        seen.add(v);
      }
      return v;
    });
  } catch {
    return '{"error":"unserialisable record"}';
  }
}
