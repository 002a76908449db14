import type { LogRecordData } from '../otlp/types.ts';
import type { GuardStats, RecordLimits } from './limit-rows.ts';
import type { NativeChunk } from './request-native.ts';
import { rejectInvalidRecords } from './validate-records.ts';
import { BODY_E, BODY_S, EV_E, EV_S, FLAGS, O_HI, O_LO, RES, SCOPE, SEV, SP_E, SP_S, ST_E, ST_S, STRIDE, T_HI, T_LO, TR_E, TR_S, writeWireBlock } from './wire-block.ts';
import { WireCursor } from './WireCursor.ts';
import { WireMaps } from './WireMaps.ts';
import { WireFallback, WireValues } from './WireValues.ts';
import { SecretKeyCache, storableAsIs } from './wire-text.ts';

/** What {@link otlpToNative} made of a request. */
export interface WireNative {
  /** The kept records as one Native block. */
  chunk: NativeChunk;
  /** Records in the request, kept and rejected. */
  received: number;
  /** Records rejected as invalid (OTLP partial success). */
  rejected: number;
  /** ExportLogsPartialSuccess.error_message ('' when none was rejected). */
  message: string;
}

/** Keys repeat across requests too; the cache only maps key bytes to isSecretKey's answer. */
const secrets = new SecretKeyCache();

/**
 * The byte-level ingest pass: from the bytes of an OTLP ExportLogsServiceRequest straight to the
 * Native block, counts and message that decodeExportLogsRequest → rejectInvalidRecords →
 * requestToNative give (the same bytes, tested), without an object per record, attribute or value:
 * string fields are copied from the request where the object path would store the same bytes.
 * Returns undefined — and leaves `stats` alone — for anything it does not handle exactly
 * (malformed input, attribute keys that are not plain UTF-8, …): the caller then takes the object
 * path, which gives the answer for those, errors included.
 */
export function otlpToNative(buf: Uint8Array, limits: RecordLimits, stats: GuardStats, nowNanos: bigint = BigInt(Date.now()) * 1_000_000n): WireNative | undefined {
  let walker: RequestWalker;
  let result: WireNative;
  try {
    walker = new RequestWalker(buf, limits, Number(nowNanos & 0xffffffffn) | 0, Number((nowNanos >> 32n) & 0xffffffffn) | 0);
    result = walker.walk();
  } catch {
    return undefined;
  }
  stats.droppedAttributes += walker.stats.droppedAttributes;
  stats.truncatedValues += walker.stats.truncatedValues;
  stats.redactedValues += walker.stats.redactedValues;
  return result;
}

/** One request's walk: parse everything (as the object decoder would), keep per-record offsets, then write columns. */
class RequestWalker {
  readonly stats: GuardStats = { droppedAttributes: 0, truncatedValues: 0, redactedValues: 0 };
  private readonly src: Uint8Array;
  private readonly limits: RecordLimits;
  private readonly nowLo: number;
  private readonly nowHi: number;
  private readonly values: WireValues;
  private readonly resourceMaps: WireMaps;
  private readonly scopeMaps: WireMaps;
  private readonly logMaps: WireMaps;
  // One cursor per nesting level (request, ResourceLogs, ScopeLogs, Resource/Scope/LogRecord, KeyValue).
  private readonly top: WireCursor;
  private readonly rl: WireCursor;
  private readonly sl: WireCursor;
  private readonly msg: WireCursor;
  private readonly kvc: WireCursor;
  /** Per kept record, STRIDE numbers (see wire-block.ts). */
  private rows = new Int32Array(STRIDE * 256);
  private n = 0;
  private received = 0;
  private readonly invalid: LogRecordData[] = [];
  /** Per resource (service name, schema URL) and scope (schema URL, name, version) with kept records: text references (start, end). */
  private readonly resources: number[] = [];
  private readonly scopes: number[] = [];
  /** Index in {@link resources} of the current ResourceLogs (-1 until it has a kept record), same for scopes. */
  private resIndex = -1;
  private scopeIndex = -1;
  private resUrlS = 0;
  private resUrlE = 0;

  constructor(src: Uint8Array, limits: RecordLimits, nowLo: number, nowHi: number) {
    this.src = src;
    this.limits = limits;
    this.nowLo = nowLo;
    this.nowHi = nowHi;
    this.values = new WireValues(src);
    this.resourceMaps = new WireMaps(this.values);
    this.scopeMaps = new WireMaps(this.values);
    this.logMaps = new WireMaps(this.values);
    this.top = new WireCursor(src);
    this.rl = new WireCursor(src);
    this.sl = new WireCursor(src);
    this.msg = new WireCursor(src);
    this.kvc = new WireCursor(src);
  }

  walk(): WireNative {
    const c = this.top.at(0, this.src.length);
    while (!c.done) {
      const t = c.varint32();
      if (t === ((1 << 3) | 2)) this.resourceLogs(c.delimited(), c.pos);
      else c.skip(t & 7);
    }
    const { rejected, message } = rejectInvalidRecords({
      resourceLogs: [{ resource: { attributes: [], droppedAttributesCount: 0 }, schemaUrl: '', scopeLogs: [{ scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0 }, schemaUrl: '', logRecords: this.invalid }] }],
    });
    if (rejected !== this.invalid.length) throw new WireFallback('validation disagrees');
    const { n, rows, values, resources, scopes, resourceMaps, scopeMaps, logMaps } = this;
    const data = writeWireBlock({ src: this.src, n, rows, values, resources, scopes, resourceMaps, scopeMaps, logMaps });
    return { chunk: { data, rows: n }, received: this.received, rejected, message };
  }

  /** Length-delimited fields 1-3 must have wire type 2 (the object decoder's expectWire). */
  private static lenField(t: number): boolean {
    const f = t >>> 3;
    if (f >= 1 && f <= 3 && (t & 7) !== 2) throw new WireFallback(`field ${f}: wire type ${t & 7}`);
    return f >= 1 && f <= 3;
  }

  private resourceLogs(s: number, e: number): void {
    const c = this.rl.at(s, e);
    // First pass: the resource (attributes of repeated `resource` fields add up, as the decoder's do) and the schema URL.
    let urlS = 0;
    let urlE = 0;
    while (!c.done) {
      const t = c.varint32();
      if (!RequestWalker.lenField(t)) c.skip(t & 7);
      else if (t >>> 3 === 1) this.resource(c.delimited(), c.pos);
      else if (t >>> 3 === 3) {
        urlS = c.delimited();
        urlE = c.pos;
      }
      else c.delimited();
    }
    this.resIndex = -1;
    this.resUrlS = urlS;
    this.resUrlE = urlE;
    c.at(s, e);
    while (!c.done) {
      const t = c.varint32();
      if (t === ((2 << 3) | 2)) this.scopeLogs(c.delimited(), c.pos);
      else c.skip(t & 7);
    }
    if (this.resIndex < 0) this.resourceMaps.discard();
  }

  private resource(s: number, e: number): void {
    const c = this.msg.at(s, e);
    while (!c.done) {
      const t = c.varint32();
      if (t === ((1 << 3) | 2)) this.keyValue(c.delimited(), c.pos, this.resourceMaps);
      else if (t === ((2 << 3) | 0)) c.varint32();
      else c.skip(t & 7);
    }
  }

  private scopeLogs(s: number, e: number): void {
    const c = this.sl.at(s, e);
    let urlS = 0;
    let urlE = 0;
    let nameS = 0;
    let nameE = 0;
    let verS = 0;
    let verE = 0;
    while (!c.done) {
      const t = c.varint32();
      if (!RequestWalker.lenField(t)) {
        c.skip(t & 7);
        continue;
      }
      const f = t >>> 3;
      const fs = c.delimited();
      if (f === 3) [urlS, urlE] = [fs, c.pos];
      else if (f === 1) {
        const m = this.msg.at(fs, c.pos);
        while (!m.done) {
          const t2 = m.varint32();
          if (t2 === ((1 << 3) | 2)) [nameS, nameE] = [m.delimited(), m.pos];
          else if (t2 === ((2 << 3) | 2)) [verS, verE] = [m.delimited(), m.pos];
          else if (t2 === ((3 << 3) | 2)) this.keyValue(m.delimited(), m.pos, this.scopeMaps);
          else if (t2 === ((4 << 3) | 0)) m.varint32();
          else m.skip(t2 & 7);
        }
      }
    }
    this.scopeIndex = -1;
    c.at(s, e);
    while (!c.done) {
      const t = c.varint32();
      if (t === ((2 << 3) | 2)) this.logRecord(c.delimited(), c.pos, urlS, urlE, nameS, nameE, verS, verE);
      else c.skip(t & 7);
    }
    if (this.scopeIndex < 0) this.scopeMaps.discard();
  }

  /** The first kept record of a scope makes its resource (once) and the scope rows of the block. */
  private keepScope(urlS: number, urlE: number, nameS: number, nameE: number, verS: number, verE: number): void {
    const { values, limits, stats } = this;
    if (this.resIndex < 0) {
      const svc = this.resourceMaps.serviceName() ?? [0, 0];
      this.resourceMaps.close(limits, stats, secrets);
      this.resIndex = this.resources.length / 4;
      this.resources.push(svc[0], svc[1], values.text(this.resUrlS, this.resUrlE), this.resUrlE);
    }
    this.scopeMaps.close(limits, stats, secrets);
    this.scopeIndex = this.scopes.length / 6;
    this.scopes.push(values.text(urlS, urlE), urlE, values.text(nameS, nameE), nameE, values.text(verS, verE), verE);
  }

  private logRecord(s: number, e: number, urlS: number, urlE: number, nameS: number, nameE: number, verS: number, verE: number): void {
    const c = this.msg.at(s, e);
    const values = this.values;
    this.received++;
    let tLo = 0, tHi = 0, oLo = 0, oHi = 0, sev = 0, flags = 0;
    let stS = 0, stE = 0, bodyS = 0, bodyE = 0, trS = 0, trE = 0, spS = 0, spE = 0, evS = 0, evE = 0;
    while (!c.done) {
      const t = c.varint32();
      switch (t) {
        case (1 << 3) | 1:
          tLo = c.fixed32();
          tHi = c.fixed32();
          break;
        case (2 << 3) | 0:
          sev = c.varint32();
          break;
        case (3 << 3) | 2:
          stS = c.delimited();
          stE = c.pos;
          break;
        case (5 << 3) | 2:
          values.anyValue(c.delimited(), c.pos);
          bodyS = values.vs;
          bodyE = values.ve;
          break;
        case (6 << 3) | 2:
          this.keyValue(c.delimited(), c.pos, this.logMaps);
          break;
        case (7 << 3) | 0:
          c.varint32();
          break;
        case (8 << 3) | 5:
          flags = c.fixed32();
          break;
        case (9 << 3) | 2:
          trS = c.delimited();
          trE = c.pos;
          break;
        case (10 << 3) | 2:
          spS = c.delimited();
          spE = c.pos;
          break;
        case (11 << 3) | 1:
          oLo = c.fixed32();
          oHi = c.fixed32();
          break;
        case (12 << 3) | 2:
          evS = c.delimited();
          evE = c.pos;
          break;
        default:
          if (t >>> 3 <= 12 && t >>> 3 !== 4) throw new WireFallback(`LogRecord field ${t >>> 3}: wire type ${t & 7}`);
          c.skip(t & 7);
      }
    }
    // validate-records.ts's rules; its recordProblem words the reason (see walk()).
    const trLen = trE - trS;
    const spLen = spE - spS;
    if ((trLen !== 0 && trLen !== 16) || (spLen !== 0 && spLen !== 8) || sev > 24 || tHi >>> 31 || oHi >>> 31) {
      this.invalid.push(problemRecord(this.src, tLo, tHi, oLo, oHi, sev, trS, trE, spS, spE));
      this.logMaps.discard();
      return;
    }
    if (this.scopeIndex < 0) this.keepScope(urlS, urlE, nameS, nameE, verS, verE);
    const limits = this.limits;
    this.logMaps.close(limits, this.stats, secrets);
    bodyS = values.limit(bodyS, bodyE, limits.maxBodyLength, limits.redact, false, this.stats);
    // Timestamp falls back to the observed time, both to now (requestToNative).
    const tSet = tLo !== 0 || tHi !== 0;
    const oSet = oLo !== 0 || oHi !== 0;
    if (this.rows.length < (this.n + 1) * STRIDE) {
      const next = new Int32Array(this.rows.length * 2);
      next.set(this.rows);
      this.rows = next;
    }
    const r = this.rows;
    const b = this.n++ * STRIDE;
    r[b + T_LO] = tSet ? tLo : oSet ? oLo : this.nowLo;
    r[b + T_HI] = tSet ? tHi : oSet ? oHi : this.nowHi;
    r[b + O_LO] = oSet ? oLo : tSet ? tLo : this.nowLo;
    r[b + O_HI] = oSet ? oHi : tSet ? tHi : this.nowHi;
    r[b + FLAGS] = flags & 0xff;
    r[b + SEV] = sev & 0xff;
    r[b + ST_S] = values.text(stS, stE);
    r[b + ST_E] = stE;
    r[b + TR_S] = trS;
    r[b + TR_E] = trE;
    r[b + SP_S] = spS;
    r[b + SP_E] = spE;
    r[b + BODY_S] = bodyS;
    r[b + BODY_E] = bodyE;
    r[b + EV_S] = values.text(evS, evE);
    r[b + EV_E] = evE;
    r[b + RES] = this.resIndex;
    r[b + SCOPE] = this.scopeIndex;
  }

  /** One KeyValue message into the open map of `maps` (the key's last value wins, as in readKeyValue). */
  private keyValue(s: number, e: number, maps: WireMaps): void {
    const c = this.kvc.at(s, e);
    let ks = 0, ke = 0, vs = 0, ve = 0;
    while (!c.done) {
      const t = c.varint32();
      if (t === ((1 << 3) | 2)) {
        ks = c.delimited();
        ke = c.pos;
      } else if (t === ((2 << 3) | 2)) {
        this.values.anyValue(c.delimited(), c.pos);
        vs = this.values.vs;
        ve = this.values.ve;
      } else c.skip(t & 7);
    }
    // Equal bytes must mean equal keys (and back): left to the object path otherwise.
    if (!storableAsIs(this.src, ks, ke)) throw new WireFallback('attribute key is not plain UTF-8');
    maps.add(ks, ke, vs, ve);
  }
}

/** The fields validate-records.ts looks at, for its recordProblem and message of a rejected record. */
function problemRecord(src: Uint8Array, tLo: number, tHi: number, oLo: number, oHi: number, sev: number, trS: number, trE: number, spS: number, spE: number): LogRecordData {
  const nanos = (lo: number, hi: number) => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  return {
    timeUnixNano: nanos(tLo, tHi),
    observedTimeUnixNano: nanos(oLo, oHi),
    severityNumber: sev,
    severityText: '',
    body: undefined,
    attributes: [],
    droppedAttributesCount: 0,
    flags: 0,
    traceId: src.subarray(trS, trE),
    spanId: src.subarray(spS, spE),
    eventName: '',
  };
}
