import { ProtoDecodeError } from './ProtoReader.ts';
import type { AnyValue, ExportLogsRequestData, KeyValue, LogRecordData, ResourceLogsData, ScopeLogsData } from './types.ts';

/**
 * Decodes the OTLP/JSON form of an `ExportLogsServiceRequest` (OTLP spec, "JSON Protobuf
 * Encoding"): lowerCamelCase field names (snake_case accepted too, as protobuf JSON parsers do),
 * trace and span ids as hex strings, 64-bit integers as strings or numbers, enums as integers
 * (or their names), bytes as base64. A structure that is not an ExportLogsServiceRequest throws
 * {@link ProtoDecodeError}; an id that is not hex becomes an id of the wrong length, so the
 * record — not the whole request — is rejected by validation.
 */
export function decodeExportLogsRequestJson(text: string): ExportLogsRequestData {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new ProtoDecodeError(`body is not JSON: ${(error as Error).message}`);
  }
  const root = obj(doc, 'request');
  return { resourceLogs: arr(field(root, 'resourceLogs', 'resource_logs'), 'resourceLogs').map((rl, i) => resourceLogs(rl, `resourceLogs[${i}]`)) };
}

type Obj = Record<string, unknown>;

function obj(v: unknown, where: string): Obj {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new ProtoDecodeError(`${where}: expected an object`);
  return v as Obj;
}

function arr(v: unknown, where: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ProtoDecodeError(`${where}: expected an array`);
  return v;
}

function field(o: Obj, camel: string, snake: string): unknown {
  return o[camel] ?? o[snake];
}

function str(v: unknown, where: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new ProtoDecodeError(`${where}: expected a string`);
  return v;
}

function int(v: unknown, where: string): number {
  if (v === undefined || v === null) return 0;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new ProtoDecodeError(`${where}: expected an integer`);
  return n;
}

function u64(v: unknown, where: string): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) return BigInt(v);
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  throw new ProtoDecodeError(`${where}: expected an unsigned 64-bit integer (string or number)`);
}

const SEVERITY_NAMES = ['UNSPECIFIED', 'TRACE', 'TRACE2', 'TRACE3', 'TRACE4', 'DEBUG', 'DEBUG2', 'DEBUG3', 'DEBUG4', 'INFO', 'INFO2', 'INFO3', 'INFO4',
  'WARN', 'WARN2', 'WARN3', 'WARN4', 'ERROR', 'ERROR2', 'ERROR3', 'ERROR4', 'FATAL', 'FATAL2', 'FATAL3', 'FATAL4'];

function severity(v: unknown, where: string): number {
  if (typeof v === 'string' && v.startsWith('SEVERITY_NUMBER_')) {
    const i = SEVERITY_NAMES.indexOf(v.slice('SEVERITY_NUMBER_'.length));
    // An unknown name maps to an out-of-range number so validation rejects just this record.
    return i < 0 ? 255 : i;
  }
  return int(v, where);
}

function hexId(v: unknown, where: string): Uint8Array {
  const s = str(v, where);
  if (s === '') return new Uint8Array(0);
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(s)) return new Uint8Array(1);
  return Buffer.from(s, 'hex');
}

function keyValues(v: unknown, where: string, depth: number): KeyValue[] {
  return arr(v, where).map((kv, i) => {
    const o = obj(kv, `${where}[${i}]`);
    return { key: str(o.key, `${where}[${i}].key`), value: anyValue(o.value, `${where}[${i}].value`, depth) };
  });
}

function anyValue(v: unknown, where: string, depth = 0): AnyValue {
  if (depth > 32) throw new ProtoDecodeError(`${where}: nested deeper than 32`);
  const o = obj(v, where);
  const s = field(o, 'stringValue', 'string_value');
  if (s !== undefined) return { stringValue: str(s, where) };
  const b = field(o, 'boolValue', 'bool_value');
  if (b !== undefined) {
    if (typeof b !== 'boolean') throw new ProtoDecodeError(`${where}.boolValue: expected true or false`);
    return { boolValue: b };
  }
  const i = field(o, 'intValue', 'int_value');
  if (i !== undefined) {
    if (typeof i === 'string' && /^-?\d{1,19}$/.test(i)) return { intValue: BigInt.asIntN(64, BigInt(i)) };
    if (typeof i === 'number' && Number.isSafeInteger(i)) return { intValue: BigInt(i) };
    throw new ProtoDecodeError(`${where}.intValue: expected a 64-bit integer`);
  }
  const d = field(o, 'doubleValue', 'double_value');
  if (d !== undefined) {
    if (typeof d === 'number') return { doubleValue: d };
    if (d === 'NaN' || d === 'Infinity' || d === '-Infinity') return { doubleValue: Number(d) };
    throw new ProtoDecodeError(`${where}.doubleValue: expected a number`);
  }
  const a = field(o, 'arrayValue', 'array_value');
  if (a !== undefined) {
    return { arrayValue: arr(obj(a, where).values, `${where}.arrayValue.values`).map((x, k) => anyValue(x, `${where}.arrayValue.values[${k}]`, depth + 1)) };
  }
  const m = field(o, 'kvlistValue', 'kvlist_value');
  if (m !== undefined) return { kvlistValue: keyValues(obj(m, where).values, `${where}.kvlistValue.values`, depth + 1) };
  const by = field(o, 'bytesValue', 'bytes_value');
  if (by !== undefined) return { bytesValue: Buffer.from(str(by, `${where}.bytesValue`), 'base64') };
  return {};
}

function resourceLogs(v: unknown, where: string): ResourceLogsData {
  const o = obj(v, where);
  const res = obj(o.resource, `${where}.resource`);
  return {
    resource: {
      attributes: keyValues(res.attributes, `${where}.resource.attributes`, 0),
      droppedAttributesCount: int(field(res, 'droppedAttributesCount', 'dropped_attributes_count'), `${where}.resource.droppedAttributesCount`),
    },
    scopeLogs: arr(field(o, 'scopeLogs', 'scope_logs'), `${where}.scopeLogs`).map((sl, i) => scopeLogs(sl, `${where}.scopeLogs[${i}]`)),
    schemaUrl: str(field(o, 'schemaUrl', 'schema_url'), `${where}.schemaUrl`),
  };
}

function scopeLogs(v: unknown, where: string): ScopeLogsData {
  const o = obj(v, where);
  const sc = obj(o.scope, `${where}.scope`);
  return {
    scope: {
      name: str(sc.name, `${where}.scope.name`),
      version: str(sc.version, `${where}.scope.version`),
      attributes: keyValues(sc.attributes, `${where}.scope.attributes`, 0),
      droppedAttributesCount: int(field(sc, 'droppedAttributesCount', 'dropped_attributes_count'), `${where}.scope.droppedAttributesCount`),
    },
    logRecords: arr(field(o, 'logRecords', 'log_records'), `${where}.logRecords`).map((r, i) => logRecord(r, `${where}.logRecords[${i}]`)),
    schemaUrl: str(field(o, 'schemaUrl', 'schema_url'), `${where}.schemaUrl`),
  };
}

function logRecord(v: unknown, w: string): LogRecordData {
  const o = obj(v, w);
  const body = o.body;
  return {
    timeUnixNano: u64(field(o, 'timeUnixNano', 'time_unix_nano'), `${w}.timeUnixNano`),
    observedTimeUnixNano: u64(field(o, 'observedTimeUnixNano', 'observed_time_unix_nano'), `${w}.observedTimeUnixNano`),
    severityNumber: severity(field(o, 'severityNumber', 'severity_number'), `${w}.severityNumber`),
    severityText: str(field(o, 'severityText', 'severity_text'), `${w}.severityText`),
    body: body === undefined || body === null ? undefined : anyValue(body, `${w}.body`),
    attributes: keyValues(o.attributes, `${w}.attributes`, 0),
    droppedAttributesCount: int(field(o, 'droppedAttributesCount', 'dropped_attributes_count'), `${w}.droppedAttributesCount`),
    flags: int(o.flags, `${w}.flags`) >>> 0,
    traceId: hexId(field(o, 'traceId', 'trace_id'), `${w}.traceId`),
    spanId: hexId(field(o, 'spanId', 'span_id'), `${w}.spanId`),
    eventName: str(field(o, 'eventName', 'event_name'), `${w}.eventName`),
  };
}
