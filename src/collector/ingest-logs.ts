import { decodeExportLogsRequest } from '../otlp/decode-logs.ts';
import type { ExportLogsPartialSuccess, ExportLogsRequestData } from '../otlp/types.ts';
import type { IngestPipeline } from './IngestPipeline.ts';
import type { GuardStats, RecordLimits } from './limit-rows.ts';
import { requestToNative } from './request-native.ts';
import { rejectInvalidRecords } from './validate-records.ts';
import { otlpToNative } from './wire-native.ts';

/**
 * Takes a decoded request; resolves with the partial-success answer once the kept records are
 * durable. `key` ({@link requestKey} of the request bytes) lets a client's retry of a request
 * already durable be acknowledged without storing it twice.
 */
export type LogsIngest = ((request: ExportLogsRequestData, key?: string) => Promise<ExportLogsPartialSuccess>) & {
  /** The same for the bytes of a protobuf request, when the ingest has a byte-level path ({@link ProtobufLogsIngest}). */
  readonly protobuf?: ProtobufLogsIngest;
};

/**
 * Takes the bytes of a protobuf ExportLogsServiceRequest; answers as {@link LogsIngest} does for
 * the decoded request. Throws ProtoDecodeError synchronously, having counted nothing, when the
 * bytes are not such a request; any other failure rejects the promise.
 */
export type ProtobufLogsIngest = (body: Uint8Array, key?: string) => Promise<ExportLogsPartialSuccess>;

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
 * pipeline, which resolves once the rows are fsync'ed in the spool. Its `protobuf` takes the
 * request's bytes instead (gRPC and OTLP/HTTP protobuf): the byte-level pass {@link otlpToNative}
 * (the same block without an object per record: bench/collector-ingest measured the collector's
 * JavaScript at ~3.9 µs per record instead of ~8.3), or the object path for what that pass leaves to it.
 */
export function createLogsIngest(pipeline: IngestPipeline, limits: RecordLimits, stats: ReceiverStats): LogsIngest {
  const ingest = async (request: ExportLogsRequestData, key?: string): Promise<ExportLogsPartialSuccess> => {
    stats.receivedRecords += countRecords(request);
    const { rejected, message } = rejectInvalidRecords(request);
    stats.rejectedRecords += rejected;
    // Straight to one Native block per request (limits and redaction applied on the way): no row
    // objects wait in memory for the batch.
    await pipeline.accept(requestToNative(request, limits, stats), key);
    return { rejectedLogRecords: rejected, errorMessage: message };
  };
  const protobuf: ProtobufLogsIngest = (body, key) => {
    const wire = otlpToNative(body, limits, stats);
    if (wire === undefined) return ingest(decodeExportLogsRequest(body), key);
    stats.receivedRecords += wire.received;
    stats.rejectedRecords += wire.rejected;
    const partial: ExportLogsPartialSuccess = { rejectedLogRecords: wire.rejected, errorMessage: wire.message };
    return pipeline.accept(wire.chunk, key).then(() => partial);
  };
  return Object.assign(ingest, { protobuf });
}
