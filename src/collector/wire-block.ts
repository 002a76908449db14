import { INSERT_COLUMNS } from '../storage/ddl.ts';
import { NATIVE_TYPES } from '../storage/native-format.ts';
import { NativeByteWriter } from './NativeByteWriter.ts';
import type { WireMaps } from './WireMaps.ts';
import type { WireValues } from './WireValues.ts';

/**
 * A kept record's numbers in {@link WireBlock.rows}, at these offsets within its STRIDE: the
 * timestamps' 32-bit halves (fallbacks applied), flags and severity as stored, byte ranges of the
 * trace and span ids, text references (see WireValues) of severity text, body and event name,
 * and its resource's and scope's index.
 */
export const T_LO = 0, T_HI = 1, O_LO = 2, O_HI = 3, FLAGS = 4, SEV = 5, ST_S = 6, ST_E = 7, TR_S = 8, TR_E = 9;
export const SP_S = 10, SP_E = 11, BODY_S = 12, BODY_E = 13, EV_S = 14, EV_E = 15, RES = 16, SCOPE = 17, STRIDE = 18;

/** Column headers (name, type) as Native bytes, written once per block. */
const HEADERS: Buffer[] = INSERT_COLUMNS.map((name) => {
  const w = new NativeByteWriter(64);
  w.string(name);
  w.string(NATIVE_TYPES[name]);
  return Buffer.from(w.bytes());
});

/** What the byte-level pass keeps of a request's records, for {@link writeWireBlock}. */
export interface WireBlock {
  src: Uint8Array;
  /** Kept records. */
  n: number;
  /** STRIDE numbers per kept record. */
  rows: Int32Array;
  values: WireValues;
  /** Per resource: service name and schema URL references, 4 numbers. */
  resources: number[];
  /** Per scope: schema URL, name and version references, 6 numbers. */
  scopes: number[];
  resourceMaps: WireMaps;
  scopeMaps: WireMaps;
  logMaps: WireMaps;
}

/** Writes the Native block of the kept records, columns in INSERT_COLUMNS order. */
export function writeWireBlock(block: WireBlock): Buffer {
  const { n, rows: r, values, src, resources: res, scopes: sc } = block;
  const out = new NativeByteWriter(512 + n * 96 + src.length);
  out.varint(INSERT_COLUMNS.length);
  out.varint(n);
  const resOf = new Int32Array(n);
  const scopeOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    resOf[i] = r[i * STRIDE + RES];
    scopeOf[i] = r[i * STRIDE + SCOPE];
  }
  const end = n * STRIDE;
  let col = 0;
  out.raw(HEADERS[col++]); // Timestamp
  for (let b = 0; b < end; b += STRIDE) out.u32pair(r[b + T_LO], r[b + T_HI]);
  out.raw(HEADERS[col++]); // TraceId
  for (let b = 0; b < end; b += STRIDE) out.hex(src, r[b + TR_S], r[b + TR_E]);
  out.raw(HEADERS[col++]); // SpanId
  for (let b = 0; b < end; b += STRIDE) out.hex(src, r[b + SP_S], r[b + SP_E]);
  out.raw(HEADERS[col++]); // TraceFlags
  for (let b = 0; b < end; b += STRIDE) out.u8(r[b + FLAGS]);
  out.raw(HEADERS[col++]); // SeverityText
  for (let b = 0; b < end; b += STRIDE) values.write(out, r[b + ST_S], r[b + ST_E]);
  out.raw(HEADERS[col++]); // SeverityNumber
  for (let b = 0; b < end; b += STRIDE) out.u8(r[b + SEV]);
  out.raw(HEADERS[col++]); // ServiceName
  for (let i = 0; i < n; i++) values.write(out, res[resOf[i] * 4], res[resOf[i] * 4 + 1]);
  out.raw(HEADERS[col++]); // Body
  for (let b = 0; b < end; b += STRIDE) values.write(out, r[b + BODY_S], r[b + BODY_E]);
  out.raw(HEADERS[col++]); // ResourceSchemaUrl
  for (let i = 0; i < n; i++) values.write(out, res[resOf[i] * 4 + 2], res[resOf[i] * 4 + 3]);
  out.raw(HEADERS[col++]); // ResourceAttributes
  block.resourceMaps.write(out, n, resOf);
  for (const k of [0, 2, 4]) {
    out.raw(HEADERS[col++]); // ScopeSchemaUrl, ScopeName, ScopeVersion
    for (let i = 0; i < n; i++) values.write(out, sc[scopeOf[i] * 6 + k], sc[scopeOf[i] * 6 + k + 1]);
  }
  out.raw(HEADERS[col++]); // ScopeAttributes
  block.scopeMaps.write(out, n, scopeOf);
  out.raw(HEADERS[col++]); // LogAttributes
  block.logMaps.write(out, n, undefined);
  out.raw(HEADERS[col++]); // EventName
  for (let b = 0; b < end; b += STRIDE) values.write(out, r[b + EV_S], r[b + EV_E]);
  out.raw(HEADERS[col++]); // ObservedTimestamp
  for (let b = 0; b < end; b += STRIDE) out.u32pair(r[b + O_LO], r[b + O_HI]);
  return out.bytes();
}
