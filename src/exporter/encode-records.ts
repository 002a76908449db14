import type { AnyValue, Attributes } from '@opentelemetry/api';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { Resource } from '@opentelemetry/resources';
import { ProtoWriter, WireType } from '../otlp/ProtoWriter.ts';
import { hrTimeToFixed64Parts } from '../otlp/hr-time.ts';

/**
 * Encodes SDK log records as an OTLP `ExportLogsServiceRequest`, straight into `writer` (reset
 * first). Records are grouped by resource, then by instrumentation scope, as OTLP requires.
 * Integers become `int_value`, other numbers `double_value` (as the official transformer does).
 */
export function encodeLogRecords(records: readonly ReadableLogRecord[], writer: ProtoWriter): Buffer {
  writer.reset();
  for (const [resource, scopes] of groupRecords(records)) {
    writer.tag(1, WireType.LEN); // ExportLogsServiceRequest.resource_logs
    const rl = writer.beginMessage();
    writeResource(writer, resource);
    for (const group of scopes.values()) writeScopeLogs(writer, group);
    if (resource.schemaUrl) {
      writer.tag(3, WireType.LEN);
      writer.string(resource.schemaUrl);
    }
    writer.endMessage(rl);
  }
  return writer.finish();
}

type ScopeGroup = ReadableLogRecord[];

function groupRecords(records: readonly ReadableLogRecord[]): Map<Resource, Map<string, ScopeGroup>> {
  const byResource = new Map<Resource, Map<string, ScopeGroup>>();
  for (const rec of records) {
    let scopes = byResource.get(rec.resource);
    if (!scopes) {
      scopes = new Map();
      byResource.set(rec.resource, scopes);
    }
    const s = rec.instrumentationScope;
    const key = `${s.name}\u0000${s.version ?? ''}\u0000${s.schemaUrl ?? ''}`;
    let group = scopes.get(key);
    if (!group) {
      group = [];
      scopes.set(key, group);
    }
    group.push(rec);
  }
  return byResource;
}

function writeResource(w: ProtoWriter, resource: Resource): void {
  w.tag(1, WireType.LEN); // ResourceLogs.resource
  const at = w.beginMessage();
  writeAttributes(w, 1, resource.attributes);
  w.endMessage(at);
}

function writeScopeLogs(w: ProtoWriter, group: ScopeGroup): void {
  const scope = group[0].instrumentationScope;
  w.tag(2, WireType.LEN); // ResourceLogs.scope_logs
  const sl = w.beginMessage();
  w.tag(1, WireType.LEN); // ScopeLogs.scope
  const sc = w.beginMessage();
  if (scope.name) {
    w.tag(1, WireType.LEN);
    w.string(scope.name);
  }
  if (scope.version) {
    w.tag(2, WireType.LEN);
    w.string(scope.version);
  }
  if (scope.attributes) writeAttributes(w, 3, scope.attributes);
  if (scope.droppedAttributesCount) {
    w.tag(4, WireType.VARINT);
    w.varint32(scope.droppedAttributesCount);
  }
  w.endMessage(sc);
  for (const rec of group) writeLogRecord(w, rec);
  if (scope.schemaUrl) {
    w.tag(3, WireType.LEN);
    w.string(scope.schemaUrl);
  }
  w.endMessage(sl);
}

function writeLogRecord(w: ProtoWriter, rec: ReadableLogRecord): void {
  w.tag(2, WireType.LEN); // ScopeLogs.log_records
  const at = w.beginMessage();
  const [lo, hi] = hrTimeToFixed64Parts(rec.hrTime[0], rec.hrTime[1]);
  w.tag(1, WireType.FIXED64);
  w.fixed64Parts(lo, hi);
  if (rec.severityNumber) {
    w.tag(2, WireType.VARINT);
    w.varint32(rec.severityNumber);
  }
  if (rec.severityText) {
    w.tag(3, WireType.LEN);
    w.string(rec.severityText);
  }
  if (rec.body !== undefined && rec.body !== null) {
    w.tag(5, WireType.LEN);
    writeAnyValue(w, rec.body);
  }
  writeAttributes(w, 6, rec.attributes);
  if (rec.droppedAttributesCount) {
    w.tag(7, WireType.VARINT);
    w.varint32(rec.droppedAttributesCount);
  }
  const sc = rec.spanContext;
  if (sc && sc.traceId) {
    w.tag(8, WireType.FIXED32);
    w.fixed32(sc.traceFlags & 0xff);
    w.tag(9, WireType.LEN);
    w.hexBytes(sc.traceId);
    w.tag(10, WireType.LEN);
    w.hexBytes(sc.spanId);
  }
  const [olo, ohi] = hrTimeToFixed64Parts(rec.hrTimeObserved[0], rec.hrTimeObserved[1]);
  w.tag(11, WireType.FIXED64);
  w.fixed64Parts(olo, ohi);
  if (rec.eventName) {
    w.tag(12, WireType.LEN);
    w.string(rec.eventName);
  }
  w.endMessage(at);
}

function writeAttributes(w: ProtoWriter, field: number, attrs: Attributes | undefined, depth = 0): void {
  if (!attrs) return;
  for (const key in attrs) {
    const value = attrs[key];
    if (value === undefined) continue;
    w.tag(field, WireType.LEN);
    const kv = w.beginMessage();
    w.tag(1, WireType.LEN);
    w.string(key);
    w.tag(2, WireType.LEN);
    writeAnyValue(w, value as AnyValue, depth);
    w.endMessage(kv);
  }
}

/** Nesting bound for values: a cyclic or absurdly deep object is cut off, never recursed forever. */
const MAX_DEPTH = 16;

/** Writes a length-delimited AnyValue message (the caller wrote the tag). */
function writeAnyValue(w: ProtoWriter, value: AnyValue, depth = 0): void {
  const at = w.beginMessage();
  if (depth > MAX_DEPTH && typeof value === 'object' && value !== null) value = '[max depth exceeded]';
  switch (typeof value) {
    case 'string':
      w.tag(1, WireType.LEN);
      w.string(value);
      break;
    case 'boolean':
      w.tag(2, WireType.VARINT);
      w.varint32(value ? 1 : 0);
      break;
    case 'number':
      if (Number.isSafeInteger(value)) {
        w.tag(3, WireType.VARINT);
        w.varint64(value);
      } else {
        w.tag(4, WireType.FIXED64);
        w.double(value);
      }
      break;
    case 'bigint':
      w.tag(3, WireType.VARINT);
      w.varint64(value);
      break;
    case 'object':
      if (value === null) break;
      if (value instanceof Uint8Array) {
        w.tag(7, WireType.LEN);
        w.bytes(value);
      } else if (Array.isArray(value)) {
        w.tag(5, WireType.LEN);
        const arr = w.beginMessage();
        for (const item of value) {
          w.tag(1, WireType.LEN);
          writeAnyValue(w, item as AnyValue, depth + 1);
        }
        w.endMessage(arr);
      } else {
        w.tag(6, WireType.LEN);
        const kvl = w.beginMessage();
        writeAttributes(w, 1, value as Attributes, depth + 1);
        w.endMessage(kvl);
      }
      break;
    default:
      // undefined, functions, symbols: an empty AnyValue.
      break;
  }
  w.endMessage(at);
}
