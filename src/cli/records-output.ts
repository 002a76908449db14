import type { LogRecordView } from '../storage/search.ts';
import { formatTable } from './format.ts';

/** Output formats of `logq query` filters and `logq tail`. */
export const RECORD_FORMATS = ['table', 'json', 'jsonl'] as const;
export type RecordFormat = (typeof RECORD_FORMATS)[number];

const LEVEL_NAMES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

function levelName(r: LogRecordView): string {
  return r.severityText || (r.severityNumber ? LEVEL_NAMES[(r.severityNumber - 1) >> 2] ?? '' : '');
}

/** The record without its cursor, for json/jsonl. */
function plain(r: LogRecordView): Omit<LogRecordView, 'cursor'> {
  const { cursor: _cursor, ...rest } = r;
  return rest;
}

/** Renders records: an aligned table, one JSON array, or one JSON object per line. */
export function formatRecords(records: LogRecordView[], format: RecordFormat, options: { footer?: boolean } = {}): string {
  if (format === 'json') return JSON.stringify(records.map(plain), null, 2) + '\n';
  if (format === 'jsonl') return records.map((r) => JSON.stringify(plain(r)) + '\n').join('');
  const rows = records.map((r) => ({
    time: r.timestamp,
    level: levelName(r),
    service: r.serviceName,
    body: r.body,
    trace_id: r.traceId,
    request_id: r.logAttributes['request.id'] ?? '',
  }));
  const text = formatTable(['time', 'level', 'service', 'body', 'trace_id', 'request_id'], rows);
  if (options.footer === false) return text.split('\n').slice(2, -1).map((l) => l + '\n').join('');
  return text + '\n';
}
