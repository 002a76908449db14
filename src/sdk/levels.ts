import { SeverityNumber } from '@opentelemetry/api';

/** Logger method names, lowest to highest. */
export type LevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** Severity number and text of each logger method (first number of each OTel range). */
export const LEVEL_INFO: Readonly<Record<LevelName, { number: SeverityNumber; text: string }>> = {
  trace: { number: SeverityNumber.TRACE, text: 'TRACE' },
  debug: { number: SeverityNumber.DEBUG, text: 'DEBUG' },
  info: { number: SeverityNumber.INFO, text: 'INFO' },
  warn: { number: SeverityNumber.WARN, text: 'WARN' },
  error: { number: SeverityNumber.ERROR, text: 'ERROR' },
  fatal: { number: SeverityNumber.FATAL, text: 'FATAL' },
};
