import type { RawFilter } from '../storage/LogFilter.ts';
import type { SearchPage } from '../storage/search.ts';

/** The collector's REST query API answered with an error. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly param?: string;
  constructor(status: number, message: string, param?: string) {
    super(message);
    this.status = status;
    this.param = param;
  }
}

/** Where `--api` points: the collector's HTTP listener and its bearer token. */
export interface ApiTarget {
  /** e.g. `http://127.0.0.1:4318` */
  baseUrl: string;
  /** Bearer token (LOGQ_API_TOKEN). @default undefined */
  token?: string;
}

/**
 * One page of `GET /api/logs`: how `logq query`/`logq tail` read through a running collector
 * (in embedded mode the collector holds the store, so the CLI cannot open it).
 */
export async function fetchApiPage(
  target: ApiTarget,
  raw: RawFilter,
  options: { limit: number; cursor?: string; after?: string },
): Promise<SearchPage> {
  const url = new URL('/api/logs', target.baseUrl);
  for (const [k, v] of Object.entries(raw)) {
    if (Array.isArray(v)) for (const item of v) url.searchParams.append(k, item);
    else if (v !== undefined) url.searchParams.set(k, String(v));
  }
  url.searchParams.set('limit', String(options.limit));
  if (options.cursor) url.searchParams.set('cursor', options.cursor);
  if (options.after) url.searchParams.set('after', options.after);
  const res = await fetch(url, { headers: target.token ? { authorization: `Bearer ${target.token}` } : {} });
  const body = (await res.json().catch(() => ({}))) as { records?: SearchPage['records']; nextCursor?: string | null; error?: string; param?: string };
  if (!res.ok) throw new ApiError(res.status, body.error ?? `HTTP ${res.status}`, body.param);
  return { records: body.records ?? [], nextCursor: body.nextCursor ?? undefined };
}
