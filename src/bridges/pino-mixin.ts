import { currentCorrelation, traceFlagsHex } from './correlation.ts';

/** Options of {@link logqPinoMixin}. */
export interface LogqPinoMixinOptions {
  /** Also add the attributes of the enclosing logq log-context block. @default true */
  contextAttributes?: boolean;
}

/**
 * A pino `mixin` that adds logq's correlation to every line logged on the app's thread:
 * `request.id` and `user.id` from logq's request context, and `trace_id`, `span_id`,
 * `trace_flags` (the field names of OTel log correlation) from the active span or the request's
 * own trace. The `logq/pino` transport turns the trace fields back into the record's trace context.
 *
 * @example pino({ mixin: logqPinoMixin() }, pino.transport({ target: 'logq/pino' }))
 */
export function logqPinoMixin(options: LogqPinoMixinOptions = {}): () => Record<string, unknown> {
  const withAttributes = options.contextAttributes ?? true;
  return () => {
    const c = currentCorrelation();
    const out: Record<string, unknown> = withAttributes && c.attributes ? { ...c.attributes } : {};
    if (c.requestId !== undefined) out['request.id'] = c.requestId;
    if (c.userId !== undefined) out['user.id'] = c.userId;
    if (c.spanContext) {
      out.trace_id = c.spanContext.traceId;
      out.span_id = c.spanContext.spanId;
      out.trace_flags = traceFlagsHex(c.spanContext.traceFlags);
    }
    return out;
  };
}
