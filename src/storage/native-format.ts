import { hrTimeToFixed64Parts } from '../otlp/hr-time.ts';
import type { LogRow } from './rows.ts';
import { INSERT_COLUMNS } from './ddl.ts';

/**
 * ClickHouse's `Native` format for otel_logs rows: one block = varint column count, varint row
 * count, then per column its name, its type name and its values, column after column. It is the
 * engine's own block layout, so an insert costs what the engine's `INSERT … SELECT` costs
 * (bench/insert-cost: ~2.1–2.6 µs/row vs ~6.3–8.3 for TabSeparated and more for JSON, which the
 * engine must parse). Types are declared without LowCardinality (the insert converts: the
 * difference measured within 10%), Maps as `Map(String, String)` (offsets, then keys, then values).
 */
export const NATIVE_TYPES: Readonly<Record<(typeof INSERT_COLUMNS)[number], string>> = {
  Timestamp: 'DateTime64(9)',
  TraceId: 'String',
  SpanId: 'String',
  TraceFlags: 'UInt8',
  SeverityText: 'String',
  SeverityNumber: 'UInt8',
  ServiceName: 'String',
  Body: 'String',
  ResourceSchemaUrl: 'String',
  ResourceAttributes: 'Map(String, String)',
  ScopeSchemaUrl: 'String',
  ScopeName: 'String',
  ScopeVersion: 'String',
  ScopeAttributes: 'Map(String, String)',
  LogAttributes: 'Map(String, String)',
  EventName: 'String',
  ObservedTimestamp: 'DateTime64(9)',
};

/** `seconds.nnnnnnnnn` (a LogRow timestamp) → [lo, hi] of the nanosecond count; throws on other text. */
function decimalSecondsParts(text: string): [number, number] {
  let sec = 0;
  let frac = 0;
  let fracDigits = -1;
  const len = text.length;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c === -2 && fracDigits < 0 && i > 0) fracDigits = 0;
    else if (c < 0 || c > 9 || fracDigits >= 9 || (fracDigits < 0 && i >= 11)) fracDigits = 99;
    else if (fracDigits < 0) sec = sec * 10 + c;
    else {
      frac = frac * 10 + c;
      fracDigits++;
    }
    if (fracDigits === 99) break;
  }
  if (len === 0 || fracDigits === 99) {
    throw new TypeError(`timestamp ${JSON.stringify(text)} is not seconds.nanoseconds since the epoch (expected e.g. 1700000000.123456789)`);
  }
  for (let d = Math.max(fracDigits, 0); d < 9; d++) frac *= 10;
  return hrTimeToFixed64Parts(sec, frac);
}

const HEX = Buffer.from('0123456789abcdef', 'latin1');

/** Buffer's UTF-8 writer without `write()`'s argument handling (present on every Node Buffer). */
interface Utf8Writer {
  utf8Write(s: string, offset: number, length?: number): number;
}

/** A growable byte buffer with the writes the Native format needs. */
export class NativeOut {
  buf: Buffer;
  pos = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }
  protected grow(need: number): void {
    if (this.pos + need <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + need));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  varint(n: number): void {
    this.grow(10);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }
  string(s: string): void {
    const len = s.length;
    // Short ASCII strings (most keys, levels, ids) are copied in JS: cheaper than a call into C++.
    if (len <= 64) {
      // Up to 3 bytes per unit, and a 2-byte length once the bytes reach 128.
      this.grow(2 + len * 3);
      const buf = this.buf;
      const start = this.pos + 1;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + i] = c;
      }
      // ≤ 64 units of at most 3 bytes each: the length always fits a 2-byte varint, reserve 1 and fix up.
      const n = i === len ? len : i + (buf as unknown as Utf8Writer).utf8Write(s.slice(i), start + i);
      if (n < 0x80) {
        buf[this.pos] = n;
        this.pos = start + n;
      } else {
        buf.copyWithin(start + 1, start, start + n);
        buf[this.pos] = (n & 0x7f) | 0x80;
        buf[this.pos + 1] = n >> 7;
        this.pos = start + 1 + n;
      }
      return;
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.varint(n);
    this.grow(n);
    this.pos += (this.buf as unknown as Utf8Writer).utf8Write(s, this.pos, n);
  }
  /** A String of the lower-case hex digits of the bytes [s, e) of `src` (trace and span ids). */
  hex(src: Uint8Array, s = 0, e = src.length): void {
    const n = e - s;
    if (n * 2 >= 0x80) {
      this.string(Buffer.from(src.buffer, src.byteOffset + s, n).toString('hex'));
      return;
    }
    this.grow(1 + n * 2);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = n * 2;
    for (let i = s; i < e; i++) {
      const b = src[i];
      buf[p++] = HEX[b >> 4];
      buf[p++] = HEX[b & 15];
    }
    this.pos = p;
  }
  /** Bytes [start, end) of `src` copied as they are, no length prefix. */
  raw(src: Uint8Array, start = 0, end = src.length): void {
    this.grow(end - start);
    this.buf.set(src.subarray(start, end), this.pos);
    this.pos += end - start;
  }
  /** A column header: name and type. */
  column(name: string, type: string): void {
    this.string(name);
    this.string(type);
  }
  /** The bytes written so far. */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
  u8(n: number): void {
    this.grow(1);
    this.buf[this.pos++] = n;
  }
  /** A little-endian 64-bit value from its 32-bit halves (signed or unsigned: the low 32 bits are written). */
  u32pair(lo: number, hi: number): void {
    this.grow(8);
    const buf = this.buf;
    const p = this.pos;
    buf[p] = lo;
    buf[p + 1] = lo >>> 8;
    buf[p + 2] = lo >>> 16;
    buf[p + 3] = lo >>> 24;
    buf[p + 4] = hi;
    buf[p + 5] = hi >>> 8;
    buf[p + 6] = hi >>> 16;
    buf[p + 7] = hi >>> 24;
    this.pos = p + 8;
  }
}

type MapIndex = 9 | 13 | 14;
type StringIndex = 1 | 2 | 4 | 6 | 7 | 8 | 10 | 11 | 12 | 15;

/**
 * Serializes rows as one Native block (INSERT_COLUMNS order). Throws a TypeError naming the row
 * and column for a value that does not fit its column (the caller treats it as a data error).
 */
export function rowsToNative(rows: readonly LogRow[]): Buffer {
  const out = new NativeOut(256 + rows.length * 256);
  out.varint(INSERT_COLUMNS.length);
  out.varint(rows.length);
  INSERT_COLUMNS.forEach((name, col) => {
    out.string(name);
    out.string(NATIVE_TYPES[name]);
    switch (NATIVE_TYPES[name]) {
      case 'DateTime64(9)':
        for (let i = 0; i < rows.length; i++) {
          const v = rows[i][col as 0 | 16];
          let parts: [number, number];
          try {
            parts = decimalSecondsParts(String(v));
          } catch (error) {
            throw new TypeError(`row ${i}, ${name}: ${(error as Error).message}`);
          }
          out.u32pair(parts[0], parts[1]);
        }
        break;
      case 'UInt8':
        for (let i = 0; i < rows.length; i++) out.u8(Number(rows[i][col as 3 | 5]) & 0xff);
        break;
      case 'String':
        for (let i = 0; i < rows.length; i++) {
          const v = rows[i][col as StringIndex];
          out.string(typeof v === 'string' ? v : String(v ?? ''));
        }
        break;
      default: {
        // Map(String, String) = Array(Tuple(String, String)): cumulative offsets, all keys, all values.
        const keys: string[][] = new Array(rows.length);
        let total = 0;
        for (let i = 0; i < rows.length; i++) {
          const ks = Object.keys(rows[i][col as MapIndex] ?? {});
          keys[i] = ks;
          total += ks.length;
          out.u32pair(total % 4294967296, Math.floor(total / 4294967296));
        }
        for (let i = 0; i < rows.length; i++) for (const k of keys[i]) out.string(k);
        for (let i = 0; i < rows.length; i++) {
          const m = rows[i][col as MapIndex];
          for (const k of keys[i]) {
            const v = m[k];
            out.string(typeof v === 'string' ? v : String(v));
          }
        }
      }
    }
  });
  return out.buf.subarray(0, out.pos);
}

/** A position in a Native block with the reads both readers need. */
class BlockReader {
  pos = 0;
  readonly b: Buffer;
  constructor(b: Buffer) {
    this.b = b;
  }
  fail(what: string): never {
    throw new RangeError(`Native block: ${what} at byte ${this.pos} of ${this.b.length}`);
  }
  varint(): number {
    let n = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= this.b.length) this.fail('truncated varint');
      const byte = this.b[this.pos++];
      n += (byte & 0x7f) * mul;
      if (byte < 0x80) return n;
      mul *= 128;
      if (mul > 2 ** 56) this.fail('varint too long');
    }
  }
}

/** Reads what {@link rowsToNative} wrote (used to split a batch ClickHouse refused and in tests). */
export function nativeToRows(buf: Uint8Array): LogRow[] {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const r = new BlockReader(b);
  const str = (): string => {
    const n = r.varint();
    if (r.pos + n > b.length) r.fail(`string of ${n} bytes runs past the end`);
    const s = b.toString('utf8', r.pos, r.pos + n);
    r.pos += n;
    return s;
  };
  const rows: LogRow[] = [];
  while (r.pos < b.length) {
    const cols = r.varint();
    const count = r.varint();
    if (cols !== INSERT_COLUMNS.length) r.fail(`${cols} columns, expected ${INSERT_COLUMNS.length}`);
    const block: unknown[][] = Array.from({ length: count }, () => new Array<unknown>(cols));
    for (let c = 0; c < cols; c++) {
      const name = str();
      const type = str();
      if (name !== INSERT_COLUMNS[c] || type !== NATIVE_TYPES[INSERT_COLUMNS[c]]) r.fail(`column ${c} is ${name} ${type}, expected ${INSERT_COLUMNS[c]} ${NATIVE_TYPES[INSERT_COLUMNS[c]]}`);
      if (type === 'DateTime64(9)') {
        if (r.pos + count * 8 > b.length) r.fail(`${name} runs past the end`);
        for (let i = 0; i < count; i++, r.pos += 8) {
          const ns = b.readBigUInt64LE(r.pos).toString().padStart(10, '0');
          block[i][c] = `${ns.slice(0, -9)}.${ns.slice(-9)}`;
        }
      } else if (type === 'UInt8') {
        if (r.pos + count > b.length) r.fail(`${name} runs past the end`);
        for (let i = 0; i < count; i++) block[i][c] = b[r.pos++];
      } else if (type === 'String') {
        for (let i = 0; i < count; i++) block[i][c] = str();
      } else {
        if (r.pos + count * 8 > b.length) r.fail(`${name} offsets run past the end`);
        const ends: number[] = [];
        for (let i = 0; i < count; i++, r.pos += 8) ends.push(Number(b.readBigUInt64LE(r.pos)));
        const total = count ? ends[count - 1] : 0;
        const keys: string[] = [];
        for (let k = 0; k < total; k++) keys.push(str());
        // No prototype: a key such as __proto__ is an ordinary entry.
        const maps = ends.map(() => Object.create(null) as Record<string, string>);
        let row = 0;
        for (let k = 0; k < total; k++) {
          while (k >= ends[row]) row++;
          maps[row][keys[k]] = str();
        }
        for (let i = 0; i < count; i++) block[i][c] = maps[i];
      }
    }
    for (const values of block) rows.push(values as LogRow);
  }
  return rows;
}

/** Where one column's data lies in a block (for a Map: its offsets, keys and values parts). */
interface ColumnSpan {
  start: number;
  end: number;
  /** Map columns: entries in the block, and where keys and values start. */
  entries?: number;
  keys?: number;
  values?: number;
}

/** Finds each column's data in a block written by {@link rowsToNative} (or {@link mergeNativeBlocks}) without decoding strings. */
function scanBlock(b: Buffer): { rows: number; spans: ColumnSpan[] } {
  const r = new BlockReader(b);
  const skipStrings = (count: number) => {
    for (let i = 0; i < count; i++) {
      const n = r.varint(); // read before adding: `r.pos += r.varint()` would add to the old r.pos
      r.pos += n;
    }
    if (r.pos > b.length) r.fail('strings run past the end');
  };
  const name = () => {
    const n = r.varint();
    r.pos += n;
    return b.toString('latin1', r.pos - n, r.pos);
  };
  const cols = r.varint();
  const rows = r.varint();
  if (cols !== INSERT_COLUMNS.length) r.fail(`${cols} columns, expected ${INSERT_COLUMNS.length}`);
  const spans: ColumnSpan[] = [];
  for (let c = 0; c < cols; c++) {
    const col = INSERT_COLUMNS[c];
    if (name() !== col || name() !== NATIVE_TYPES[col]) r.fail(`column ${c} is not ${col} ${NATIVE_TYPES[col]}`);
    const start = r.pos;
    const type = NATIVE_TYPES[col];
    if (type === 'DateTime64(9)') r.pos += rows * 8;
    else if (type === 'UInt8') r.pos += rows;
    else if (type === 'String') skipStrings(rows);
    else {
      r.pos += rows * 8;
      if (r.pos > b.length) r.fail(`${col} offsets run past the end`);
      const entries = rows ? b.readUInt32LE(r.pos - 8) + b.readUInt32LE(r.pos - 4) * 4294967296 : 0;
      const keys = r.pos;
      skipStrings(entries);
      const values = r.pos;
      skipStrings(entries);
      spans.push({ start, end: r.pos, entries, keys, values });
      continue;
    }
    if (r.pos > b.length) r.fail(`${col} runs past the end`);
    spans.push({ start, end: r.pos });
  }
  if (r.pos !== b.length) r.fail('trailing bytes after the block');
  return { rows, spans };
}

/**
 * Merges Native blocks (one per request) into one block, column by column, without decoding a
 * value: the engine pays per block (measured: 10,000 one-row blocks cost ~200 µs/row to insert,
 * one 10,000-row block ~3 µs/row), so a batch of many small requests must reach it as one block.
 */
export function mergeNativeBlocks(blocks: readonly Buffer[]): Buffer {
  if (blocks.length === 1) return blocks[0];
  const scans = blocks.map(scanBlock);
  let rows = 0;
  let size = 64;
  for (let i = 0; i < blocks.length; i++) {
    rows += scans[i].rows;
    size += blocks[i].length;
  }
  const out = new NativeOut(size);
  out.varint(INSERT_COLUMNS.length);
  out.varint(rows);
  INSERT_COLUMNS.forEach((col, c) => {
    out.column(col, NATIVE_TYPES[col]);
    if (scans[0].spans[c].entries === undefined) {
      for (let i = 0; i < blocks.length; i++) out.raw(blocks[i], scans[i].spans[c].start, scans[i].spans[c].end);
      return;
    }
    let base = 0;
    for (let i = 0; i < blocks.length; i++) {
      const s = scans[i].spans[c];
      for (let p = s.start; p < s.keys!; p += 8) {
        const total = base + blocks[i].readUInt32LE(p) + blocks[i].readUInt32LE(p + 4) * 4294967296;
        out.u32pair(total % 4294967296, Math.floor(total / 4294967296));
      }
      base += s.entries!;
    }
    for (let i = 0; i < blocks.length; i++) out.raw(blocks[i], scans[i].spans[c].keys!, scans[i].spans[c].values!);
    for (let i = 0; i < blocks.length; i++) out.raw(blocks[i], scans[i].spans[c].values!, scans[i].spans[c].end);
  });
  return out.bytes();
}
