// logq's level names (the same six the API, CLI and retention policy use), from severity numbers.

/** Levels from least to most severe; UNSPECIFIED is severity 0. */
export const LEVEL_ORDER = ['UNSPECIFIED', 'TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

/** The level of an OTLP severity number (TRACE 1-4, DEBUG 5-8, INFO 9-12, WARN 13-16, ERROR 17-20, FATAL 21-24). */
export function levelOf(severityNumber) {
  if (!(severityNumber >= 1)) return 'UNSPECIFIED';
  return LEVEL_ORDER[Math.min(6, ((severityNumber - 1) >> 2) + 1)];
}
