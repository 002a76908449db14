import type { AnyValue, Attributes } from '@opentelemetry/api';

/**
 * Nested attributes are FLATTENED to dotted keys (`{ user: { id: 7 } }` → `user.id = 7`):
 * otel_logs stores attributes as Map(String, String), so a dotted key is directly queryable
 * (`LogAttributes['user.id']`) and matches the OTel semantic-convention naming; a map value would
 * land as one JSON string. Arrays stay arrays (stored as JSON). Depth is bounded and cycles are cut.
 */
export const MAX_FLATTEN_DEPTH = 8;

/** Marker for a value that refers back to one of its ancestors. */
export const CIRCULAR = '[Circular]';

/** Flattens `input` into `out` under `prefix` (see {@link MAX_FLATTEN_DEPTH} for the rules). */
export function flattenInto(out: Attributes, input: Record<string, unknown>, prefix = '', depth = 0, seen?: Set<object>): Attributes {
  for (const key in input) {
    // An own `__proto__` key (JSON.parse of a request body) would set the prototype of `out`: dropped.
    if (key === '__proto__' && !prefix) continue;
    const value = input[key];
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    const name = prefix ? `${prefix}.${key}` : key;
    if (value === null || typeof value !== 'object') {
      out[name] = typeof value === 'bigint' ? value.toString() : (value as AnyValue as never);
      continue;
    }
    if (value instanceof Date) {
      out[name] = Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    } else if (value instanceof Error) {
      out[`${name}.type`] = value.name;
      out[`${name}.message`] = value.message;
    } else if (Array.isArray(value) || value instanceof Uint8Array) {
      out[name] = value as never;
    } else if (depth >= MAX_FLATTEN_DEPTH) {
      out[name] = '[max depth exceeded]';
    } else {
      const ancestors = seen ?? new Set<object>();
      if (ancestors.has(value)) {
        out[name] = CIRCULAR;
        continue;
      }
      ancestors.add(value);
      flattenInto(out, value as Record<string, unknown>, name, depth + 1, ancestors);
      ancestors.delete(value);
    }
  }
  return out;
}

/** A new flat copy of `input`. */
export function flattenAttributes(input: Record<string, unknown> | undefined): Attributes {
  return input ? flattenInto({}, input) : {};
}
