import * as grpc from '@grpc/grpc-js';
import { decodeRetryDelayMs, STATUS_DETAILS_KEY } from '../otlp/retry-info.ts';

/**
 * gRPC codes the OTLP spec (exporter, "Retryable Response Codes") says to retry. RESOURCE_EXHAUSTED
 * is retried only when the server sent RetryInfo (it then promises recovery).
 */
export const RETRYABLE_CODES: ReadonlySet<number> = new Set([
  grpc.status.CANCELLED,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.ABORTED,
  grpc.status.OUT_OF_RANGE,
  grpc.status.UNAVAILABLE,
  grpc.status.DATA_LOSS,
]);

/** The server's RetryInfo delay (ms) from the `grpc-status-details-bin` trailer, if any. */
export function serverRetryDelayMs(error: Partial<grpc.ServiceError>): number | undefined {
  const values = error.metadata?.get(STATUS_DETAILS_KEY);
  const raw = values?.[0];
  if (raw === undefined) return undefined;
  return decodeRetryDelayMs(typeof raw === 'string' ? Buffer.from(raw, 'base64') : raw);
}

/**
 * How long to wait before the next attempt, or undefined when the error is final. The server's
 * RetryInfo delay wins (UNAVAILABLE / RESOURCE_EXHAUSTED); otherwise exponential backoff with
 * full jitter in [backoff/2, backoff·1.5).
 */
export function retryDelay(error: Partial<grpc.ServiceError>, backoffMs: number, random: () => number = Math.random): { delayMs: number; fromServer: boolean } | undefined {
  const code = error.code ?? grpc.status.UNKNOWN;
  const server = code === grpc.status.UNAVAILABLE || code === grpc.status.RESOURCE_EXHAUSTED ? serverRetryDelayMs(error) : undefined;
  if (server !== undefined) return { delayMs: server, fromServer: true };
  if (!RETRYABLE_CODES.has(code)) return undefined;
  return { delayMs: backoffMs * (0.5 + random()), fromServer: false };
}
