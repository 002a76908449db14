import type { ClickHouseClient } from '@clickhouse/client';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { logHistogram } from '../storage/histogram.ts';
import { FilterError, parseFilter, REQUEST_ID_ATTRIBUTE, type RawFilter } from '../storage/LogFilter.ts';
import { runReadOnlyQuery } from '../storage/query.ts';
import { DEFAULT_TABLE, qualified, type TableRef } from '../storage/schema.ts';
import { listServices } from '../storage/services.ts';
import { CursorError, searchLogs, SELECT_RECORD_COLUMNS, ROW_HASH_SQL, recordFromRow } from '../storage/search.ts';
import { parseDuration } from '../storage/time-spec.ts';
import { sendJson, type HttpServer } from './HttpServer.ts';
import { collectorLog } from './log.ts';

/** Options of {@link registerQueryApi}. */
export interface QueryApiOptions {
  /** Checks the `Authorization` header (the ingestion bearer tokens); every request passes when omitted. @default undefined */
  authorize?: (authorizationHeader: string | undefined) => boolean;
  /** Longest a query may run, in seconds (`max_execution_time`). @default 10 */
  maxExecutionSeconds?: number;
  /** Largest page size a client may ask for. @default 1000 */
  maxLimit?: number;
  /** Most records `GET /api/logs/{id}` returns. @default 10000 */
  maxTraceRecords?: number;
  /** @default otel.otel_logs */
  table?: TableRef;
}

/** A request parameter that is not valid: answered 400 with the parameter's name. */
class ParamError extends Error {
  readonly param: string;
  constructor(param: string, message: string) {
    super(message);
    this.param = param;
  }
}

const FILTER_PARAMS = ['service', 'level', 'since', 'until', 'traceId', 'requestId', 'user', 'grep', 'attr'] as const;

function readParams(req: IncomingMessage, extra: readonly string[]): URLSearchParams {
  const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const known = new Set<string>([...FILTER_PARAMS, ...extra]);
  for (const key of params.keys()) {
    if (!known.has(key)) throw new ParamError(key, `${key}: unknown parameter: expected one of ${[...known].join(', ')}`);
  }
  for (const key of known) {
    if (key !== 'attr' && params.getAll(key).length > 1) throw new ParamError(key, `${key}: given more than once`);
  }
  return params;
}

function rawFilter(p: URLSearchParams): RawFilter {
  const get = (k: string) => p.get(k) ?? undefined;
  return {
    service: get('service'),
    level: get('level'),
    since: get('since'),
    until: get('until'),
    traceId: get('traceId'),
    requestId: get('requestId'),
    user: get('user'),
    grep: get('grep'),
    attr: p.getAll('attr'),
  };
}

function intParam(p: URLSearchParams, name: string, min: number, max: number, fallback: number): number {
  const raw = p.get(name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ParamError(name, `${name}: "${raw.slice(0, 40)}" is not valid: expected an integer from ${min} to ${max}`);
  }
  return Number(raw);
}

/**
 * Registers the read-only query API on the collector's HTTP listener:
 * - `GET /api/logs?service=&level=&since=&until=&traceId=&requestId=&user=&grep=&attr=k=v&limit=&cursor=`
 *   → `{ records, nextCursor }`, newest first; pass `nextCursor` as `cursor` for the next page.
 *   With `after=<cursor>` instead: records newer than that record, oldest first (live tail).
 * - `GET /api/logs/histogram?bucket=1m&<filters>` → `{ bucketSeconds, buckets: [{ time, level, count }] }`.
 * - `GET /api/logs/{id}` → every record whose trace id or `request.id` attribute is `id`, oldest first.
 * - `GET /api/services?<filters>` → `{ services: [{ name, records }] }`, busiest first (a service picker).
 * Values are bound parameters; a bad one gets a 400 `{ code: 'LOGQ_QUERY_INVALID', error, param }`
 * (401 LOGQ_UNAUTHENTICATED, 504 LOGQ_QUERY_TIMEOUT, 500 LOGQ_QUERY_FAILED otherwise); queries run with
 * `readonly = 1` and `max_execution_time`.
 */
export function registerQueryApi(http: HttpServer, client: ClickHouseClient, options: QueryApiOptions = {}): void {
  const maxSeconds = options.maxExecutionSeconds ?? 10;
  const maxLimit = options.maxLimit ?? 1000;
  const maxTrace = options.maxTraceRecords ?? 10_000;
  const table = options.table ?? DEFAULT_TABLE;

  const guarded = (handler: (req: IncomingMessage, res: ServerResponse, m: RegExpExecArray) => Promise<void>) =>
    async (req: IncomingMessage, res: ServerResponse, m: RegExpExecArray) => {
      if (options.authorize && !options.authorize(req.headers.authorization)) {
        sendJson(res, 401, { code: 'LOGQ_UNAUTHENTICATED', error: 'missing or invalid bearer token' }, { 'www-authenticate': 'Bearer' });
        return;
      }
      try {
        await handler(req, res, m);
      } catch (error) {
        if (error instanceof ParamError || error instanceof FilterError) {
          sendJson(res, 400, { code: 'LOGQ_QUERY_INVALID', error: error.message, param: error.param });
        } else if (error instanceof CursorError) {
          sendJson(res, 400, { code: 'LOGQ_QUERY_INVALID', error: `cursor: ${error.message}`, param: 'cursor' });
        } else {
          collectorLog('warn', 'query API request failed', { path: req.url?.split('?')[0], error });
          const timeout = /TIMEOUT_EXCEEDED|Timeout exceeded/i.test((error as Error).message);
          sendJson(res, timeout ? 504 : 500, {
            code: timeout ? 'LOGQ_QUERY_TIMEOUT' : 'LOGQ_QUERY_FAILED',
            error: timeout ? `query exceeded ${maxSeconds}s (max_execution_time)` : 'query failed; the collector log has the reason',
          });
        }
      }
    };

  http.route('GET', /^\/api\/logs$/, guarded(async (req, res) => {
    const p = readParams(req, ['limit', 'cursor', 'after']);
    if (p.has('cursor') && p.has('after')) throw new ParamError('after', 'after: cannot be combined with cursor');
    const filter = parseFilter(rawFilter(p));
    const limit = intParam(p, 'limit', 1, maxLimit, 100);
    const page = await searchLogs(client, filter, {
      limit,
      cursor: p.get('cursor') ?? undefined,
      after: p.get('after') ?? undefined,
      maxExecutionSeconds: maxSeconds,
      table,
    });
    sendJson(res, 200, { records: page.records, nextCursor: page.nextCursor ?? null });
  }));

  http.route('GET', /^\/api\/logs\/histogram$/, guarded(async (req, res) => {
    const p = readParams(req, ['bucket']);
    const bucketRaw = p.get('bucket') ?? '1m';
    const ms = parseDuration(bucketRaw);
    if (ms === undefined || ms < 1000 || ms > 366 * 86_400_000) {
      throw new ParamError('bucket', `bucket: "${bucketRaw.slice(0, 40)}" is not valid: expected a duration from 1s to 366d, e.g. 1m, 1h`);
    }
    const bucketSeconds = ms / 1000;
    const buckets = await logHistogram(client, parseFilter(rawFilter(p)), bucketSeconds, { table, maxExecutionSeconds: maxSeconds });
    sendJson(res, 200, { bucketSeconds, buckets });
  }));

  http.route('GET', /^\/api\/services$/, guarded(async (req, res) => {
    const services = await listServices(client, parseFilter(rawFilter(readParams(req, []))), { table, maxExecutionSeconds: maxSeconds });
    sendJson(res, 200, { services });
  }));

  http.route('GET', /^\/api\/logs\/(?<id>[^/]+)$/, guarded(async (req, res, m) => {
    readParams(req, []);
    let id: string;
    try {
      id = decodeURIComponent(m.groups!.id);
    } catch {
      throw new ParamError('id', 'id: not valid percent-encoding');
    }
    if (id === '' || id.length > 256) throw new ParamError('id', 'id: expected a trace id (32 hex digits) or a request id of at most 256 characters');
    const isTrace = /^[0-9a-fA-F]{32}$/.test(id);
    const where = isTrace
      ? `(TraceId = {traceId:String} OR LogAttributes['${REQUEST_ID_ATTRIBUTE}'] = {id:String})`
      : `LogAttributes['${REQUEST_ID_ATTRIBUTE}'] = {id:String}`;
    const r = await runReadOnlyQuery(
      client,
      `SELECT ${SELECT_RECORD_COLUMNS} FROM ${qualified(table)} WHERE ${where}
ORDER BY Timestamp, ${ROW_HASH_SQL} LIMIT {limit:UInt32}`,
      { traceId: id.toLowerCase(), id, limit: maxTrace + 1 },
      maxSeconds,
    );
    const records = r.rows.slice(0, maxTrace).map(recordFromRow);
    sendJson(res, 200, { id, records, truncated: r.rows.length > maxTrace });
  }));
}
