/** A duration or time the user typed could not be read; the message says what is expected. */
export class TimeSpecError extends Error {
  override readonly name = 'TimeSpecError';
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses a duration such as `30s`, `15m`, `2h`, `7d`, `1w` into milliseconds; undefined if it is not one. */
export function parseDuration(raw: string): number | undefined {
  const m = /^(\d+)(s|m|h|d|w)$/.exec(raw.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNIT_MS[m[2]];
}

/**
 * Reads `--since`/`--until` style values as nanoseconds since the epoch: a duration back from
 * `nowMs` (`15m`, `2h`, `7d`), an ISO-8601 timestamp (`2026-11-23T10:00:00Z`; without a zone it is
 * UTC), a date (`2026-11-23`, UTC midnight) or Unix seconds/milliseconds.
 */
export function parseTimeSpec(raw: string, nowMs: number = Date.now()): bigint {
  const text = raw.trim();
  const dur = parseDuration(text);
  if (dur !== undefined) return BigInt(nowMs - dur) * 1_000_000n;
  if (/^\d{9,10}(\.\d+)?$/.test(text)) return BigInt(Math.round(Number(text) * 1000)) * 1_000_000n;
  if (/^\d{13}$/.test(text)) return BigInt(text) * 1_000_000n;
  const iso = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  if (iso) {
    const withZone = iso[4] ? text : iso[1] ? text + 'Z' : text + 'T00:00:00Z';
    const ms = Date.parse(withZone.replace(' ', 'T'));
    if (!Number.isNaN(ms)) return BigInt(ms) * 1_000_000n;
  }
  throw new TimeSpecError(
    `"${raw}" is not a duration or time: expected e.g. 15m, 2h, 7d, 2026-11-23T10:00:00Z or Unix seconds`,
  );
}
