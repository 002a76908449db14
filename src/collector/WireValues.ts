import { readAnyValue } from '../otlp/decode-logs.ts';
import { ProtoDecodeError, ProtoReader } from '../otlp/ProtoReader.ts';
import { anyValueToString } from '../storage/any-value.ts';
import type { GuardStats } from './limit-rows.ts';
import type { NativeByteWriter } from './NativeByteWriter.ts';
import { REDACTED, redactValue } from './redact.ts';
import { WireCursor } from './WireCursor.ts';
import { decodeText, mayNeedRedaction, mayNeedRedactionText, storableAsIs } from './wire-text.ts';

const TRUNCATED = '…[truncated]';

/**
 * The text values of one request for the byte-level ingest pass, as references instead of
 * strings: a value is a pair (start, end) where `start >= 0` means the bytes [start, end) of the
 * request, stored as they are, and `start < 0` means the JavaScript string `strings[~start]`
 * (values the object path would change on the way: numbers, bytes, arrays and maps, invalid
 * UTF-8, truncated or redacted text). Each value is the string the object path
 * (decodeExportLogsRequest → anyValueToString → limits → redaction) would store.
 */
export class WireValues {
  readonly src: Uint8Array;
  readonly strings: string[] = [];
  /** Result of {@link anyValue}: the value's reference. */
  vs = 0;
  ve = 0;
  private readonly cur: WireCursor;
  private view: DataView | undefined;

  constructor(src: Uint8Array) {
    this.src = src;
    this.cur = new WireCursor(src);
  }

  /** A reference to a new string. */
  push(s: string): number {
    this.strings.push(s);
    return ~(this.strings.length - 1);
  }

  /** The reference of the string field [s, e) (ProtoReader.string): its bytes when they round-trip. */
  text(s: number, e: number): number {
    return storableAsIs(this.src, s, e) ? s : this.push(decodeText(this.src, s, e));
  }

  /** The string a reference stands for. */
  str(start: number, end: number): string {
    return start >= 0 ? decodeText(this.src, start, end) : this.strings[~start];
  }

  /** Writes a reference as a Native String. */
  write(out: NativeByteWriter, start: number, end: number): void {
    if (start >= 0) out.stringBytes(this.src, start, end);
    else out.string(this.strings[~start]);
  }

  /**
   * Reads the AnyValue message [s, e) (readAnyValue at depth 0, then anyValueToString) into
   * {@link vs}/{@link ve}. Throws ProtoDecodeError where the object decoder would (or earlier).
   */
  anyValue(s: number, e: number): void {
    const c = this.cur.at(s, e);
    const src = this.src;
    let kind = 0;
    let a = 0;
    let b = 0;
    let nested = false;
    while (!c.done) {
      const t = c.varint32();
      switch (t) {
        case (1 << 3) | 2:
        case (7 << 3) | 2:
          a = c.delimited();
          b = c.pos;
          kind = t;
          break;
        case (2 << 3) | 0:
          a = c.varint32() !== 0 ? 1 : 0;
          kind = t;
          break;
        case (3 << 3) | 0:
          a = c.pos;
          b = c.skipVarint();
          kind = t;
          break;
        case (4 << 3) | 1:
          c.need(8);
          a = c.pos;
          c.pos += 8;
          kind = t;
          break;
        case (5 << 3) | 2:
        case (6 << 3) | 2:
          c.delimited();
          nested = true;
          kind = t;
          break;
        default:
          c.skip(t & 7);
      }
    }
    this.ve = 0;
    if (nested) {
      // Arrays and maps (rare): the object decoder's own code, for its depth bound and JSON form.
      this.vs = this.push(anyValueToString(readAnyValue(new ProtoReader(src, s, e, (this.view ??= viewOf(src))))));
      return;
    }
    switch (kind) {
      case 0:
        this.vs = 0;
        return;
      case (1 << 3) | 2:
        this.vs = this.text(a, b);
        this.ve = b;
        return;
      case (7 << 3) | 2:
        this.vs = this.push(Buffer.from(src.buffer, src.byteOffset + a, b - a).toString('base64'));
        return;
      case (2 << 3) | 0:
        this.vs = this.push(a ? 'true' : 'false');
        return;
      case (3 << 3) | 0:
        this.vs = this.push(intText(src, a, b));
        return;
      default:
        this.vs = this.push(String((this.view ??= viewOf(src)).getFloat64(a, true)));
    }
  }

  /**
   * Applies a length cap and redaction to the value (start, end) as FlatMaps.add and body() in
   * request-native.ts do, counting into `stats`; returns the start of the stored value (the end
   * stays when the bytes are kept).
   */
  limit(start: number, end: number, max: number, redact: boolean, secretKey: boolean, stats: GuardStats): number {
    if (start >= 0) {
      const n = end - start;
      // Bytes ≥ UTF-16 units: within the cap in bytes means within it in characters.
      if (n <= max && (!redact || (secretKey ? n === 0 : !mayNeedRedaction(this.src, start, end)))) return start;
    } else {
      const v = this.strings[~start];
      if (v.length <= max && (!redact || (secretKey ? v === '' : !mayNeedRedactionText(v)))) return start;
    }
    const orig = this.str(start, end);
    let v = orig;
    if (v.length > max) {
      v = v.slice(0, max) + TRUNCATED;
      stats.truncatedValues++;
    }
    if (redact) {
      const next = secretKey ? (v === '' ? v : REDACTED) : redactValue(v);
      if (next !== v) stats.redactedValues++;
      v = next;
    }
    return v === orig ? start : this.push(v);
  }
}

function viewOf(src: Uint8Array): DataView {
  return new DataView(src.buffer, src.byteOffset, src.byteLength);
}

/** The decimal text of the int64 varint of `n` bytes at `p` (ProtoReader.varint64().toString()). */
function intText(src: Uint8Array, p: number, n: number): string {
  if (n <= 7) {
    // Under 2^49: exact as a number, and never negative.
    let v = 0;
    let mul = 1;
    for (let i = 0; i < n; i++) {
      v += (src[p + i] & 0x7f) * mul;
      mul *= 128;
    }
    return String(v);
  }
  return new ProtoReader(src, p, p + n).varint64().toString();
}

/** The byte pass met something it leaves to the object path (the request is then decoded as objects). */
export class WireFallback extends ProtoDecodeError {}
