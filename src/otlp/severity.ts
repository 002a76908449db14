/**
 * OTLP severity numbers and logq's level names.
 * Ranges per the OTel logs data model: TRACE 1-4, DEBUG 5-8, INFO 9-12, WARN 13-16, ERROR 17-20, FATAL 21-24.
 */

/** The six level names logq uses everywhere (CLI, retention policy, API). */
export const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
export type Level = (typeof LEVELS)[number];

/** The first severity number of each level (what the SDK emits for that level). */
export const LEVEL_SEVERITY: Readonly<Record<Level, number>> = {
  TRACE: 1,
  DEBUG: 5,
  INFO: 9,
  WARN: 13,
  ERROR: 17,
  FATAL: 21,
};

/** The level a severity number belongs to; 0 (unspecified) and out-of-range numbers → undefined. */
export function levelOfSeverity(severityNumber: number): Level | undefined {
  if (!Number.isInteger(severityNumber) || severityNumber < 1 || severityNumber > 24) return undefined;
  return LEVELS[(severityNumber - 1) >> 2];
}

const ALIASES: Record<string, Level> = {
  TRACE: 'TRACE',
  DEBUG: 'DEBUG',
  INFO: 'INFO',
  WARN: 'WARN',
  WARNING: 'WARN',
  ERROR: 'ERROR',
  FATAL: 'FATAL',
  CRITICAL: 'FATAL',
};

/**
 * Parses a level name, case-insensitively, accepting the Python/Django names too
 * (WARNING → WARN, CRITICAL → FATAL). Returns undefined for anything else.
 */
export function parseLevel(name: string): Level | undefined {
  return ALIASES[name.trim().toUpperCase()];
}
