/**
 * The collector's typed errors. Each has a stable code, documented in README.md ("Error codes");
 * a test checks that every code here is documented there. Whether a client should retry is part
 * of each entry (OTLP: UNAVAILABLE / 429 / 503 are retried, INVALID_ARGUMENT / 400 are not).
 */
export const ERROR_CODES = {
  LOGQ_CONFIG_INVALID: 'a flag, env var or config file value is invalid; the message names it and the expected form (the collector does not start)',
  LOGQ_DECODE_FAILED: 'a request body is not a valid OTLP ExportLogsServiceRequest (gRPC INVALID_ARGUMENT / HTTP 400; not retried)',
  LOGQ_INVALID_RECORD: 'some records of a request were rejected (bad trace/span id length, unknown severity number); the rest were kept and ExportLogsPartialSuccess counts the rejected ones (not retried)',
  LOGQ_BAD_REQUEST: 'a POST /api/logs body is invalid; the message names the field and the expected form (HTTP 400; not retried)',
  LOGQ_REQUEST_TOO_LARGE: 'the request (or its decompressed body) is larger than --max-request-bytes (gRPC RESOURCE_EXHAUSTED / HTTP 413; not retried)',
  LOGQ_UNSUPPORTED_MEDIA_TYPE: 'an HTTP request has a content type or encoding the collector does not read (HTTP 415)',
  LOGQ_UNAUTHENTICATED: 'no bearer token or a token not in the configured set (gRPC UNAUTHENTICATED / HTTP 401)',
  LOGQ_OVERLOADED: 'the collector holds more unwritten rows than --max-pending-rows (gRPC UNAVAILABLE + RetryInfo / HTTP 429 + Retry-After; retried)',
  LOGQ_SPOOL_FULL: 'the write-ahead spool holds --spool-max-bytes and the policy is refuse (gRPC UNAVAILABLE + RetryInfo / HTTP 503 + Retry-After; retried); with drop-oldest the oldest batches are deleted and counted instead',
  LOGQ_SPOOL_FAILED: 'a batch could not be written and fsync\'ed to the spool (disk full, permissions) (UNAVAILABLE / 503; retried)',
  LOGQ_SPOOL_CORRUPT: 'a spool file failed its checksum or was cut short by a crash; it was moved to <spool-dir>/quarantine and reported (logged, never fatal)',
  LOGQ_STORAGE_REJECTED: 'ClickHouse refused a row as invalid data (parse/type error); the batch was split, the other rows stored, the row written to <spool-dir>/quarantine/rejected-rows.jsonl (logged, counted)',
  LOGQ_STORAGE_FAILED: 'ClickHouse rejected or did not answer an insert; the batch stays in the spool and is retried (logged; /readyz reports it)',
  LOGQ_SHUTTING_DOWN: 'the collector is stopping and takes no new data (UNAVAILABLE / 503; retried)',
  LOGQ_QUERY_INVALID: 'a query API parameter is invalid; the answer names it in `param` and says what was expected (HTTP 400)',
  LOGQ_QUERY_TIMEOUT: 'a query API request ran longer than its max_execution_time (HTTP 504); narrow the time range or filters',
  LOGQ_QUERY_FAILED: 'ClickHouse failed a query API request for another reason (HTTP 500; logged)',
} as const;

/** A stable error code (a key of {@link ERROR_CODES}). */
export type ErrorCode = keyof typeof ERROR_CODES;

/** An error with a stable {@link ErrorCode}. */
export class LogqError extends Error {
  readonly code: ErrorCode;
  /** For backpressure errors: how long the client should wait before retrying, in ms. */
  readonly retryAfterMs: number | undefined;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, options);
    this.name = 'LogqError';
    this.code = code;
    this.retryAfterMs = options?.retryAfterMs;
  }
}
