import { LEVELS, parseLevel, type Level } from '../otlp/severity.ts';

/** Days to keep records of each level. */
export type RetentionPolicy = Readonly<Record<Level, number>>;

/**
 * The default policy, after the seed Django app's cleanup policies (INFO and WARNING 10 days,
 * ERROR 15 days), with DEBUG kept 3 days and FATAL 30. TRACE follows DEBUG.
 */
export const DEFAULT_RETENTION: RetentionPolicy = {
  TRACE: 3,
  DEBUG: 3,
  INFO: 10,
  WARN: 10,
  ERROR: 15,
  FATAL: 30,
};

/** Largest retention the UInt16 `RetentionDays` column holds. */
export const MAX_RETENTION_DAYS = 65_535;

/** A retention spec that could not be parsed; the message names the bad part and the expected form. */
export class RetentionSpecError extends Error {
  override readonly name = 'RetentionSpecError';
}

/**
 * Parses `DEBUG=3d,INFO=10d,...` (levels case-insensitive, WARNING/CRITICAL accepted; `d` suffix
 * optional; `w` for weeks). `DEFAULT=<days>` sets every level the spec does not name; without it,
 * levels not named keep the value of `base` (the defaults).
 */
export function parseRetention(spec: string, base: RetentionPolicy = DEFAULT_RETENTION): RetentionPolicy {
  const out: Record<Level, number> = { ...base };
  const parts = spec.split(/[,\s]+/).filter(Boolean);
  if (parts.length === 0) throw new RetentionSpecError(`empty retention "${spec}": expected LEVEL=<days>d, e.g. INFO=10d`);
  const named = new Set<Level>();
  let fallback: number | undefined;
  for (const part of parts) {
    const m = /^([A-Za-z]+)=(\d+)([dw]?)$/.exec(part);
    if (!m) throw new RetentionSpecError(`"${part}" is not LEVEL=<days>d (e.g. INFO=10d)`);
    const isDefault = m[1].toUpperCase() === 'DEFAULT';
    const level = isDefault ? undefined : parseLevel(m[1]);
    if (!isDefault && !level) {
      throw new RetentionSpecError(`unknown level "${m[1]}" in "${part}": expected one of ${LEVELS.join(', ')} or DEFAULT`);
    }
    const days = Number(m[2]) * (m[3] === 'w' ? 7 : 1);
    if (days < 1 || days > MAX_RETENTION_DAYS) {
      throw new RetentionSpecError(`"${part}": days must be between 1 and ${MAX_RETENTION_DAYS}`);
    }
    if (level) {
      out[level] = days;
      named.add(level);
    } else fallback = days;
  }
  if (fallback !== undefined) for (const l of LEVELS) if (!named.has(l)) out[l] = fallback;
  return out;
}

/** Reads the policy back from the `RetentionDays` column comment (`logq retention …`); undefined if absent. */
export function policyFromComment(comment: string | undefined): RetentionPolicy | undefined {
  const m = /^logq retention (\S+)$/.exec(comment ?? '');
  if (!m) return undefined;
  try {
    return parseRetention(m[1]);
  } catch {
    return undefined;
  }
}

/** The canonical text form, e.g. `TRACE=3d,DEBUG=3d,INFO=10d,WARN=10d,ERROR=15d,FATAL=30d`. */
export function formatRetention(policy: RetentionPolicy): string {
  return LEVELS.map((l) => `${l}=${policy[l]}d`).join(',');
}

/**
 * The SQL expression computing a row's retention from its SeverityNumber (the DEFAULT of the
 * `RetentionDays` column). Unspecified severity (0) is kept as long as INFO.
 */
export function retentionExpression(policy: RetentionPolicy): string {
  const d = (l: Level) => String(policy[l]);
  return (
    `toUInt16(multiIf(SeverityNumber = 0, ${d('INFO')}, SeverityNumber <= 4, ${d('TRACE')}, ` +
    `SeverityNumber <= 8, ${d('DEBUG')}, SeverityNumber <= 12, ${d('INFO')}, SeverityNumber <= 16, ${d('WARN')}, ` +
    `SeverityNumber <= 20, ${d('ERROR')}, ${d('FATAL')}))`
  );
}
