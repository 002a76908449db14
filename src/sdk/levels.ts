import { SeverityNumber } from '@opentelemetry/api';

/** Logger method names, lowest to highest. */
export type LevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** What a level setting accepts: a level name (any case, `warning`/`critical` too), or `silent` to log nothing. */
export type LevelSetting = LevelName | 'silent' | (string & {});

/** Severity number and text of each logger method (first number of each OTel range). */
export const LEVEL_INFO: Readonly<Record<LevelName, { number: SeverityNumber; text: string }>> = {
  trace: { number: SeverityNumber.TRACE, text: 'TRACE' },
  debug: { number: SeverityNumber.DEBUG, text: 'DEBUG' },
  info: { number: SeverityNumber.INFO, text: 'INFO' },
  warn: { number: SeverityNumber.WARN, text: 'WARN' },
  error: { number: SeverityNumber.ERROR, text: 'ERROR' },
  fatal: { number: SeverityNumber.FATAL, text: 'FATAL' },
};

/** The level names in order. */
export const LEVEL_NAMES: readonly LevelName[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** Minimum severity that means "nothing is enabled" (above FATAL4 = 24). */
export const SILENT_SEVERITY = 25;

const ALIASES: Record<string, number> = {
  trace: SeverityNumber.TRACE,
  debug: SeverityNumber.DEBUG,
  info: SeverityNumber.INFO,
  warn: SeverityNumber.WARN,
  warning: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
  fatal: SeverityNumber.FATAL,
  critical: SeverityNumber.FATAL,
  silent: SILENT_SEVERITY,
  off: SILENT_SEVERITY,
  none: SILENT_SEVERITY,
};

/**
 * The minimum severity number a level setting stands for (`'info'` → 9, `'silent'` → 25), or
 * undefined when the text is not a level (Django's `WARNING`/`CRITICAL` are accepted).
 */
export function levelSeverity(setting: string): number | undefined {
  return ALIASES[setting.trim().toLowerCase()];
}
