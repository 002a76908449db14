import { AsyncLocalStorage } from 'node:async_hooks';
import type { Attributes, SpanContext } from '@opentelemetry/api';

/** What every record logged inside a request (or a {@link withLogContext} block) carries. */
export interface LogContext {
  /** The request id (X-Request-Id), when inside a request. */
  readonly requestId?: string;
  /** Trace and span ids of the request when no tracing SDK supplies an active span. */
  readonly spanContext?: SpanContext;
  /** Attributes added to every record of the block (flat). */
  readonly attributes?: Attributes;
  /** State shared by a request and every block nested in it (the user id set by {@link setUser}). */
  readonly shared: { userId?: string };
}

/** The AsyncLocalStorage that carries the log context across awaits, timers and callbacks. */
export const logContextStorage = new AsyncLocalStorage<LogContext>();

/** The log context of the code running now, if any. */
export function currentLogContext(): LogContext | undefined {
  return logContextStorage.getStore();
}

/** The id of the request being handled, or undefined outside a request. */
export function currentRequestId(): string | undefined {
  return logContextStorage.getStore()?.requestId;
}

/**
 * Records the authenticated user of the current request: every later record of the request,
 * and its access record, carry `user.id`. Returns false (and does nothing) outside a request or
 * log context.
 */
export function setUser(id: string | number | bigint): boolean {
  const store = logContextStorage.getStore();
  if (!store) return false;
  store.shared.userId = String(id);
  return true;
}

/** Runs `fn` inside `ctx`. */
export function runInLogContext<T>(ctx: LogContext, fn: () => T): T {
  return logContextStorage.run(ctx, fn);
}
