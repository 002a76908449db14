/**
 * The collector's typed errors. Each has a stable code, documented in README.md ("Error codes");
 * a test checks that every code here is documented there.
 */
export const ERROR_CODES = {
  LOGQ_CONFIG_INVALID: 'a flag, env var or config value is invalid; the message names it and the expected form',
  LOGQ_DECODE_FAILED: 'a request body is not a valid OTLP ExportLogsServiceRequest (answered INVALID_ARGUMENT)',
  LOGQ_OVERLOADED: 'the collector holds more unwritten rows than its bound (answered UNAVAILABLE; clients retry)',
  LOGQ_STORAGE_FAILED: 'ClickHouse rejected or did not answer an insert (answered UNAVAILABLE; clients retry)',
  LOGQ_SHUTTING_DOWN: 'the collector is stopping and takes no new data (answered UNAVAILABLE)',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error with a stable {@link ErrorCode}. */
export class LogqError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LogqError';
    this.code = code;
  }
}
