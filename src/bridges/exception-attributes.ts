import type { Attributes } from '@opentelemetry/api';

/** The exception type named on the first line of a V8 stack (`TypeError: boom` → `TypeError`). */
export function typeFromStack(stack: string): string | undefined {
  const first = stack.slice(0, stack.indexOf('\n') >>> 0);
  const m = /^([A-Za-z_$][\w$.]*)(?::|$)/.exec(first);
  return m ? m[1] : undefined;
}

/**
 * OTel `exception.type`, `exception.message`, `exception.stacktrace` (semantic conventions,
 * "Exceptions" in logs) from an Error or from an error serialised by pino's `err` serializer
 * (`{ type, message, stack }`); also from a bare stack string (winston's `format.errors`).
 * Fields that cannot be found are left out.
 */
export function exceptionAttributes(err: unknown, out: Attributes = {}): Attributes {
  if (err instanceof Error) {
    out['exception.type'] = err.name || err.constructor?.name || 'Error';
    out['exception.message'] = err.message;
    if (err.stack) out['exception.stacktrace'] = err.stack;
    return out;
  }
  if (err && typeof err === 'object') {
    const e = err as { type?: unknown; name?: unknown; message?: unknown; stack?: unknown };
    const stack = typeof e.stack === 'string' ? e.stack : undefined;
    const type = typeof e.type === 'string' ? e.type : typeof e.name === 'string' ? e.name : stack ? typeFromStack(stack) : undefined;
    if (type !== undefined) out['exception.type'] = type;
    if (e.message !== undefined) out['exception.message'] = String(e.message);
    if (stack !== undefined) out['exception.stacktrace'] = stack;
    return out;
  }
  if (err !== undefined && err !== null) out['exception.message'] = String(err);
  return out;
}
