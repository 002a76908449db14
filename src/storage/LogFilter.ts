import { LEVEL_SEVERITY, LEVELS, parseLevel, type Level } from '../otlp/severity.ts';
import { parseTimeSpec, TimeSpecError } from './time-spec.ts';

/**
 * Attribute names the correlation filters look up in `LogAttributes`: the ones src/sdk writes
 * (`request.id`, and `user.id` as in current OTel semantic conventions, which deprecate `enduser.id`).
 */
export const REQUEST_ID_ATTRIBUTE = 'request.id';
/** @see REQUEST_ID_ATTRIBUTE */
export const USER_ID_ATTRIBUTE = 'user.id';

/** Which records a query, tail, API call or histogram selects. Every field narrows the result. */
export interface LogFilter {
  /** Exact `ServiceName`. */
  service?: string;
  /** Minimum level: `WARN` selects WARN, ERROR and FATAL. */
  level?: Level;
  /** Inclusive lower bound, nanoseconds since the epoch. */
  sinceNs?: bigint;
  /** Exclusive upper bound, nanoseconds since the epoch. */
  untilNs?: bigint;
  /** 32 lower-case hex digits. */
  traceId?: string;
  /** `LogAttributes['request.id']`. */
  requestId?: string;
  /** `LogAttributes['user.id']`. */
  user?: string;
  /** Body search: every word must be a whole token of the body (index-assisted), then the text must occur as typed. */
  grep?: string;
  /** `LogAttributes[key] = value` for each pair. */
  attrs?: [key: string, value: string][];
}

/** A filter value was not valid; `param` names it (`service`, `level`, `since`, ...). */
export class FilterError extends Error {
  override readonly name = 'FilterError';
  readonly param: string;
  constructor(param: string, message: string) {
    super(message);
    this.param = param;
  }
}

/** Raw filter values as strings, as they come from CLI flags or URL query parameters. */
export interface RawFilter {
  service?: string;
  level?: string;
  since?: string;
  until?: string;
  traceId?: string;
  requestId?: string;
  user?: string;
  grep?: string;
  /** `key=value` items. */
  attr?: string[];
}

const MAX_VALUE_LENGTH = 4096;

function checkText(param: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (v === '') throw new FilterError(param, `${param}: empty value: expected a non-empty string`);
  if (v.length > MAX_VALUE_LENGTH) throw new FilterError(param, `${param}: longer than ${MAX_VALUE_LENGTH} characters`);
  return v;
}

/** Validates raw values into a {@link LogFilter}; throws a {@link FilterError} naming the first bad one. */
export function parseFilter(raw: RawFilter, nowMs: number = Date.now()): LogFilter {
  const f: LogFilter = {};
  f.service = checkText('service', raw.service);
  if (raw.level !== undefined) {
    const level = parseLevel(raw.level);
    if (!level) throw new FilterError('level', `level: "${raw.level}" is not a level: expected one of ${LEVELS.join(', ')}`);
    f.level = level;
  }
  for (const key of ['since', 'until'] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    try {
      f[key === 'since' ? 'sinceNs' : 'untilNs'] = parseTimeSpec(v, nowMs);
    } catch (e) {
      if (e instanceof TimeSpecError) throw new FilterError(key, `${key}: ${e.message}`);
      throw e;
    }
  }
  if (raw.traceId !== undefined) {
    if (!/^[0-9a-fA-F]{32}$/.test(raw.traceId)) {
      throw new FilterError('traceId', `traceId: "${raw.traceId.slice(0, 80)}" is not a trace id: expected 32 hex digits`);
    }
    f.traceId = raw.traceId.toLowerCase();
  }
  f.requestId = checkText('requestId', raw.requestId);
  f.user = checkText('user', raw.user);
  f.grep = checkText('grep', raw.grep);
  if (raw.attr?.length) {
    f.attrs = raw.attr.map((item) => {
      const eq = item.indexOf('=');
      if (eq < 1) throw new FilterError('attr', `attr: "${item.slice(0, 80)}" is not key=value`);
      return [checkText('attr', item.slice(0, eq))!, item.slice(eq + 1)];
    });
  }
  for (const k of Object.keys(f) as (keyof LogFilter)[]) if (f[k] === undefined) delete f[k];
  return f;
}

/** SQL conditions (joined with AND) and the values bound to their `{name:Type}` placeholders. */
export interface FilterSql {
  where: string;
  params: Record<string, unknown>;
}

/**
 * Splits text into the tokens the body index stores: runs of ASCII letters and digits (the
 * `splitByNonAlpha` tokenizer; `tokenbf_v1` splits the same way). Bytes above 0x7F stay in tokens.
 */
export function bodyTokens(text: string): string[] {
  return text.split(/[\x00-\x2F\x3A-\x40\x5B-\x60\x7B-\x7F]+/).filter(Boolean);
}

/**
 * Builds the WHERE clause for `f`. Every value is a bound parameter, never part of the SQL text,
 * so a value carrying SQL is just a string that matches nothing.
 */
export function filterToSql(f: LogFilter): FilterSql {
  const conds: string[] = [];
  const params: Record<string, unknown> = {};
  if (f.service !== undefined) {
    conds.push('ServiceName = {service:String}');
    params.service = f.service;
  }
  if (f.level !== undefined) {
    conds.push('SeverityNumber >= {minSeverity:UInt8}');
    params.minSeverity = LEVEL_SEVERITY[f.level];
  }
  if (f.sinceNs !== undefined) {
    conds.push('Timestamp >= fromUnixTimestamp64Nano({sinceNs:Int64})');
    params.sinceNs = f.sinceNs.toString();
  }
  if (f.untilNs !== undefined) {
    conds.push('Timestamp < fromUnixTimestamp64Nano({untilNs:Int64})');
    params.untilNs = f.untilNs.toString();
  }
  if (f.traceId !== undefined) {
    conds.push('TraceId = {traceId:String}');
    params.traceId = f.traceId;
  }
  if (f.requestId !== undefined) {
    conds.push(`LogAttributes['${REQUEST_ID_ATTRIBUTE}'] = {requestId:String}`);
    params.requestId = f.requestId;
  }
  if (f.user !== undefined) {
    conds.push(`LogAttributes['${USER_ID_ATTRIBUTE}'] = {user:String}`);
    params.user = f.user;
  }
  if (f.grep !== undefined) {
    // hasToken is answered by the body index (text on 26.2+, tokenbf_v1 before); the position()
    // check then keeps only bodies holding the text exactly as typed.
    bodyTokens(f.grep).forEach((t, i) => {
      conds.push(`hasToken(Body, {grepToken${i}:String})`);
      params[`grepToken${i}`] = t;
    });
    conds.push('position(Body, {grep:String}) > 0');
    params.grep = f.grep;
  }
  f.attrs?.forEach(([k, v], i) => {
    conds.push(`LogAttributes[{attrKey${i}:String}] = {attrValue${i}:String}`);
    params[`attrKey${i}`] = k;
    params[`attrValue${i}`] = v;
  });
  return { where: conds.length ? conds.join(' AND ') : '1', params };
}
