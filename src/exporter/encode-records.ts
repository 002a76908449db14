import type { AnyValue, Attributes, HrTime, SpanContext } from '@opentelemetry/api';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { Resource } from '@opentelemetry/resources';
import { ProtoWriter, WireType } from '../otlp/ProtoWriter.ts';
import { EncodedLogRecord } from './EncodedLogRecord.ts';
import { GRPC_FRAME_HEADER_BYTES, markFramable } from './grpc-framing.ts';

/**
 * Encodes SDK log records as an OTLP `ExportLogsServiceRequest`, straight into `writer` (reset
 * first). Records are grouped by resource, then by instrumentation scope, as OTLP requires.
 * Integers become `int_value`, other numbers `double_value` (as the official transformer does).
 */
export function encodeLogRecords(records: readonly ReadableLogRecord[], writer: ProtoWriter): Buffer {
  writeLogRecords(records, writer);
  return writer.finish();
}

/**
 * Like {@link encodeLogRecords}, but returns the writer's own bytes (no copy): valid only until
 * the writer is used again.
 */
export function encodeLogRecordsView(records: readonly ReadableLogRecord[], writer: ProtoWriter): Buffer {
  writeLogRecords(records, writer);
  return writer.bytesView();
}

/**
 * Like {@link encodeLogRecordsView}, with the writer's first {@link GRPC_FRAME_HEADER_BYTES} bytes
 * left free and the view marked for grpc-js to frame in place (`grpc-framing.ts`).
 */
export function encodeLogRecordsFramable(records: readonly ReadableLogRecord[], writer: ProtoWriter): Buffer {
  writeLogRecords(records, writer, GRPC_FRAME_HEADER_BYTES);
  return markFramable(writer.bytesView(GRPC_FRAME_HEADER_BYTES));
}

function writeLogRecords(records: readonly ReadableLogRecord[], writer: ProtoWriter, headroom = 0): void {
  writer.reset(headroom);
  for (const [resource, scopes] of groupRecords(records)) {
    writer.tag(1, WireType.LEN); // ExportLogsServiceRequest.resource_logs
    let count = 0;
    for (const group of scopes.values()) count += group.length;
    const rlReserve = lengthReserve(count);
    const rl = writer.beginMessage(rlReserve);
    writeResource(writer, resource);
    for (const group of scopes.values()) writeScopeLogs(writer, group);
    if (resource.schemaUrl) {
      writer.tag(3, WireType.LEN);
      writer.string(resource.schemaUrl);
    }
    writer.endMessage(rl, rlReserve);
  }
  if (records.length > 0) bytesPerRecord = (writer.pos - headroom) / records.length;
}

/** Average encoded size of a record in the last request (an estimate for {@link lengthReserve}). */
let bytesPerRecord = 128;

/**
 * Bytes to reserve for the length of a message holding `records` records: the varint size of the
 * expected length, so that the ResourceLogs/ScopeLogs wrappers of a large batch are not moved to
 * make room for a longer length (with a 1-byte reserve, two moves of the whole ~0.5 MB body per
 * 4096-record batch: ~5% of encoding in a profile). A wrong guess costs only that move.
 */
function lengthReserve(records: number): number {
  const expected = records * bytesPerRecord + 256;
  return expected < 0x80 ? 1 : expected < 0x4000 ? 2 : expected < 0x200000 ? 3 : 4;
}

type ScopeGroup = ReadableLogRecord[];
type Scope = ReadableLogRecord['instrumentationScope'];

/**
 * Groups by resource, then by scope. The SDK shares one scope object per logger, so records are
 * first grouped by object identity (no per-record key string: measured ~0.1 µs/record), and only
 * the distinct scope objects are merged by name/version/schemaUrl, as OTLP requires.
 */
function groupRecords(records: readonly ReadableLogRecord[]): Map<Resource, Map<string, ScopeGroup>> {
  // The common batch, one resource and one scope (logq's queued bytes: a few runs and thousands of
  // fillers), is its own group: a compare per record instead of a push (groupRecords was ~7% of the
  // app at 200k records/s in `perf`, most of it pushes into the group arrays).
  const n = records.length;
  if (n > 0) {
    const scope = records[0].instrumentationScope;
    const resource = records[0].resource;
    let i = 1;
    while (i < n && records[i].instrumentationScope === scope && records[i].resource === resource) i++;
    if (i === n) return new Map([[resource, new Map([[scopeKey(scope), records as ScopeGroup]])]]);
  }
  const byObject = new Map<Resource, Map<Scope, ScopeGroup>>();
  let lastScope: Scope | undefined;
  let lastResource: Resource | undefined;
  let lastGroup: ScopeGroup = [];
  for (const rec of records) {
    const s = rec.instrumentationScope;
    if (s === lastScope && rec.resource === lastResource) {
      lastGroup.push(rec);
      continue;
    }
    let scopes = byObject.get(rec.resource);
    if (!scopes) {
      scopes = new Map();
      byObject.set(rec.resource, scopes);
    }
    let group = scopes.get(s);
    if (!group) {
      group = [];
      scopes.set(s, group);
    }
    group.push(rec);
    lastScope = s;
    lastResource = rec.resource;
    lastGroup = group;
  }
  const byResource = new Map<Resource, Map<string, ScopeGroup>>();
  for (const [resource, scopes] of byObject) {
    const byKey = new Map<string, ScopeGroup>();
    for (const [s, group] of scopes) {
      const key = scopeKey(s);
      const existing = byKey.get(key);
      if (existing) for (const r of group) existing.push(r);
      else byKey.set(key, group);
    }
    byResource.set(resource, byKey);
  }
  return byResource;
}

/** Scopes with the same name, version and schema URL are one scope in OTLP. */
function scopeKey(s: Scope): string {
  return `${s.name}\u0000${s.version ?? ''}\u0000${s.schemaUrl ?? ''}`;
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
  const slReserve = lengthReserve(group.length);
  const sl = w.beginMessage(slReserve);
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
  // Records encoded when emitted (PreEncodeProcessor) are copied as they are, runs of adjacent
  // bytes in one go.
  let runBuf: Uint8Array | undefined;
  let runStart = 0;
  let runEnd = 0;
  for (const rec of group) {
    if (rec instanceof EncodedLogRecord) {
      // A run's filler: its bytes are in the run's first entry.
      if (rec.start === rec.end) continue;
      if (rec.buf === runBuf && rec.start === runEnd) {
        runEnd = rec.end;
        continue;
      }
      if (runBuf) w.raw(runBuf, runStart, runEnd);
      runBuf = rec.buf;
      runStart = rec.start;
      runEnd = rec.end;
      continue;
    }
    if (runBuf) {
      w.raw(runBuf, runStart, runEnd);
      runBuf = undefined;
    }
    writeLogRecord(w, rec);
  }
  if (runBuf) w.raw(runBuf, runStart, runEnd);
  if (scope.schemaUrl) {
    w.tag(3, WireType.LEN);
    w.string(scope.schemaUrl);
  }
  w.endMessage(sl, slReserve);
}

// Tags of LogRecord fields, precomputed (field << 3 | wire type); all fit in one byte.
const T_TIME = (1 << 3) | WireType.FIXED64;
const T_SEVERITY_NUMBER = (2 << 3) | WireType.VARINT;
const T_SEVERITY_TEXT = (3 << 3) | WireType.LEN;
const T_BODY = (5 << 3) | WireType.LEN;
const T_DROPPED = (7 << 3) | WireType.VARINT;
const T_FLAGS = (8 << 3) | WireType.FIXED32;
const T_TRACE_ID = (9 << 3) | WireType.LEN;
const T_SPAN_ID = (10 << 3) | WireType.LEN;
const T_OBSERVED = (11 << 3) | WireType.FIXED64;
const T_EVENT_NAME = (12 << 3) | WireType.LEN;
const T_LOG_RECORD = (2 << 3) | WireType.LEN;

/**
 * Length of the previous record: its varint size is the reserve for the next record's length, as
 * records of one app are mostly alike. A fixed 2-byte reserve meant moving every record under 128
 * bytes (a typical one is ~110) back by one byte: a copyWithin per record (~1% of the app-export
 * process in a profile). A wrong guess costs the same move.
 */
let lastRecordLength = 100;

/** Writes one record (`ScopeLogs.log_records`: tag, length, LogRecord). */
export function writeLogRecord(w: ProtoWriter, rec: ReadableLogRecord): void {
  writeLogFields(w, rec.hrTime, rec.hrTimeObserved, rec.severityNumber, rec.severityText, rec.body, rec.attributes, rec.droppedAttributesCount, rec.spanContext, rec.eventName);
}

/**
 * Writes one record from its fields (what {@link writeLogRecord} reads from a record object; logq's
 * loggers call this directly on registerLogging's default pipeline, see intake.ts).
 */
export function writeLogFields(
  w: ProtoWriter,
  time: HrTime,
  observed: HrTime,
  severityNumber: number | undefined,
  severityText: string | undefined,
  body: AnyValue | undefined,
  attributes: Attributes | undefined,
  droppedAttributesCount: number,
  sc: SpanContext | undefined,
  eventName: string | undefined,
): void {
  w.byte(T_LOG_RECORD); // ScopeLogs.log_records
  const reserve = lastRecordLength < 0x80 ? 1 : lastRecordLength < 0x4000 ? 2 : 3;
  const at = w.beginMessage(reserve);
  w.byte(T_TIME);
  w.fixed64HrTime(time[0], time[1]);
  if (severityNumber) {
    w.byte(T_SEVERITY_NUMBER);
    w.varint32(severityNumber);
  }
  if (severityText) {
    w.byte(T_SEVERITY_TEXT);
    w.string(severityText);
  }
  if (body !== undefined && body !== null && !(typeof body === 'string' && w.anyValueString(T_BODY, body))) {
    w.byte(T_BODY);
    writeAnyValue(w, body);
  }
  writeAttributes(w, 6, attributes);
  if (droppedAttributesCount) {
    w.byte(T_DROPPED);
    w.varint32(droppedAttributesCount);
  }
  if (sc && sc.traceId) {
    w.byte(T_FLAGS);
    w.fixed32(sc.traceFlags & 0xff);
    w.byte(T_TRACE_ID);
    w.hexBytes(sc.traceId);
    w.byte(T_SPAN_ID);
    w.hexBytes(sc.spanId);
  }
  w.byte(T_OBSERVED);
  w.fixed64HrTime(observed[0], observed[1]);
  if (eventName) {
    w.byte(T_EVENT_NAME);
    w.string(eventName);
  }
  lastRecordLength = w.pos - at - reserve;
  w.endMessage(at, reserve);
}

function writeAttributes(w: ProtoWriter, field: number, attrs: Attributes | undefined, depth = 0): void {
  if (!attrs) return;
  const tag = (field << 3) | WireType.LEN; // field < 16: a one-byte tag
  for (const key in attrs) {
    const value = attrs[key];
    if (value === undefined) continue;
    const t = typeof value;
    // Scalars (nearly every attribute) in one go; anything else, or what the fast form refuses, below.
    if ((t === 'string' || t === 'number' || t === 'boolean') && w.keyValueScalar(tag, key, value as string | number | boolean)) continue;
    w.byte(tag);
    const kv = w.beginMessage();
    w.byte((1 << 3) | WireType.LEN);
    w.string(key);
    w.byte((2 << 3) | WireType.LEN);
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
      w.byte((1 << 3) | WireType.LEN);
      w.string(value);
      break;
    case 'boolean':
      w.byte((2 << 3) | WireType.VARINT);
      w.varint32(value ? 1 : 0);
      break;
    case 'number':
      if (Number.isSafeInteger(value)) {
        w.byte((3 << 3) | WireType.VARINT);
        w.varint64(value);
      } else {
        w.byte((4 << 3) | WireType.FIXED64);
        w.double(value);
      }
      break;
    case 'bigint':
      w.byte((3 << 3) | WireType.VARINT);
      w.varint64(value);
      break;
    case 'object':
      if (value === null) break;
      if (value instanceof Uint8Array) {
        w.byte((7 << 3) | WireType.LEN);
        w.bytes(value);
      } else if (Array.isArray(value)) {
        w.byte((5 << 3) | WireType.LEN);
        const arr = w.beginMessage();
        for (const item of value) {
          w.byte((1 << 3) | WireType.LEN);
          writeAnyValue(w, item as AnyValue, depth + 1);
        }
        w.endMessage(arr);
      } else {
        w.byte((6 << 3) | WireType.LEN);
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
