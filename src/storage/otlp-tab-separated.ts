import { readAnyValue } from '../otlp/decode-logs.ts';
import { ProtoDecodeError, ProtoReader } from '../otlp/ProtoReader.ts';
import { anyValueToString } from './any-value.ts';
import { tsvField, tsvQuoted } from './tsv-escape.ts';

/** otel_logs rows as TabSeparated text, straight from protobuf. */
export interface TabSeparatedBatch {
  /** One line per row, INSERT_COLUMNS order (for `LogWriter.writeTabSeparated`). */
  text: string;
  rows: number;
}

/**
 * Turns the bytes of an OTLP `ExportLogsServiceRequest` into otel_logs rows in TabSeparated form
 * in one pass, without the decoded object tree or row tuples (no per-record objects): the same
 * rows as `rowsToTabSeparated(requestToRows(decodeExportLogsRequest(buf)))` — resource and scope
 * columns are serialized once per scope, timestamps are formatted from their two 32-bit halves.
 * Malformed input throws {@link ProtoDecodeError}, as the decoder does.
 */
export function otlpToTabSeparated(buf: Uint8Array, nowNanos: bigint = BigInt(Date.now()) * 1_000_000n): TabSeparatedBatch {
  const out: TabSeparatedBatch = { text: '', rows: 0 };
  const now = { lo: Number(nowNanos & 0xffffffffn), hi: Number(nowNanos >> 32n) };
  const req = new ProtoReader(buf);
  while (!req.done) {
    const t = req.tag();
    if (t === ((1 << 3) | 2)) resourceLogs(sub(req), out, now);
    else req.skip(t & 7);
  }
  return out;
}

interface Half {
  lo: number;
  hi: number;
}

function sub(r: ProtoReader): ProtoReader {
  return r.sub();
}

function resourceLogs(r: ProtoReader, out: TabSeparatedBatch, now: Half): void {
  // Field order on the wire is free: find resource and schema_url before the scopes.
  let attrs: Map<string, string> = new Map();
  let schemaUrl = '';
  const scopes: [number, number][] = [];
  while (!r.done) {
    const t = r.tag();
    if (t === ((1 << 3) | 2)) {
      const res = sub(r);
      while (!res.done) {
        const t2 = res.tag();
        if (t2 === ((1 << 3) | 2)) keyValueInto(sub(res), attrs);
        else res.skip(t2 & 7);
      }
    } else if (t === ((2 << 3) | 2)) scopes.push(r.delimited());
    else if (t === ((3 << 3) | 2)) schemaUrl = r.string();
    else if ((t >>> 3) <= 3) throw new ProtoDecodeError(`ResourceLogs field ${t >>> 3}: wire type ${t & 7}, expected 2`);
    else r.skip(t & 7);
  }
  const service = tsvField(attrs.get('service.name') ?? '');
  const resourcePart = tsvField(schemaUrl) + '\t' + mapText(attrs);
  attrs = new Map();
  for (const [s, e] of scopes) scopeLogs(new ProtoReader(r.buf, s, e), service, resourcePart, out, now);
}

function scopeLogs(r: ProtoReader, service: string, resourcePart: string, out: TabSeparatedBatch, now: Half): void {
  let name = '';
  let version = '';
  const attrs = new Map<string, string>();
  let schemaUrl = '';
  const records: [number, number][] = [];
  while (!r.done) {
    const t = r.tag();
    if (t === ((1 << 3) | 2)) {
      const s = sub(r);
      while (!s.done) {
        const t2 = s.tag();
        if (t2 === ((1 << 3) | 2)) name = s.string();
        else if (t2 === ((2 << 3) | 2)) version = s.string();
        else if (t2 === ((3 << 3) | 2)) keyValueInto(sub(s), attrs);
        else s.skip(t2 & 7);
      }
    } else if (t === ((2 << 3) | 2)) records.push(r.delimited());
    else if (t === ((3 << 3) | 2)) schemaUrl = r.string();
    else if ((t >>> 3) <= 3) throw new ProtoDecodeError(`ScopeLogs field ${t >>> 3}: wire type ${t & 7}, expected 2`);
    else r.skip(t & 7);
  }
  // Columns 7–14 of every row of this scope: ServiceName … ScopeAttributes.
  const middle = '\t' + service + '\t';
  const scopePart = '\t' + resourcePart + '\t' + tsvField(schemaUrl) + '\t' + tsvField(name) + '\t' + tsvField(version) + '\t' + mapText(attrs) + '\t';
  let text = '';
  for (const [s, e] of records) text += logRecord(new ProtoReader(r.buf, s, e), middle, scopePart, now);
  out.text += text;
  out.rows += records.length;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]];
  return s;
}

function logRecord(r: ProtoReader, middle: string, scopePart: string, now: Half): string {
  let tLo = 0;
  let tHi = 0;
  let oLo = 0;
  let oHi = 0;
  let sevNum = 0;
  let sevText = '';
  let body = '';
  const attrs = new Map<string, string>();
  let flags = 0;
  let traceId = '';
  let spanId = '';
  let eventName = '';
  while (!r.done) {
    const t = r.tag();
    switch (t) {
      case (1 << 3) | 1:
        tLo = r.fixed32();
        tHi = r.fixed32();
        break;
      case (2 << 3) | 0:
        sevNum = r.varint32();
        break;
      case (3 << 3) | 2:
        sevText = r.string();
        break;
      case (5 << 3) | 2:
        body = anyValueText(sub(r));
        break;
      case (6 << 3) | 2:
        keyValueInto(sub(r), attrs);
        break;
      case (8 << 3) | 5:
        flags = r.fixed32();
        break;
      case (9 << 3) | 2:
        traceId = hex(r.bytes());
        break;
      case (10 << 3) | 2:
        spanId = hex(r.bytes());
        break;
      case (11 << 3) | 1:
        oLo = r.fixed32();
        oHi = r.fixed32();
        break;
      case (12 << 3) | 2:
        eventName = r.string();
        break;
      default:
        if (t >>> 3 <= 12 && t >>> 3 !== 4 && t >>> 3 !== 7) throw new ProtoDecodeError(`LogRecord field ${t >>> 3}: unexpected wire type ${t & 7}`);
        r.skip(t & 7);
    }
  }
  // Observed falls back to the event time, then to now; the event time to observed (requestToRows).
  if (oLo === 0 && oHi === 0) {
    if (tLo !== 0 || tHi !== 0) {
      oLo = tLo;
      oHi = tHi;
    } else {
      oLo = now.lo;
      oHi = now.hi;
    }
  }
  if (tLo === 0 && tHi === 0) {
    tLo = oLo;
    tHi = oHi;
  }
  return (
    decimalSeconds(tLo, tHi) + '\t' + traceId + '\t' + spanId + '\t' + (flags & 0xff) + '\t' + tsvField(sevText) + '\t' + sevNum +
    middle + tsvField(body) + scopePart + mapText(attrs) + '\t' + tsvField(eventName) + '\t' + decimalSeconds(oLo, oHi) + '\n'
  );
}

// hi * 2^32 split into whole seconds and a nanosecond remainder, computed with bigint once per
// distinct `hi` (it changes every ~4.3 s of timestamps), so each timestamp costs two float ops.
let cachedHi = -1;
let cachedSec = 0;
let cachedRem = 0;

function decimalSeconds(lo: number, hi: number): string {
  if (hi !== cachedHi) {
    const base = BigInt(hi) << 32n;
    cachedHi = hi;
    cachedSec = Number(base / 1_000_000_000n);
    cachedRem = Number(base % 1_000_000_000n);
  }
  const total = cachedRem + lo; // < 1e9 + 2^32: exact
  const carry = Math.floor(total / 1e9);
  const nanos = total - carry * 1e9;
  const n = String(nanos);
  return String(cachedSec + carry) + '.' + '000000000'.slice(n.length) + n;
}

/** A KeyValue into `into` (a repeated key keeps its first position and its last value). */
function keyValueInto(r: ProtoReader, into: Map<string, string>): void {
  let key = '';
  let value = '';
  while (!r.done) {
    const t = r.tag();
    if (t === ((1 << 3) | 2)) key = r.string();
    else if (t === ((2 << 3) | 2)) value = anyValueText(sub(r));
    else r.skip(t & 7);
  }
  into.set(key, value);
}

/** An AnyValue as the otel_logs String it becomes (see any-value.ts); scalars without objects. */
function anyValueText(r: ProtoReader): string {
  const start = r.pos;
  let text = '';
  while (!r.done) {
    const t = r.tag();
    if (t === ((1 << 3) | 2)) text = r.string();
    else if (t === ((2 << 3) | 0)) text = r.varint32() !== 0 ? 'true' : 'false';
    else if (t === ((3 << 3) | 0)) text = r.varint64().toString();
    else if (t === ((4 << 3) | 1)) text = String(r.double());
    else if (t === ((5 << 3) | 2) || t === ((6 << 3) | 2) || t === ((7 << 3) | 2)) {
      // Arrays, maps and bytes are rare: reuse the decoder and the shared conversion.
      return anyValueToString(readAnyValue(new ProtoReader(r.buf, start, r.end)));
    } else r.skip(t & 7);
  }
  return text;
}

function mapText(m: Map<string, string>): string {
  let out = '{';
  for (const [k, v] of m) out += (out.length > 1 ? ',' : '') + tsvQuoted(k) + ':' + tsvQuoted(v);
  return out + '}';
}
