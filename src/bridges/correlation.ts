import { context, trace, type Attributes, type SpanContext } from '@opentelemetry/api';
import { currentLogContext } from '../sdk/context.ts';

/** The correlation logq attaches to a record made on the app's thread. */
export interface Correlation {
  /** `request.id` of the request being handled (logq's request context). */
  requestId?: string;
  /** `user.id` set with `setUser()` during the request. */
  userId?: string;
  /** Trace and span ids: a tracing SDK's active span wins, else the request's own ids. */
  spanContext?: SpanContext;
  /** Attributes of the enclosing log context block (flat). */
  attributes?: Attributes;
}

/**
 * Reads the correlation of the code running now: the active OTel span (through the OTel context
 * API, so any tracing SDK works) and logq's request context (AsyncLocalStorage). Returns an empty
 * object outside both.
 */
export function currentCorrelation(): Correlation {
  const out: Correlation = {};
  const store = currentLogContext();
  const active = trace.getSpanContext(context.active());
  if (active && trace.isSpanContextValid(active)) out.spanContext = active;
  if (store) {
    if (store.requestId !== undefined) out.requestId = store.requestId;
    if (store.shared?.userId !== undefined) out.userId = store.shared.userId;
    if (!out.spanContext && store.spanContext) out.spanContext = store.spanContext;
    if (store.attributes) out.attributes = store.attributes;
  }
  return out;
}

/** Hex form of trace flags as the OTel log-correlation fields carry it (`'01'`). */
export function traceFlagsHex(flags: number): string {
  return (flags & 0xff).toString(16).padStart(2, '0');
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

/**
 * A span context from the `trace_id` / `span_id` / `trace_flags` fields that logq's mixin and the
 * OTel pino/winston instrumentations add to records, or undefined when they are missing or invalid.
 */
export function spanContextFromFields(traceId: unknown, spanId: unknown, flags: unknown): SpanContext | undefined {
  if (typeof traceId !== 'string' || typeof spanId !== 'string') return undefined;
  const t = traceId.toLowerCase();
  const s = spanId.toLowerCase();
  if (!TRACE_ID.test(t) || !SPAN_ID.test(s) || /^0+$/.test(t) || /^0+$/.test(s)) return undefined;
  let traceFlags = 0;
  if (typeof flags === 'number') traceFlags = flags & 0xff;
  else if (typeof flags === 'string' && /^[0-9a-f]{1,2}$/i.test(flags)) traceFlags = parseInt(flags, 16);
  return { traceId: t, spanId: s, traceFlags, isRemote: true };
}
