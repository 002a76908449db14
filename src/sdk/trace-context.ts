import { randomBytes } from 'node:crypto';
import { TraceFlags, type SpanContext } from '@opentelemetry/api';

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/**
 * Parses a W3C `traceparent` header (Trace Context §3.2): version-traceid-parentid-flags, lower-case
 * hex. Returns undefined for anything invalid (version ff, all-zero ids, wrong lengths), in which
 * case the caller starts a new trace, as the spec says.
 */
export function parseTraceparent(header: string | string[] | undefined): SpanContext | undefined {
  const raw = Array.isArray(header) ? header[0] : header;
  if (!raw) return undefined;
  const m = TRACEPARENT.exec(raw.trim());
  if (!m) return undefined;
  const [, version, traceId, spanId, flags] = m;
  if (version === 'ff' || traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  if (version === '00' && raw.trim().length !== 55) return undefined;
  return { traceId, spanId, traceFlags: parseInt(flags, 16) & 0xff, isRemote: true };
}

/** A random, valid trace id (16 bytes, hex). */
export function newTraceId(): string {
  return randomBytes(16).toString('hex');
}

/** A random, valid span id (8 bytes, hex). */
export function newSpanId(): string {
  return randomBytes(8).toString('hex');
}

/**
 * The span context of a server request: the incoming trace (its trace id and flags) with a new
 * span id for this hop, or a fresh sampled trace when there is no valid `traceparent`.
 */
export function requestSpanContext(traceparent: string | string[] | undefined): SpanContext {
  const parent = parseTraceparent(traceparent);
  if (parent) return { traceId: parent.traceId, spanId: newSpanId(), traceFlags: parent.traceFlags, isRemote: false };
  return { traceId: newTraceId(), spanId: newSpanId(), traceFlags: TraceFlags.SAMPLED, isRemote: false };
}
