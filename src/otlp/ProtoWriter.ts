/**
 * A minimal protobuf writer over one growable, reused buffer.
 *
 * logq encodes OTLP straight from the SDK's records into this buffer instead of building an
 * intermediate object tree (what the official exporter does via otlp-transformer), so the
 * per-record cost is the bytes themselves.
 *
 * Nested messages are written in place: `beginMessage(reserve)` reserves room for the length,
 * `endMessage(at, reserve)` writes the real varint and shifts the body when the varint needs
 * another size than reserved. The default reserve of 1 byte fits the small messages (key-values,
 * values: < 128 bytes) with no shift; callers reserve 2 for log records (< 16 KiB), so the shift
 * happens about once per batch, on the outer wrappers. (Measured in bench/app-export: a
 * `copyWithin` per nested message cost ~15% of encoding with a fixed 2-byte reserve.)
 */

const DEFAULT_RESERVE = 1;
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
  private hrSec = -1;
  private hrHi = 0;
  private hrBase = 0;

  /** Writes into `buffer` (from its start) when given one, else into a new buffer of `initialSize` bytes. */
  constructor(initialSize = 64 * 1024, buffer?: Uint8Array) {
    // Not zero-filled: only bytes written (below `pos`) are ever read or sent. (PreEncodeProcessor
    // starts a 256 KiB chunk every ~2300 records; zero-filling them was ~4% of its path in a profile.)
    this.buf = buffer ?? Buffer.allocUnsafeSlow(initialSize);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /**
   * Forget what was written; keeps the allocation for the next message. `headroom` bytes are left
   * free at the start (a frame header written later, in place: see `grpc-framing.ts`).
   */
  reset(headroom = 0): void {
    this.pos = 0;
    if (headroom > 0) {
      this.ensure(headroom);
      this.pos = headroom;
    }
  }

  /** A copy of the bytes written (safe to hand to I/O while the writer is reused). */
  finish(): Buffer {
    // allocUnsafe + set: no zero-fill of a buffer that is overwritten at once (Buffer.from of a
    // view was ~8% of encoding a 4096-record batch in a profile).
    const out = Buffer.allocUnsafe(this.pos);
    out.set(this.buf.subarray(0, this.pos));
    return out;
  }

  /**
   * The bytes written (from byte `from`), without a copy: valid until this writer is reset or written to again (the
   * caller must not reuse the writer while the view is in use).
   */
  bytesView(from = 0): Buffer {
    return Buffer.from(this.buf.buffer, this.buf.byteOffset + from, this.pos - from);
  }

  private ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafeSlow(size);
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

  /**
   * Length-delimited UTF-8 string (without tag). Short ASCII strings (keys, levels, most
   * messages) are copied char by char: ~4x cheaper than a `TextEncoder.encodeInto` call for
   * strings under 64 chars (measured with bench/app-export's record).
   */
  string(value: string): void {
    const n = value.length;
    if (n < 128) {
      this.ensure(1 + n * 3);
      const buf = this.buf;
      const start = this.pos + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + i] = c;
      }
      if (i === n) {
        buf[this.pos] = n;
        this.pos = start + n;
        return;
      }
    }
    // Non-ASCII or long: the UTF-8 length is at most 3 bytes per UTF-16 unit.
    const max = n * 3;
    const at = this.beginMessage(max < 128 ? 1 : max < 16384 ? 2 : 3);
    this.ensure(max);
    const { written } = textEncoder.encodeInto(value, this.buf.subarray(this.pos, this.pos + max));
    this.pos += written;
    this.endMessage(at, max < 128 ? 1 : max < 16384 ? 2 : 3);
  }

  /**
   * A whole `KeyValue` (field tag `tag`, one byte) whose value is a string, a boolean or a number,
   * written in one go with local offsets: `[tag][len] 0x0A [klen][key] 0x12 [vlen] AnyValue`.
   * Same bytes as the generic path (tag, nested key and AnyValue messages). Returns false and
   * writes nothing when the fast form does not apply (non-ASCII text, the KeyValue not fitting a
   * one-byte length, an integer outside 0..2^31); the caller then takes the generic path.
   */
  keyValueScalar(tag: number, key: string, value: string | number | boolean): boolean {
    const kn = key.length;
    const vn = typeof value === 'string' ? value.length : 0;
    // KeyValue length = 2 + kn + 2 + AnyValue length (2 + vn for a string, ≤ 9 for a number) must
    // stay below 128, so must every length inside it.
    if (kn + vn > 114) return false;
    this.ensure(kn + vn + 16);
    const buf = this.buf;
    const start = this.pos;
    let p = start + 2;
    for (let i = 0; i < kn; i++) {
      const c = key.charCodeAt(i);
      if (c >= 0x80) return false;
      buf[p + 2 + i] = c;
    }
    buf[p] = 0x0a; // KeyValue.key
    buf[p + 1] = kn;
    p += 2 + kn;
    buf[p] = 0x12; // KeyValue.value
    const av = p + 1;
    p += 2;
    if (typeof value === 'string') {
      for (let i = 0; i < vn; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80) return false;
        buf[p + 2 + i] = c;
      }
      buf[p] = 0x0a; // AnyValue.string_value
      buf[p + 1] = vn;
      p += 2 + vn;
    } else if (typeof value === 'boolean') {
      buf[p] = 0x10; // AnyValue.bool_value
      buf[p + 1] = value ? 1 : 0;
      p += 2;
    } else if (!Number.isSafeInteger(value)) {
      buf[p] = 0x21; // AnyValue.double_value
      this.view.setFloat64(p + 1, value, true);
      p += 9;
    } else if (value >= 0 && value <= 0x7fffffff) {
      buf[p++] = 0x18; // AnyValue.int_value
      let v = value;
      while (v > 0x7f) {
        buf[p++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      buf[p++] = v;
    } else {
      return false;
    }
    buf[av] = p - av - 1;
    buf[start] = tag;
    buf[start + 1] = p - start - 2;
    this.pos = p;
    return true;
  }

  /**
   * A length-delimited `AnyValue` holding a string (field tag `tag`, one byte): `[tag][len] 0x0A
   * [slen][text]` in one go. Returns false (nothing written) for non-ASCII or text of 126+ chars.
   */
  anyValueString(tag: number, value: string): boolean {
    const n = value.length;
    if (n > 125) return false;
    this.ensure(n + 4);
    const buf = this.buf;
    const start = this.pos;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x80) return false;
      buf[start + 4 + i] = c;
    }
    buf[start] = tag;
    buf[start + 1] = n + 2;
    buf[start + 2] = 0x0a;
    buf[start + 3] = n;
    this.pos = start + 4 + n;
    return true;
  }

  /** One byte, e.g. a tag of a field number below 16 (no varint loop). */
  byte(value: number): void {
    this.ensure(1);
    this.buf[this.pos++] = value;
  }

  /**
   * An OTel HrTime `[seconds, nanoseconds]` as a fixed64 count of nanoseconds, without bigint or
   * an intermediate array (see hr-time.ts for the arithmetic; every step stays below 2^53).
   */
  fixed64HrTime(seconds: number, nanos: number): void {
    // Records of one batch share their second: cache the per-second part (saves a floor and two
    // modulos per timestamp; measured ~8% of encoding).
    if (seconds !== this.hrSec) {
      const a = Math.floor(seconds / 65536);
      const b = seconds - a * 65536;
      const hc = a * 1e9; // < 2^46
      const hcLo16 = hc % 65536;
      this.hrSec = seconds;
      this.hrHi = (hc - hcLo16) / 65536;
      this.hrBase = hcLo16 * 65536 + b * 1e9; // < 2^48
    }
    const t2 = this.hrBase + nanos; // < 2^49: exact
    const lo = t2 >>> 0; // ToUint32 is t2 mod 2^32 for any exact integer
    this.fixed64Parts(lo, this.hrHi + (t2 - lo) / 4294967296);
  }

  /** The buffer written into now (it is replaced when it grows; bytes written before stay valid in the old one). */
  get buffer(): Uint8Array {
    return this.buf;
  }

  /** Raw bytes, copied as they are (no length prefix). */
  raw(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.ensure(n);
    this.buf.set(n === src.length ? src : src.subarray(start, end), this.pos);
    this.pos += n;
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

  /**
   * Reserve `reserve` bytes for a length prefix; returns the offset to pass to {@link endMessage}
   * together with the same `reserve`.
   */
  beginMessage(reserve = DEFAULT_RESERVE): number {
    this.ensure(reserve);
    const at = this.pos;
    this.pos += reserve;
    return at;
  }

  /** Write the length of the message begun at `at`, moving its body if the varint size differs. */
  endMessage(at: number, reserve = DEFAULT_RESERVE): void {
    const bodyStart = at + reserve;
    const len = this.pos - bodyStart;
    if (len < 0x80 && reserve === 1) {
      this.buf[at] = len;
      return;
    }
    const size = varintSize(len);
    if (size !== reserve) {
      const delta = size - reserve;
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
