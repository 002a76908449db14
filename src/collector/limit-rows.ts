import type { LogRow } from '../storage/rows.ts';
import { redactMap, redactValue } from './redact.ts';

/** Per-record caps (OTel attribute limits: extra attributes are dropped, long values truncated). */
export interface RecordLimits {
  /** Attributes kept per map (resource, scope, record); the rest are dropped and counted. @default 128 */
  maxAttributes: number;
  /** Characters kept per attribute value. @default 16384 */
  maxAttributeValueLength: number;
  /** Characters kept of a body. @default 65536 */
  maxBodyLength: number;
  /** Apply server-side redaction. @default true */
  redact: boolean;
}

/** Counters of what the limits and redaction changed. */
export interface GuardStats {
  droppedAttributes: number;
  truncatedValues: number;
  redactedValues: number;
}

const TRUNCATED = '…[truncated]';

function cut(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max) + TRUNCATED;
}

function limitMap(map: Record<string, string>, limits: RecordLimits, stats: GuardStats): Record<string, string> {
  const keys = Object.keys(map);
  let out = map;
  if (keys.length > limits.maxAttributes) {
    out = {};
    for (let i = 0; i < limits.maxAttributes; i++) out[keys[i]] = map[keys[i]];
    stats.droppedAttributes += keys.length - limits.maxAttributes;
  }
  for (const k of Object.keys(out)) {
    const v = out[k];
    if (v.length > limits.maxAttributeValueLength) {
      out[k] = cut(v, limits.maxAttributeValueLength);
      stats.truncatedValues++;
    }
  }
  if (limits.redact) stats.redactedValues += redactMap(out);
  return out;
}

/**
 * Applies the caps and redaction to rows in place. Resource and scope maps are shared by the rows
 * of one request, so each distinct map object is processed once.
 */
export function guardRows(rows: LogRow[], limits: RecordLimits, stats: GuardStats): void {
  const seen = new Map<Record<string, string>, Record<string, string>>();
  const once = (m: Record<string, string>) => {
    let r = seen.get(m);
    if (!r) {
      r = limitMap(m, limits, stats);
      seen.set(m, r);
    }
    return r;
  };
  for (const row of rows) {
    let body = row[7];
    if (body.length > limits.maxBodyLength) {
      body = cut(body, limits.maxBodyLength);
      stats.truncatedValues++;
    }
    if (limits.redact) {
      const red = redactValue(body);
      if (red !== body) stats.redactedValues++;
      body = red;
    }
    row[7] = body;
    row[9] = once(row[9]);
    row[13] = once(row[13]);
    row[14] = limitMap(row[14], limits, stats);
  }
}
