import { readAnyValue } from '../otlp/decode-logs.ts';
import { ProtoDecodeError, ProtoReader } from '../otlp/ProtoReader.ts';
import { anyValueToString } from './any-value.ts';
import { TsvByteWriter } from './TsvByteWriter.ts';

/**
 * The byte-level twin of `otlpToTabSeparated`: OTLP bytes in, TabSeparated bytes out, one pass,
 * no strings or objects per record — string fields are copied from the request as UTF-8 bytes with
 * TabSeparated escaping applied byte by byte (safe: UTF-8 multi-byte sequences never contain
 * bytes below 0x80). One difference by design: invalid UTF-8 is stored as sent (a ClickHouse String
 * holds bytes), where the object path replaces it with U+FFFD.
 */
export function otlpToTabSeparatedBytes(buf: Uint8Array, nowNanos: bigint = BigInt(Date.now()) * 1_000_000n): { bytes: Buffer; rows: number } {
  const w = new OtlpTsvWalker(buf, Number(nowNanos & 0xffffffffn), Number(nowNanos >> 32n));
  const r = new ProtoReader(buf);
  while (!r.done) {
    const t = r.tag();
    if (t === ((1 << 3) | 2)) {
      const [s, e] = r.delimited();
      w.resourceLogs(s, e);
    } else r.skip(t & 7);
  }
  return { bytes: Buffer.from(w.w.out.buffer, w.w.out.byteOffset, w.w.pos), rows: w.rows };
}

const enc = new TextEncoder();

/** Walks one request; the bytes go to its {@link TsvByteWriter}. */
class OtlpTsvWalker {
  private src: Uint8Array;
  readonly w: TsvByteWriter;
  rows = 0;
  private readonly nowLo: number;
  private readonly nowHi: number;
  // Reused scratch: key/value ranges of one map (start, end pairs) — no per-record arrays.
  private kv = new Int32Array(64);
  /** One DataView of the request for every nested reader (fixed-width fields). */
  private readonly view: DataView;

  constructor(src: Uint8Array, nowLo: number, nowHi: number) {
    this.src = src;
    this.view = new DataView(src.buffer, src.byteOffset, src.byteLength);
    this.w = new TsvByteWriter(src.length * 2 + 1024);
    this.nowLo = nowLo;
    this.nowHi = nowHi;
  }








  resourceLogs(s: number, e: number): void {
    const r = new ProtoReader(this.src, s, e, this.view);
    let resS = -1;
    let resE = -1;
    let urlS = 0;
    let urlE = 0;
    const scopes: number[] = [];
    while (!r.done) {
      const t = r.tag();
      if (t === ((1 << 3) | 2)) [resS, resE] = r.delimited();
      else if (t === ((2 << 3) | 2)) scopes.push(...r.delimited());
      else if (t === ((3 << 3) | 2)) [urlS, urlE] = r.delimited();
      else if (t >>> 3 <= 3) throw new ProtoDecodeError(`ResourceLogs field ${t >>> 3}: wire type ${t & 7}, expected 2`);
      else r.skip(t & 7);
    }
    // ServiceName and "ResourceSchemaUrl \t ResourceAttributes", rendered once as bytes.
    const start = this.w.pos;
    const svc = resS >= 0 ? this.mapFrom(resS, resE, 1, true) : -1;
    if (resS < 0) this.w.raw(EMPTY_MAP);
    const mapBytes = this.w.out.slice(start, this.w.pos);
    this.w.pos = start;
    let service: Uint8Array = new Uint8Array(0);
    if (svc >= 0) {
      const vs = this.kv[svc + 2];
      const ve = this.kv[svc + 3];
      this.stringValue(vs, ve, false);
      service = this.w.out.slice(start, this.w.pos);
      this.w.pos = start;
    }
    this.w.escaped(this.src, urlS, urlE, false);
    const url = this.w.out.slice(start, this.w.pos);
    this.w.pos = start;
    for (let i = 0; i < scopes.length; i += 2) this.scopeLogs(scopes[i], scopes[i + 1], service, url, mapBytes);
  }

  private scopeLogs(s: number, e: number, service: Uint8Array, resUrl: Uint8Array, resMap: Uint8Array): void {
    const r = new ProtoReader(this.src, s, e, this.view);
    let scS = -1;
    let scE = -1;
    let urlS = 0;
    let urlE = 0;
    const first = r.pos;
    while (!r.done) {
      const t = r.tag();
      if (t === ((1 << 3) | 2)) [scS, scE] = r.delimited();
      else if (t === ((3 << 3) | 2)) [urlS, urlE] = r.delimited();
      else if (t === ((2 << 3) | 2)) r.delimited();
      else if (t >>> 3 <= 3) throw new ProtoDecodeError(`ScopeLogs field ${t >>> 3}: wire type ${t & 7}, expected 2`);
      else r.skip(t & 7);
    }
    // "\t ServiceName \t" and "\t ResSchemaUrl \t ResAttrs \t ScopeSchemaUrl \t Name \t Version \t ScopeAttrs \t".
    const start = this.w.pos;
    this.w.byte(9);
    this.w.raw(service);
    this.w.byte(9);
    const middle = this.w.out.slice(start, this.w.pos);
    this.w.pos = start;
    this.w.byte(9);
    this.w.raw(resUrl);
    this.w.byte(9);
    this.w.raw(resMap);
    this.w.byte(9);
    this.w.escaped(this.src, urlS, urlE, false);
    this.w.byte(9);
    let nameS = 0;
    let nameE = 0;
    let verS = 0;
    let verE = 0;
    let attrS = -1;
    if (scS >= 0) {
      const sc = new ProtoReader(this.src, scS, scE, this.view);
      while (!sc.done) {
        const t = sc.tag();
        if (t === ((1 << 3) | 2)) [nameS, nameE] = sc.delimited();
        else if (t === ((2 << 3) | 2)) [verS, verE] = sc.delimited();
        else if (t === ((3 << 3) | 2) && attrS < 0) {
          attrS = sc.pos;
          sc.delimited();
        } else sc.skip(t & 7);
      }
    }
    this.w.escaped(this.src, nameS, nameE, false);
    this.w.byte(9);
    this.w.escaped(this.src, verS, verE, false);
    this.w.byte(9);
    if (scS >= 0) this.mapFrom(scS, scE, 3, false);
    else this.w.raw(EMPTY_MAP);
    this.w.byte(9);
    const scopePart = this.w.out.slice(start, this.w.pos);
    this.w.pos = start;
    r.pos = first;
    while (!r.done) {
      const t = r.tag();
      if (t === ((2 << 3) | 2)) {
        const [ls, le] = r.delimited();
        this.logRecord(ls, le, middle, scopePart);
        this.rows++;
      } else r.skip(t & 7);
    }
  }

  private logRecord(s: number, e: number, middle: Uint8Array, scopePart: Uint8Array): void {
    const r = new ProtoReader(this.src, s, e, this.view);
    let tLo = 0;
    let tHi = 0;
    let oLo = 0;
    let oHi = 0;
    let sev = 0;
    let stS = 0;
    let stE = 0;
    let bodyS = -1;
    let bodyE = -1;
    let flags = 0;
    let trS = 0;
    let trE = 0;
    let spS = 0;
    let spE = 0;
    let evS = 0;
    let evE = 0;
    while (!r.done) {
      const t = r.tag();
      switch (t) {
        case (1 << 3) | 1:
          tLo = r.fixed32();
          tHi = r.fixed32();
          break;
        case (2 << 3) | 0:
          sev = r.varint32();
          break;
        case (3 << 3) | 2:
          [stS, stE] = r.delimited();
          break;
        case (5 << 3) | 2:
          [bodyS, bodyE] = r.delimited();
          break;
        case (8 << 3) | 5:
          flags = r.fixed32();
          break;
        case (9 << 3) | 2:
          [trS, trE] = r.delimited();
          break;
        case (10 << 3) | 2:
          [spS, spE] = r.delimited();
          break;
        case (11 << 3) | 1:
          oLo = r.fixed32();
          oHi = r.fixed32();
          break;
        case (12 << 3) | 2:
          [evS, evE] = r.delimited();
          break;
        default:
          if (t >>> 3 <= 12 && t >>> 3 !== 4 && t >>> 3 !== 7 && t >>> 3 !== 6) throw new ProtoDecodeError(`LogRecord field ${t >>> 3}: unexpected wire type ${t & 7}`);
          if (t >>> 3 === 6 && (t & 7) !== 2) throw new ProtoDecodeError(`LogRecord field 6: unexpected wire type ${t & 7}`);
          r.skip(t & 7);
      }
    }
    if (oLo === 0 && oHi === 0) {
      if (tLo !== 0 || tHi !== 0) {
        oLo = tLo;
        oHi = tHi;
      } else {
        oLo = this.nowLo;
        oHi = this.nowHi;
      }
    }
    if (tLo === 0 && tHi === 0) {
      tLo = oLo;
      tHi = oHi;
    }
    this.w.time(tLo, tHi);
    this.w.byte(9);
    this.w.hex(this.src, trS, trE);
    this.w.byte(9);
    this.w.hex(this.src, spS, spE);
    this.w.byte(9);
    this.w.uint(flags & 0xff);
    this.w.byte(9);
    this.w.escaped(this.src, stS, stE, false);
    this.w.byte(9);
    this.w.uint(sev);
    this.w.raw(middle);
    if (bodyS >= 0) this.anyValue(bodyS, bodyE, false);
    this.w.raw(scopePart);
    this.mapFrom(s, e, 6, false);
    this.w.byte(9);
    this.w.escaped(this.src, evS, evE, false);
    this.w.byte(9);
    this.w.time(oLo, oHi);
    this.w.byte(10);
  }




  /** The string form of the AnyValue message at [s, e). */
  private anyValue(s: number, e: number, quote: boolean): void {
    const r = new ProtoReader(this.src, s, e, this.view);
    let kind = 0;
    let vs = 0;
    let ve = 0;
    let num = 0;
    let big: bigint = 0n;
    while (!r.done) {
      const t = r.tag();
      if ((t >>> 3) >= 1 && (t >>> 3) <= 4) kind = t;
      if (t === ((1 << 3) | 2)) [vs, ve] = r.delimited();
      else if (t === ((2 << 3) | 0)) num = r.varint32();
      else if (t === ((3 << 3) | 0)) big = r.varint64();
      else if (t === ((4 << 3) | 1)) num = r.double();
      else if (t === ((5 << 3) | 2) || t === ((6 << 3) | 2) || t === ((7 << 3) | 2)) {
        this.w.escapedString(anyValueToString(readAnyValue(new ProtoReader(this.src, s, e, this.view))), quote);
        return;
      } else r.skip(t & 7);
    }
    if (kind === ((1 << 3) | 2)) this.w.escaped(this.src, vs, ve, quote);
    else if (kind === ((2 << 3) | 0)) this.w.ascii(num !== 0 ? 'true' : 'false', quote);
    else if (kind === ((3 << 3) | 0)) this.w.ascii(big.toString(), quote);
    else if (kind === ((4 << 3) | 1)) this.w.ascii(String(num), quote); // JS number text is ASCII
    else if (quote) this.w.raw(EMPTY_QUOTED);
  }

  private stringValue(s: number, e: number, quote: boolean): void {
    this.anyValue(s, e, quote);
  }

  /**
   * Writes the KeyValues of field `field` inside [s, e) as a Map literal (a repeated key keeps its
   * first position and its last value). With `findService`, returns the scratch index of the
   * `service.name` entry (or -1).
   */
  private mapFrom(s: number, e: number, field: number, findService: boolean): number {
    const r = new ProtoReader(this.src, s, e, this.view);
    let n = 0;
    const want = (field << 3) | 2;
    while (!r.done) {
      const t = r.tag();
      if (t !== want) {
        r.skip(t & 7);
        continue;
      }
      const [ks, ke] = r.delimited();
      // KeyValue: key (1) and value (2) ranges.
      const kvr = new ProtoReader(this.src, ks, ke, this.view);
      let keyS = 0;
      let keyE = 0;
      let valS = -1;
      let valE = -1;
      while (!kvr.done) {
        const t2 = kvr.tag();
        if (t2 === ((1 << 3) | 2)) [keyS, keyE] = kvr.delimited();
        else if (t2 === ((2 << 3) | 2)) [valS, valE] = kvr.delimited();
        else kvr.skip(t2 & 7);
      }
      let at = -1;
      for (let i = 0; i < n; i += 4) if (this.sameBytes(this.kv[i], this.kv[i + 1], keyS, keyE)) at = i;
      if (at < 0) {
        if (n + 4 > this.kv.length) {
          const next = new Int32Array(this.kv.length * 2);
          next.set(this.kv);
          this.kv = next;
        }
        at = n;
        n += 4;
        this.kv[at] = keyS;
        this.kv[at + 1] = keyE;
      }
      this.kv[at + 2] = valS;
      this.kv[at + 3] = valE;
    }
    this.w.byte(123); // {
    let service = -1;
    for (let i = 0; i < n; i += 4) {
      if (i > 0) this.w.byte(44); // ,
      this.w.escaped(this.src, this.kv[i], this.kv[i + 1], true);
      this.w.byte(58); // :
      if (this.kv[i + 2] >= 0) this.anyValue(this.kv[i + 2], this.kv[i + 3], true);
      else this.w.raw(EMPTY_QUOTED);
      if (findService && this.isServiceName(this.kv[i], this.kv[i + 1])) service = i;
    }
    this.w.byte(125); // }
    if (findService && service >= 0 && this.kv[service + 2] < 0) return -1;
    return service;
  }

  private sameBytes(a: number, ae: number, b: number, be: number): boolean {
    if (ae - a !== be - b) return false;
    for (let i = 0; i < ae - a; i++) if (this.src[a + i] !== this.src[b + i]) return false;
    return true;
  }

  private isServiceName(s: number, e: number): boolean {
    if (e - s !== SERVICE_NAME.length) return false;
    for (let i = 0; i < SERVICE_NAME.length; i++) if (this.src[s + i] !== SERVICE_NAME[i]) return false;
    return true;
  }
}

const EMPTY_MAP = enc.encode('{}');
const EMPTY_QUOTED = enc.encode("''");
const SERVICE_NAME = enc.encode('service.name');
