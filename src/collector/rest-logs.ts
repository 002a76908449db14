import { LEVEL_SEVERITY, parseLevel } from '../otlp/severity.ts';
import type { AnyValue, ExportLogsRequestData, KeyValue, LogRecordData, ResourceLogsData } from '../otlp/types.ts';
import { LogqError } from './errors.ts';

/**
 * The seed app's REST ingestion for non-OTel clients, `POST /api/logs`: one object or an array of
 * `{ level, message, attributes?, service?, timestamp? }`. Levels are case-insensitive and take the
 * Python/Django names too (WARNING → WARN, CRITICAL → FATAL). `timestamp` is an ISO 8601 string or
 * epoch milliseconds. Any invalid item fails the request with a 400 naming the field.
 */
export function restLogsToRequest(body: unknown, nowNanos: bigint = BigInt(Date.now()) * 1_000_000n): ExportLogsRequestData {
  const items = Array.isArray(body) ? body : [body];
  if (items.length === 0) throw bad('body', 'an empty array', 'a log object or a non-empty array of them');
  const byService = new Map<string, LogRecordData[]>();
  items.forEach((item, i) => {
    const at = Array.isArray(body) ? `[${i}]` : '';
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw bad(at || 'body', JSON.stringify(item), 'an object { level, message, attributes?, service?, timestamp? }');
    const o = item as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (!['level', 'message', 'attributes', 'service', 'timestamp'].includes(k)) throw bad(`${at}.${k}`.replace(/^\./, ''), 'an unknown field', 'only level, message, attributes, service, timestamp');
    }
    const f = (name: string) => (at ? `${at}.${name}` : name);
    if (typeof o.level !== 'string') throw bad(f('level'), JSON.stringify(o.level), 'a level name: DEBUG, INFO, WARNING/WARN, ERROR, CRITICAL/FATAL (any case)');
    const level = parseLevel(o.level);
    if (!level) throw bad(f('level'), JSON.stringify(o.level), 'a level name: DEBUG, INFO, WARNING/WARN, ERROR, CRITICAL/FATAL (any case)');
    if (typeof o.message !== 'string') throw bad(f('message'), JSON.stringify(o.message) ?? 'missing', 'a string');
    if (o.service !== undefined && (typeof o.service !== 'string' || o.service === '')) throw bad(f('service'), JSON.stringify(o.service), 'a non-empty string');
    if (o.attributes !== undefined && (typeof o.attributes !== 'object' || o.attributes === null || Array.isArray(o.attributes))) {
      throw bad(f('attributes'), JSON.stringify(o.attributes), 'an object of key → value');
    }
    const time = o.timestamp === undefined ? nowNanos : timestampNanos(o.timestamp, f('timestamp'));
    const record: LogRecordData = {
      timeUnixNano: time,
      observedTimeUnixNano: nowNanos,
      severityNumber: LEVEL_SEVERITY[level],
      severityText: level,
      body: { stringValue: o.message },
      attributes: toKeyValues((o.attributes ?? {}) as Record<string, unknown>, 0, f('attributes')),
      droppedAttributesCount: 0,
      flags: 0,
      traceId: new Uint8Array(0),
      spanId: new Uint8Array(0),
      eventName: '',
    };
    const service = (o.service as string | undefined) ?? 'unknown_service';
    let list = byService.get(service);
    if (!list) byService.set(service, (list = []));
    list.push(record);
  });
  const resourceLogs: ResourceLogsData[] = [];
  for (const [service, logRecords] of byService) {
    resourceLogs.push({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }], droppedAttributesCount: 0 },
      scopeLogs: [{ scope: { name: 'logq.rest', version: '', attributes: [], droppedAttributesCount: 0 }, logRecords, schemaUrl: '' }],
      schemaUrl: '',
    });
  }
  return { resourceLogs };
}

function bad(fieldName: string, got: string, expected: string): LogqError {
  return new LogqError('LOGQ_BAD_REQUEST', `${fieldName}: ${got} is not valid: expected ${expected}`);
}

function timestampNanos(v: unknown, where: string): bigint {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return BigInt(Math.round(v * 1000)) * 1000n;
  if (typeof v === 'string') {
    const ms = Date.parse(v);
    if (!Number.isNaN(ms)) {
      // Keep sub-millisecond digits of ISO strings like 2026-01-01T00:00:00.123456789Z.
      const frac = /\.(\d+)/.exec(v)?.[1] ?? '';
      const extra = frac.length > 3 ? BigInt(frac.slice(3, 9).padEnd(6, '0')) : 0n;
      return BigInt(ms) * 1_000_000n + extra;
    }
  }
  throw bad(where, JSON.stringify(v), 'an ISO 8601 string (2026-01-31T12:00:00Z) or epoch milliseconds');
}

/** Nesting bound of attribute values (as the OTLP decoders have). */
const MAX_DEPTH = 32;

function toAnyValue(v: unknown, depth: number, where: string): AnyValue {
  if (depth > MAX_DEPTH) throw bad(where, 'a value nested deeper than 32 levels', 'at most 32 levels of arrays/objects');
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isSafeInteger(v) ? { intValue: BigInt(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: v.map((x) => toAnyValue(x, depth + 1, where)) };
  if (v !== null && typeof v === 'object') return { kvlistValue: toKeyValues(v as Record<string, unknown>, depth + 1, where) };
  return {};
}

function toKeyValues(o: Record<string, unknown>, depth: number, where: string): KeyValue[] {
  return Object.entries(o).map(([key, value]) => ({ key, value: toAnyValue(value, depth, `${where}.${key}`) }));
}
