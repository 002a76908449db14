import { SeverityNumber } from '@opentelemetry/api';

/**
 * winston level name → OTel severity number. npm levels (winston's default): error, warn, info,
 * then http, verbose, debug, silly going down — http and verbose sit in the DEBUG range above
 * debug, silly is TRACE. syslog levels: emerg/alert/crit are FATAL (in rising order), warning
 * WARN, notice INFO2. cli levels: help/data/prompt/input are INFO-range, as their use suggests.
 */
export const WINSTON_SEVERITY: Readonly<Record<string, SeverityNumber>> = {
  // npm
  error: SeverityNumber.ERROR,
  warn: SeverityNumber.WARN,
  info: SeverityNumber.INFO,
  http: SeverityNumber.DEBUG3,
  verbose: SeverityNumber.DEBUG2,
  debug: SeverityNumber.DEBUG,
  silly: SeverityNumber.TRACE,
  // syslog
  emerg: SeverityNumber.FATAL3,
  alert: SeverityNumber.FATAL2,
  crit: SeverityNumber.FATAL,
  warning: SeverityNumber.WARN,
  notice: SeverityNumber.INFO2,
  // cli
  help: SeverityNumber.INFO,
  data: SeverityNumber.INFO,
  prompt: SeverityNumber.INFO,
  input: SeverityNumber.INFO,
};

/**
 * The severity number of a winston level: `overrides` first (custom levels), then
 * {@link WINSTON_SEVERITY}; an unknown level is INFO, so the record is kept, with its own name as
 * the severity text.
 */
export function winstonSeverity(level: string, overrides?: Readonly<Record<string, number>>): SeverityNumber {
  return (overrides?.[level] ?? WINSTON_SEVERITY[level] ?? SeverityNumber.INFO) as SeverityNumber;
}
