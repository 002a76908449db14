import type { ExportLogsRequestData, LogRecordData } from '../otlp/types.ts';

/** Outcome of {@link rejectInvalidRecords}. */
export interface ValidationResult {
  /** Records removed from the request. */
  rejected: number;
  /** First few reasons, for ExportLogsPartialSuccess.error_message. */
  message: string;
}

/** Latest time DateTime64(9) holds (2262-04-11T23:47:16.854775807Z): int64 nanoseconds. */
const MAX_NANOS = 2n ** 63n - 1n;

/**
 * Why a record is invalid, or undefined when it is fine. OTLP: trace_id 16 bytes, span_id 8,
 * severity 0-24; and ClickHouse's DateTime64(9) cannot hold times past 2262-04-11.
 */
export function recordProblem(r: LogRecordData): string | undefined {
  if (r.traceId.length !== 0 && r.traceId.length !== 16) return `trace_id is ${r.traceId.length} bytes, expected 16 (or empty)`;
  if (r.spanId.length !== 0 && r.spanId.length !== 8) return `span_id is ${r.spanId.length} bytes, expected 8 (or empty)`;
  if (r.severityNumber < 0 || r.severityNumber > 24) return `severity_number ${r.severityNumber} is unknown, expected 0-24`;
  if (r.timeUnixNano > MAX_NANOS) return 'time_unix_nano is after 2262-04-11, the last time ClickHouse DateTime64(9) holds';
  if (r.observedTimeUnixNano > MAX_NANOS) return 'observed_time_unix_nano is after 2262-04-11, the last time ClickHouse DateTime64(9) holds';
  return undefined;
}

/**
 * Removes invalid records from `req` (in place) and counts them, so one bad record does not
 * cost the client the whole request (OTLP partial success: the client must not retry those).
 */
export function rejectInvalidRecords(req: ExportLogsRequestData): ValidationResult {
  let rejected = 0;
  const reasons = new Map<string, number>();
  for (const rl of req.resourceLogs) {
    for (const sl of rl.scopeLogs) {
      let kept: LogRecordData[] | undefined;
      for (let i = 0; i < sl.logRecords.length; i++) {
        const problem = recordProblem(sl.logRecords[i]);
        if (problem === undefined) {
          kept?.push(sl.logRecords[i]);
          continue;
        }
        kept ??= sl.logRecords.slice(0, i);
        rejected++;
        reasons.set(problem, (reasons.get(problem) ?? 0) + 1);
      }
      if (kept) sl.logRecords = kept;
    }
  }
  const parts = [...reasons].slice(0, 5).map(([reason, n]) => `${n} record(s): ${reason}`);
  return { rejected, message: rejected ? `LOGQ_INVALID_RECORD: rejected ${rejected} log record(s): ${parts.join('; ')}` : '' };
}
