import { ProtoDecodeError } from '../otlp/ProtoReader.ts';

/**
 * A protobuf read position over one request's bytes for the byte-level ingest pass
 * ({@link otlpToNative}): the reads of `ProtoReader` with the same results and at least the same
 * checks (so input it accepts, the object decoder accepts too), but one reusable cursor whose
 * bounds move, instead of a reader object per nested message, and length-delimited fields
 * reported through `start`/`pos` instead of a `[start, end]` array per field.
 */
export class WireCursor {
  readonly buf: Uint8Array;
  pos = 0;
  end = 0;
  /** Start of the last field read by {@link delimited} (its end is `pos`). */
  start = 0;

  constructor(buf: Uint8Array) {
    this.buf = buf;
  }

  /** Moves the cursor to [pos, end). */
  at(pos: number, end: number): this {
    this.pos = pos;
    this.end = end;
    return this;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** ProtoReader.varint32: up to 10 bytes, the low 32 bits as an unsigned number. */
  varint32(): number {
    const buf = this.buf;
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtoDecodeError('truncated varint');
      const b = buf[this.pos++];
      if (shift < 32) result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
    throw new ProtoDecodeError('varint longer than 10 bytes');
  }

  /** Skips a varint as ProtoReader.varint64 reads it; returns how many bytes it had. */
  skipVarint(): number {
    const buf = this.buf;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtoDecodeError('truncated varint');
      if ((buf[this.pos++] & 0x80) === 0) return i + 1;
    }
    throw new ProtoDecodeError('varint longer than 10 bytes');
  }

  /** Reads a length prefix; the field's bytes are then [start, pos). Returns `start`. */
  delimited(): number {
    const len = this.varint32();
    this.need(len);
    this.start = this.pos;
    this.pos += len;
    return this.start;
  }

  /** A little-endian uint32 (also the halves of a fixed64). */
  fixed32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  }

  /** Skips a field of the given wire type (ProtoReader.skip). */
  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.skipVarint();
        return;
      case 1:
        this.need(8);
        this.pos += 8;
        return;
      case 2:
        this.delimited();
        return;
      case 5:
        this.need(4);
        this.pos += 4;
        return;
      default:
        throw new ProtoDecodeError(`unsupported wire type ${wireType}`);
    }
  }

  need(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw new ProtoDecodeError('truncated field');
  }
}
