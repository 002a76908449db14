import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { trace, context as otelContext } from '@opentelemetry/api';
import { logContextStorage, type LogContext } from '../context.ts';
import { getLogger, type Logger } from '../logger.ts';
import { requestSpanContext } from '../trace-context.ts';

/** Options shared by every request-logging middleware. */
export interface RequestLoggingOptions {
  /** Logger of the access records. @default getLogger('logq.request') */
  logger?: Logger;
  /** Paths (exact, or prefixes ending in `*`) that get context but no access record. @default ['/healthz', '/readyz'] */
  ignorePaths?: string[];
  /** Header read for an incoming request id and set on the response. @default 'x-request-id' */
  requestIdHeader?: string;
  /** Makes a request id when the request has none (or an unusable one). @default crypto.randomUUID */
  generateRequestId?: () => string;
}

/** A request in flight: its context and what the access record needs. */
export interface RequestState {
  readonly ctx: LogContext;
  readonly start: bigint;
  readonly method: string;
  readonly path: string;
  readonly ignored: boolean;
}

/** Resolved options with defaults filled once. */
export interface ResolvedRequestOptions {
  readonly logger: Logger;
  readonly ignore: (path: string) => boolean;
  readonly header: string;
  readonly generate: () => string;
}

export const DEFAULT_IGNORE_PATHS = ['/healthz', '/readyz'];
/** An incoming id is kept only if it is short and plain (it ends up in headers and logs). */
const USABLE_ID = /^[A-Za-z0-9._:\-]{1,128}$/;

export function resolveRequestOptions(options: RequestLoggingOptions = {}): ResolvedRequestOptions {
  const paths = options.ignorePaths ?? DEFAULT_IGNORE_PATHS;
  const exact = new Set(paths.filter((p) => !p.endsWith('*')));
  const prefixes = paths.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1));
  return {
    logger: options.logger ?? getLogger('logq.request'),
    ignore: (path) => exact.has(path) || prefixes.some((p) => path.startsWith(p)),
    header: (options.requestIdHeader ?? 'x-request-id').toLowerCase(),
    generate: options.generateRequestId ?? randomUUID,
  };
}

/** The path of a URL without its query string (queries may carry secrets). */
export function pathOf(url: string | undefined): string {
  if (!url) return '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/**
 * Starts a request: picks the request id (incoming header if usable, else generated) and the
 * trace context (an active tracing span wins; else the incoming `traceparent`; else new ids).
 */
export function beginRequest(opts: ResolvedRequestOptions, headers: IncomingHttpHeaders, method: string | undefined, url: string | undefined): RequestState {
  const incoming = headers[opts.header];
  const raw = Array.isArray(incoming) ? incoming[0] : incoming;
  const requestId = raw && USABLE_ID.test(raw) ? raw : opts.generate();
  const active = trace.getSpanContext(otelContext.active());
  const ctx: LogContext = {
    requestId,
    spanContext: active ? undefined : requestSpanContext(headers.traceparent),
    shared: {},
  };
  const path = pathOf(url);
  return { ctx, start: process.hrtime.bigint(), method: method ?? 'GET', path, ignored: opts.ignore(path) };
}

/**
 * Writes the access record (as Django's `django.request`): INFO, 4xx at WARN, 5xx at ERROR, with
 * method, route (or path), status, duration in ms, user id and request id. Never headers or bodies.
 */
export function finishRequest(opts: ResolvedRequestOptions, state: RequestState, status: number, route: string | undefined, aborted = false): void {
  if (state.ignored) return;
  const durationMs = Number(process.hrtime.bigint() - state.start) / 1e6;
  const where = route ?? state.path;
  const attributes: Record<string, unknown> = {
    'http.request.method': state.method,
    'url.path': state.path,
    'http.response.status_code': status,
    'http.server.duration_ms': Math.round(durationMs * 1000) / 1000,
  };
  if (route) attributes['http.route'] = route;
  if (aborted) attributes['http.aborted'] = true;
  const message = `${state.method} ${where} ${status} ${durationMs.toFixed(1)}ms`;
  // Emitted inside the request's context so it carries request.id, user.id and the trace ids.
  runIn(state.ctx, () => {
    if (status >= 500) opts.logger.error(message, attributes);
    else if (status >= 400) opts.logger.warn(message, attributes);
    else opts.logger.info(message, attributes);
  });
}

function runIn(ctx: LogContext, fn: () => void): void {
  logContextStorage.run(ctx, fn);
}

/**
 * Runs `fn` in the request's log context, and — when no tracing SDK has a span active — in an
 * OTel context carrying the request's span context, so other OTel-aware code correlates too.
 */
export function runRequest<T>(state: RequestState, fn: () => T): T {
  return logContextStorage.run(state.ctx, () => {
    const sc = state.ctx.spanContext;
    return sc ? otelContext.with(trace.setSpanContext(otelContext.active(), sc), fn) : fn();
  });
}
