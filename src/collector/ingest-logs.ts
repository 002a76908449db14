import type { ExportLogsPartialSuccess, ExportLogsRequestData } from '../otlp/types.ts';
import type { IngestPipeline } from './IngestPipeline.ts';
import type { GuardStats, RecordLimits } from './limit-rows.ts';
import { requestToNative } from './request-native.ts';
import { rejectInvalidRecords } from './validate-records.ts';

/**
 * Takes a decoded request; resolves with the partial-success answer once the kept records are
 * durable. `key` ({@link requestKey} of the request bytes) lets a client's retry of a request
 * already durable be acknowledged without storing it twice.
 */
export type LogsIngest = (request: ExportLogsRequestData, key?: string) => Promise<ExportLogsPartialSuccess>;

/** Counters of the receivers (exported on /metrics). */
export interface ReceiverStats extends GuardStats {
  /** Records in decoded requests. */
  receivedRecords: number;
  /** Records rejected individually (partial success). */
  rejectedRecords: number;
  /** Requests that could not be decoded. */
  undecodableRequests: number;
  /** Requests refused for a missing or wrong token. */
  unauthenticatedRequests: number;
}

/** A fresh set of receiver counters. */
export function newReceiverStats(): ReceiverStats {
  return {
    receivedRecords: 0,
    rejectedRecords: 0,
    undecodableRequests: 0,
    unauthenticatedRequests: 0,
    droppedAttributes: 0,
    truncatedValues: 0,
    redactedValues: 0,
  };
}

function countRecords(req: ExportLogsRequestData): number {
  let n = 0;
  for (const rl of req.resourceLogs) for (const sl of rl.scopeLogs) n += sl.logRecords.length;
  return n;
}

export { requestKey } from './RequestJournal.ts';

/**
 * The path every receiver (gRPC, OTLP/HTTP, REST) shares: validate records (invalid ones are
 * rejected individually), write them as a Native block applying limits and redaction, then admit into the
 * pipeline, which resolves once the rows are fsync'ed in the spool.
 */
export function createLogsIngest(pipeline: IngestPipeline, limits: RecordLimits, stats: ReceiverStats): LogsIngest {
  return async (request, key) => {
    stats.receivedRecords += countRecords(request);
    const { rejected, message } = rejectInvalidRecords(request);
    stats.rejectedRecords += rejected;
    // Straight to one Native block per request (limits and redaction applied on the way): no row
    // objects wait in memory for the batch.
    await pipeline.accept(requestToNative(request, limits, stats), key);
    return { rejectedLogRecords: rejected, errorMessage: message };
  };
}
