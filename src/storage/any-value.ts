import type { AnyValue, KeyValue } from '../otlp/types.ts';

/**
 * How OTLP values become ClickHouse strings (the otel_logs schema stores attributes as
 * Map(String, String) and the body as String), as the OTel Collector ClickHouse exporter does:
 * strings as-is; ints in decimal; doubles in JS shortest form; bools `true`/`false`; bytes in
 * base64; arrays and maps as JSON; an empty value as ''.
 */
export function anyValueToString(v: AnyValue | undefined): string {
  if (v === undefined) return '';
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return v.intValue.toString();
  if ('doubleValue' in v) return String(v.doubleValue);
  if ('boolValue' in v) return v.boolValue ? 'true' : 'false';
  if ('bytesValue' in v) return Buffer.from(v.bytesValue).toString('base64');
  if ('arrayValue' in v || 'kvlistValue' in v) return JSON.stringify(anyValueToJson(v));
  return '';
}

/** JSON form of a value: ints beyond 2^53 become strings so no digit is lost. */
export function anyValueToJson(v: AnyValue): unknown {
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) {
    const n = Number(v.intValue);
    return Number.isSafeInteger(n) ? n : v.intValue.toString();
  }
  if ('doubleValue' in v) return Number.isFinite(v.doubleValue) ? v.doubleValue : String(v.doubleValue);
  if ('boolValue' in v) return v.boolValue;
  if ('bytesValue' in v) return Buffer.from(v.bytesValue).toString('base64');
  if ('arrayValue' in v) return v.arrayValue.map(anyValueToJson);
  if ('kvlistValue' in v) return keyValuesToJson(v.kvlistValue);
  return null;
}

function keyValuesToJson(kvs: KeyValue[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of kvs) out[kv.key] = anyValueToJson(kv.value);
  return out;
}

/** Attributes as a string map (the Map(LowCardinality(String), String) columns); a repeated key keeps its last value. */
export function attributesToMap(kvs: KeyValue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of kvs) out[kv.key] = anyValueToString(kv.value);
  return out;
}
