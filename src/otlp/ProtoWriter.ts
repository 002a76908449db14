/**
 * A minimal protobuf writer over one growable, reused buffer.
 *
 * logq encodes OTLP straight from the SDK's records into this buffer instead of building an
 * intermediate object tree (what the official exporter does via otlp-transformer), so the
 * per-record cost is the bytes themselves.
 *
 * Nested messages are written in place: `beginMessage` reserves {@link LEN_RESERVE} bytes for
 * the length, `endMessage` writes the real varint and shifts the body when the varint needs
 * fewer or more bytes than reserved. Two bytes cover bodies up to 16 KiB, i.e. almost every log
 * record, so the shift is rare on records and happens once per batch on the outer wrappers.
 */

const LEN_RESERVE = 2;
const textEncoder = new TextEncoder();

export const WireType = {
  VARINT: 0,
  FIXED64: 1,
  LEN: 2,
  FIXED32: 5,
} as const;

export class ProtoWriter {
  private buf: Uint8Array;
  private view: DataView;
  /** Number of bytes written so far. */
  pos = 0;

  constructor(initialSize = 64 * 1024) {
    this.buf = new Uint8Array(initialSize);
    this.view = new DataView(this.buf.buffer);
  }

  /** Forget what was written; keeps the allocation for the next message. */
  reset(): void {
    this.pos = 0;
  }

  /** A copy of the bytes written (safe to hand to I/O while the writer is reused). */
  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  private ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  tag(field: number, wireType: number): void {
    this.varint32((field << 3) | wireType);
  }

  varint32(value: number): void {
    this.ensure(5);
    let v = value >>> 0;
    while (v > 0x7f) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
  }

  /** Varint of a signed 64-bit integer given as a JS number (exact up to 2^53) or bigint. */
  varint64(value: number | bigint): void {
    if (typeof value === 'number' && value >= 0 && value <= 0xffffffff) {
      this.varint32(value);
      return;
    }
    let v = BigInt.asUintN(64, BigInt(value));
    this.ensure(10);
    while (v > 0x7fn) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, value >>> 0, true);
    this.pos += 4;
  }

  /** fixed64 from two 32-bit halves (avoids bigint on the hot path). */
  fixed64Parts(lo: number, hi: number): void {
    this.ensure(8);
    this.view.setUint32(this.pos, lo >>> 0, true);
    this.view.setUint32(this.pos + 4, hi >>> 0, true);
    this.pos += 8;
  }

  double(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  /** Length-delimited UTF-8 string (without tag). */
  string(value: string): void {
    // A UTF-8 string is at most 3 bytes per UTF-16 unit.
    const max = value.length * 3;
    if (max < 128) {
      this.ensure(1 + max);
      const start = this.pos + 1;
      const { written } = textEncoder.encodeInto(value, this.buf.subarray(start, start + max));
      this.buf[this.pos] = written;
      this.pos = start + written;
      return;
    }
    const begin = this.beginMessage();
    this.ensure(max);
    const { written } = textEncoder.encodeInto(value, this.buf.subarray(this.pos, this.pos + max));
    this.pos += written;
    this.endMessage(begin);
  }

  /** Length-delimited bytes (without tag). */
  bytes(value: Uint8Array): void {
    this.varint32(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  /** Lower-case hex string → length-delimited bytes (trace and span ids). */
  hexBytes(hex: string): void {
    const n = hex.length >>> 1;
    this.varint32(n);
    this.ensure(n);
    for (let i = 0; i < n; i++) {
      this.buf[this.pos++] = (hexNibble(hex.charCodeAt(2 * i)) << 4) | hexNibble(hex.charCodeAt(2 * i + 1));
    }
  }

  /** Reserve room for a length prefix; returns the offset to pass to {@link endMessage}. */
  beginMessage(): number {
    this.ensure(LEN_RESERVE);
    const at = this.pos;
    this.pos += LEN_RESERVE;
    return at;
  }

  /** Write the length of the message begun at `at`, moving its body if the varint size differs. */
  endMessage(at: number): void {
    const bodyStart = at + LEN_RESERVE;
    const len = this.pos - bodyStart;
    const size = varintSize(len);
    if (size !== LEN_RESERVE) {
      const delta = size - LEN_RESERVE;
      if (delta > 0) this.ensure(delta);
      this.buf.copyWithin(bodyStart + delta, bodyStart, this.pos);
      this.pos += delta;
    }
    let p = at;
    let v = len;
    while (v > 0x7f) {
      this.buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[p] = v;
  }
}

function varintSize(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  return 5;
}

function hexNibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  return 0;
}
