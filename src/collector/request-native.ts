import type { ExportLogsRequestData, KeyValue, LogRecordData } from '../otlp/types.ts';
import { anyValueToString } from '../storage/any-value.ts';
import { INSERT_COLUMNS } from '../storage/ddl.ts';
import { NATIVE_TYPES, NativeOut } from '../storage/native-format.ts';
import type { GuardStats, RecordLimits } from './limit-rows.ts';
import { isSecretKey, REDACTED, redactValue } from './redact.ts';

/** A request's records as one Native block, ready to be spooled and inserted. */
export interface NativeChunk {
  readonly data: Buffer;
  readonly rows: number;
}

const TRUNCATED = '…[truncated]';

/**
 * Map entries of many records in flat arrays (no arrays per record): record i owns
 * keys/values [ends[i-1], ends[i]).
 */
class FlatMaps {
  readonly keys: string[] = [];
  readonly values: string[] = [];
  readonly ends: number[] = [];

  /**
   * Adds one map, as the row path makes it (a repeated key keeps its first position and its last
   * value), then the limits (first `maxAttributes` keys kept, long values cut) and redaction.
   */
  add(kvs: KeyValue[], limits: RecordLimits, stats: GuardStats): void {
    const { keys, values } = this;
    const start = keys.length;
    // Records carry a handful of attributes: a linear scan beats a Map for repeated keys.
    const index = kvs.length > 32 ? new Map<string, number>() : undefined;
    for (let j = 0; j < kvs.length; j++) {
      const kv = kvs[j];
      const v = anyValueToString(kv.value);
      let at = -1;
      if (index) at = index.get(kv.key) ?? -1;
      else for (let k = start; k < keys.length; k++) if (keys[k] === kv.key) at = k;
      if (at >= 0) values[at] = v;
      else {
        index?.set(kv.key, keys.length);
        keys.push(kv.key);
        values.push(v);
      }
    }
    const count = keys.length - start;
    if (count > limits.maxAttributes) {
      stats.droppedAttributes += count - limits.maxAttributes;
      keys.length = start + limits.maxAttributes;
      values.length = start + limits.maxAttributes;
    }
    for (let i = start; i < values.length; i++) {
      let v = values[i];
      if (v.length > limits.maxAttributeValueLength) {
        v = v.slice(0, limits.maxAttributeValueLength) + TRUNCATED;
        stats.truncatedValues++;
      }
      if (limits.redact) {
        const next = isSecretKey(keys[i]) ? (v === '' ? v : REDACTED) : redactValue(v);
        if (next !== v) stats.redactedValues++;
        v = next;
      }
      values[i] = v;
    }
    this.ends.push(keys.length);
  }

  /** Writes a Map column whose row r holds map `which(r)` of these, for `rows` rows. */
  write(out: NativeOut, rows: number, which: (row: number) => number): void {
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const m = which(r);
      total += this.ends[m] - (m ? this.ends[m - 1] : 0);
      out.u32pair(total % 4294967296, Math.floor(total / 4294967296));
    }
    for (let r = 0; r < rows; r++) {
      const m = which(r);
      for (let k = m ? this.ends[m - 1] : 0; k < this.ends[m]; k++) out.string(this.keys[k]);
    }
    for (let r = 0; r < rows; r++) {
      const m = which(r);
      for (let k = m ? this.ends[m - 1] : 0; k < this.ends[m]; k++) out.string(this.values[k]);
    }
  }
}

/** `service.name` as sent (its last occurrence), before limits and redaction, as the row path takes it. */
function serviceName(kvs: KeyValue[]): string {
  for (let i = kvs.length - 1; i >= 0; i--) if (kvs[i].key === 'service.name') return anyValueToString(kvs[i].value);
  return '';
}

function body(r: LogRecordData, limits: RecordLimits, stats: GuardStats): string {
  let b = anyValueToString(r.body);
  if (b.length > limits.maxBodyLength) {
    b = b.slice(0, limits.maxBodyLength) + TRUNCATED;
    stats.truncatedValues++;
  }
  if (limits.redact) {
    const red = redactValue(b);
    if (red !== b) stats.redactedValues++;
    b = red;
  }
  return b;
}

function writeTime(out: NativeOut, ns: bigint): void {
  out.u32pair(Number(ns & 0xffffffffn), Number((ns >> 32n) & 0xffffffffn));
}

/**
 * Writes the records of a decoded (and validated) request straight into one Native block in
 * INSERT_COLUMNS order, applying the limits and redaction on the way — the same stored values as
 * `requestToRows` + `guardRows` + `rowsToNative`, without a row object per record: the block is
 * off the V8 heap, so a batch waiting in memory costs the garbage collector nothing.
 * One difference by design: map keys keep the order they were sent in (the row path's JS objects put
 * integer-like keys such as "2" first, which also decided which keys a --max-attributes cap kept),
 * and a key named `__proto__` is stored like any other.
 */
export function requestToNative(req: ExportLogsRequestData, limits: RecordLimits, stats: GuardStats, nowNanos: bigint = BigInt(Date.now()) * 1_000_000n): NativeChunk {
  const recs: LogRecordData[] = [];
  const resIdx: number[] = [];
  const scopeIdx: number[] = [];
  const resources: { service: string; url: string }[] = [];
  const scopes: { url: string; name: string; version: string }[] = [];
  const resourceMaps = new FlatMaps();
  const scopeMaps = new FlatMaps();
  for (const rl of req.resourceLogs) {
    let res = -1;
    for (const sl of rl.scopeLogs) {
      if (sl.logRecords.length === 0) continue;
      if (res < 0) {
        resources.push({ service: serviceName(rl.resource.attributes), url: rl.schemaUrl });
        resourceMaps.add(rl.resource.attributes, limits, stats);
        res = resources.length - 1;
      }
      scopes.push({ url: sl.schemaUrl, name: sl.scope.name, version: sl.scope.version });
      scopeMaps.add(sl.scope.attributes, limits, stats);
      for (const r of sl.logRecords) {
        recs.push(r);
        resIdx.push(res);
        scopeIdx.push(scopes.length - 1);
      }
    }
  }
  const n = recs.length;
  const out = new NativeOut(512 + n * 200);
  out.varint(INSERT_COLUMNS.length);
  out.varint(n);
  const head = (c: (typeof INSERT_COLUMNS)[number]) => out.column(c, NATIVE_TYPES[c]);
  // Timestamp falls back to the observed time, both to now (as requestToRows does).
  head('Timestamp');
  for (const r of recs) writeTime(out, r.timeUnixNano || r.observedTimeUnixNano || nowNanos);
  head('TraceId');
  for (const r of recs) out.hex(r.traceId);
  head('SpanId');
  for (const r of recs) out.hex(r.spanId);
  head('TraceFlags');
  for (const r of recs) out.u8(r.flags & 0xff);
  head('SeverityText');
  for (const r of recs) out.string(r.severityText);
  head('SeverityNumber');
  for (const r of recs) out.u8(r.severityNumber & 0xff);
  head('ServiceName');
  for (let i = 0; i < n; i++) out.string(resources[resIdx[i]].service);
  head('Body');
  for (const r of recs) out.string(body(r, limits, stats));
  head('ResourceSchemaUrl');
  for (let i = 0; i < n; i++) out.string(resources[resIdx[i]].url);
  head('ResourceAttributes');
  resourceMaps.write(out, n, (r) => resIdx[r]);
  head('ScopeSchemaUrl');
  for (let i = 0; i < n; i++) out.string(scopes[scopeIdx[i]].url);
  head('ScopeName');
  for (let i = 0; i < n; i++) out.string(scopes[scopeIdx[i]].name);
  head('ScopeVersion');
  for (let i = 0; i < n; i++) out.string(scopes[scopeIdx[i]].version);
  head('ScopeAttributes');
  scopeMaps.write(out, n, (r) => scopeIdx[r]);
  head('LogAttributes');
  const logMaps = new FlatMaps();
  for (const r of recs) logMaps.add(r.attributes, limits, stats);
  logMaps.write(out, n, (r) => r);
  head('EventName');
  for (const r of recs) out.string(r.eventName);
  head('ObservedTimestamp');
  for (const r of recs) writeTime(out, r.observedTimeUnixNano || r.timeUnixNano || nowNanos);
  return { data: out.bytes(), rows: n };
}
