import { SeverityNumber } from '@opentelemetry/api';

/** Severity number and text of a record. */
export interface Severity {
  number: SeverityNumber;
  text: string;
}

const TEXTS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;

/**
 * Maps a pino level to an OTel severity. pino's levels are 10 trace, 20 debug, 30 info, 40 warn,
 * 50 error, 60 fatal: each band of ten is one OTel range (TRACE 1-4 … FATAL 21-24, logs data model),
 * and custom levels between two bands take a higher number inside the band (35 → INFO3), so their
 * order survives. `label` (pino's name for a custom level) becomes the severity text.
 */
export function pinoSeverity(level: unknown, label?: string): Severity {
  const n = typeof level === 'number' && Number.isFinite(level) ? level : 30;
  const band = Math.min(5, Math.max(0, Math.floor(n / 10) - 1));
  const step = n < 10 ? 0 : n >= 70 ? 3 : Math.min(3, Math.floor(((n % 10) * 4) / 10));
  return { number: (band * 4 + 1 + step) as SeverityNumber, text: label ? label.toUpperCase() : TEXTS[band] };
}
