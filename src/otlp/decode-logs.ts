import { ProtoDecodeError, ProtoReader } from './ProtoReader.ts';
import type {
  AnyValue,
  ExportLogsPartialSuccess,
  ExportLogsRequestData,
  KeyValue,
  LogRecordData,
  ResourceLogsData,
  ScopeLogsData,
} from './types.ts';

/**
 * Decodes an `ExportLogsServiceRequest`. Unknown fields are skipped (forward compatibility, as
 * protobuf requires); malformed input throws {@link ProtoDecodeError}.
 */
export function decodeExportLogsRequest(buf: Uint8Array): ExportLogsRequestData {
  const r = new ProtoReader(buf);
  const resourceLogs: ResourceLogsData[] = [];
  while (!r.done) {
    const t = r.tag();
    if (t === ((1 << 3) | 2)) resourceLogs.push(readResourceLogs(r));
    else r.skip(t & 7);
  }
  return { resourceLogs };
}

/** Decodes an `ExportLogsServiceResponse` (used by the exporter to read partial success). */
export function decodeExportLogsResponse(buf: Uint8Array): { partialSuccess?: ExportLogsPartialSuccess } {
  const r = new ProtoReader(buf);
  let partialSuccess: ExportLogsPartialSuccess | undefined;
  while (!r.done) {
    const t = r.tag();
    if (t === ((1 << 3) | 2)) {
      partialSuccess = readPartialSuccess(sub(r));
    } else r.skip(t & 7);
  }
  return partialSuccess ? { partialSuccess } : {};
}

function readPartialSuccess(r: ProtoReader): ExportLogsPartialSuccess {
  const out: ExportLogsPartialSuccess = { rejectedLogRecords: 0, errorMessage: '' };
  while (!r.done) {
    const t = r.tag();
    if (t === ((1 << 3) | 0)) out.rejectedLogRecords = Number(r.varint64());
    else if (t === ((2 << 3) | 2)) out.errorMessage = r.string();
    else r.skip(t & 7);
  }
  return out;
}

function sub(r: ProtoReader): ProtoReader {
  return r.sub();
}

function expectWire(t: number, wire: number, what: string): void {
  if ((t & 7) !== wire) throw new ProtoDecodeError(`${what}: wire type ${t & 7}, expected ${wire}`);
}

function readResourceLogs(outer: ProtoReader): ResourceLogsData {
  const r = sub(outer);
  const out: ResourceLogsData = {
    resource: { attributes: [], droppedAttributesCount: 0 },
    scopeLogs: [],
    schemaUrl: '',
  };
  while (!r.done) {
    const t = r.tag();
    switch (t >>> 3) {
      case 1: {
        expectWire(t, 2, 'ResourceLogs.resource');
        const rr = sub(r);
        while (!rr.done) {
          const t2 = rr.tag();
          if (t2 === ((1 << 3) | 2)) out.resource.attributes.push(readKeyValue(rr));
          else if (t2 === ((2 << 3) | 0)) out.resource.droppedAttributesCount = rr.varint32();
          else rr.skip(t2 & 7);
        }
        break;
      }
      case 2:
        expectWire(t, 2, 'ResourceLogs.scope_logs');
        out.scopeLogs.push(readScopeLogs(r));
        break;
      case 3:
        expectWire(t, 2, 'ResourceLogs.schema_url');
        out.schemaUrl = r.string();
        break;
      default:
        r.skip(t & 7);
    }
  }
  return out;
}

function readScopeLogs(outer: ProtoReader): ScopeLogsData {
  const r = sub(outer);
  const out: ScopeLogsData = {
    scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0 },
    logRecords: [],
    schemaUrl: '',
  };
  while (!r.done) {
    const t = r.tag();
    switch (t >>> 3) {
      case 1: {
        expectWire(t, 2, 'ScopeLogs.scope');
        const s = sub(r);
        while (!s.done) {
          const t2 = s.tag();
          if (t2 === ((1 << 3) | 2)) out.scope.name = s.string();
          else if (t2 === ((2 << 3) | 2)) out.scope.version = s.string();
          else if (t2 === ((3 << 3) | 2)) out.scope.attributes.push(readKeyValue(s));
          else if (t2 === ((4 << 3) | 0)) out.scope.droppedAttributesCount = s.varint32();
          else s.skip(t2 & 7);
        }
        break;
      }
      case 2:
        expectWire(t, 2, 'ScopeLogs.log_records');
        out.logRecords.push(readLogRecord(r));
        break;
      case 3:
        expectWire(t, 2, 'ScopeLogs.schema_url');
        out.schemaUrl = r.string();
        break;
      default:
        r.skip(t & 7);
    }
  }
  return out;
}

const EMPTY = new Uint8Array(0);

function readLogRecord(outer: ProtoReader): LogRecordData {
  const r = sub(outer);
  const rec: LogRecordData = {
    timeUnixNano: 0n,
    observedTimeUnixNano: 0n,
    severityNumber: 0,
    severityText: '',
    body: undefined,
    attributes: [],
    droppedAttributesCount: 0,
    flags: 0,
    traceId: EMPTY,
    spanId: EMPTY,
    eventName: '',
  };
  while (!r.done) {
    const t = r.tag();
    switch (t) {
      case (1 << 3) | 1:
        rec.timeUnixNano = r.fixed64();
        break;
      case (2 << 3) | 0:
        rec.severityNumber = r.varint32();
        break;
      case (3 << 3) | 2:
        rec.severityText = r.string();
        break;
      case (5 << 3) | 2:
        rec.body = readAnyValue(sub(r));
        break;
      case (6 << 3) | 2:
        rec.attributes.push(readKeyValue(r));
        break;
      case (7 << 3) | 0:
        rec.droppedAttributesCount = r.varint32();
        break;
      case (8 << 3) | 5:
        rec.flags = r.fixed32();
        break;
      case (9 << 3) | 2:
        rec.traceId = r.bytes();
        break;
      case (10 << 3) | 2:
        rec.spanId = r.bytes();
        break;
      case (11 << 3) | 1:
        rec.observedTimeUnixNano = r.fixed64();
        break;
      case (12 << 3) | 2:
        rec.eventName = r.string();
        break;
      default:
        if ((t >>> 3) <= 12 && (t >>> 3) !== 4) throw new ProtoDecodeError(`LogRecord field ${t >>> 3}: unexpected wire type ${t & 7}`);
        r.skip(t & 7);
    }
  }
  return rec;
}

function readKeyValue(outer: ProtoReader, depth = 0): KeyValue {
  const r = sub(outer);
  let key = '';
  let value: AnyValue = {};
  while (!r.done) {
    const t = r.tag();
    if (t === ((1 << 3) | 2)) key = r.string();
    else if (t === ((2 << 3) | 2)) value = readAnyValue(sub(r), depth);
    else r.skip(t & 7);
  }
  return { key, value };
}

/** Nesting bound for arrays/maps inside values: deeper input is rejected, not recursed into. */
const MAX_DEPTH = 32;

/** Reads one AnyValue message whose bytes `r` spans (exported for decoders that skip the object tree). */
export function readAnyValue(r: ProtoReader, depth = 0): AnyValue {
  if (depth > MAX_DEPTH) throw new ProtoDecodeError(`AnyValue nested deeper than ${MAX_DEPTH}`);
  let value: AnyValue = {};
  while (!r.done) {
    const t = r.tag();
    switch (t) {
      case (1 << 3) | 2:
        value = { stringValue: r.string() };
        break;
      case (2 << 3) | 0:
        value = { boolValue: r.varint32() !== 0 };
        break;
      case (3 << 3) | 0:
        value = { intValue: r.varint64() };
        break;
      case (4 << 3) | 1:
        value = { doubleValue: r.double() };
        break;
      case (5 << 3) | 2: {
        const a = sub(r);
        const values: AnyValue[] = [];
        while (!a.done) {
          const t2 = a.tag();
          if (t2 === ((1 << 3) | 2)) values.push(readAnyValue(sub(a), depth + 1));
          else a.skip(t2 & 7);
        }
        value = { arrayValue: values };
        break;
      }
      case (6 << 3) | 2: {
        const m = sub(r);
        const values: KeyValue[] = [];
        while (!m.done) {
          const t2 = m.tag();
          if (t2 === ((1 << 3) | 2)) values.push(readKeyValue(m, depth + 1));
          else m.skip(t2 & 7);
        }
        value = { kvlistValue: values };
        break;
      }
      case (7 << 3) | 2:
        value = { bytesValue: r.bytes() };
        break;
      default:
        r.skip(t & 7);
    }
  }
  return value;
}
