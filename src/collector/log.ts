/**
 * The collector's own logs: one JSON object per line on stderr (never the records it receives,
 * never secrets).
 */
export type CollectorLogLevel = 'debug' | 'info' | 'warn' | 'error';

const ORDER: Record<CollectorLogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
let minimum: CollectorLogLevel = (process.env.LOGQ_LOG_LEVEL as CollectorLogLevel) in ORDER
  ? (process.env.LOGQ_LOG_LEVEL as CollectorLogLevel)
  : 'info';

/** Sets the lowest level written. */
export function setCollectorLogLevel(level: CollectorLogLevel): void {
  minimum = level;
}

/** Writes one JSON line `{ time, level, msg, ...fields }` to stderr (errors as name, message, code). */
export function collectorLog(level: CollectorLogLevel, msg: string, fields: Record<string, unknown> = {}): void {
  if (ORDER[level] < ORDER[minimum]) return;
  const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }, (_k, v) =>
    v instanceof Error ? { name: v.name, message: v.message, code: (v as { code?: unknown }).code } : v,
  );
  process.stderr.write(line + '\n');
}
