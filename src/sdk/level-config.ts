import { SeverityNumber } from '@opentelemetry/api';
import { levelSeverity, type LevelSetting } from './levels.ts';

/** Level settings of the app: one overall minimum, and minimums per logger-name prefix. */
export interface LevelOptions {
  /**
   * Minimum level of every logger without a more specific setting. Unset means no filtering, as
   * in the OTel SDK (LoggerConfig.minimumSeverity 0) and issue 3's contract; production sets
   * LOG_LEVEL=info. @default LOG_LEVEL ?? 'trace'
   */
  level?: LevelSetting;
  /**
   * Minimum level per logger name prefix, matched on whole dot-separated segments:
   * `{ 'app.db': 'debug' }` applies to `app.db` and `app.db.pool`, not to `app.dbx`.
   * The longest matching prefix wins. Merged over the pairs of LOG_LEVEL (`info,app.db=debug`).
   * @default {}
   */
  levels?: Record<string, LevelSetting>;
}

/** The resolved level configuration: severities by prefix plus the overall default. */
export interface LevelConfig {
  readonly defaultSeverity: number;
  readonly prefixes: ReadonlyMap<string, number>;
}

/** Reports a bad setting without ever throwing into the app. */
export type Warn = (message: string) => void;

const defaultWarn: Warn = (m) => process.emitWarning(m, 'LogqConfigWarning');

function parseSetting(value: string, where: string, warn: Warn): number | undefined {
  const sev = levelSeverity(value);
  if (sev === undefined) {
    warn(`logq: ${where} has level "${value}": expected one of trace, debug, info, warn, error, fatal, silent; ignored`);
  }
  return sev;
}

/**
 * Parses `LOG_LEVEL`: either one level (`debug`) or a comma list where bare entries set the
 * overall level and `prefix=level` entries set a prefix (`warn,app.db=debug`).
 */
export function parseLogLevelEnv(raw: string | undefined, warn: Warn = defaultWarn): { level?: number; levels: Map<string, number> } {
  const levels = new Map<string, number>();
  let level: number | undefined;
  if (!raw || !raw.trim()) return { levels };
  for (const part of raw.split(',')) {
    const entry = part.trim();
    if (!entry) continue;
    const eq = entry.indexOf('=');
    if (eq < 0) {
      level = parseSetting(entry, 'LOG_LEVEL', warn) ?? level;
      continue;
    }
    const prefix = entry.slice(0, eq).trim();
    const sev = parseSetting(entry.slice(eq + 1), `LOG_LEVEL entry "${prefix}"`, warn);
    if (prefix && sev !== undefined) levels.set(prefix, sev);
  }
  return { level, levels };
}

/** Merges options over LOG_LEVEL over the default (`trace`: no filtering): options win, then the environment. */
export function resolveLevelConfig(options: LevelOptions = {}, env: NodeJS.ProcessEnv = process.env, warn: Warn = defaultWarn): LevelConfig {
  const fromEnv = parseLogLevelEnv(env.LOG_LEVEL, warn);
  const optionLevel = options.level === undefined ? undefined : parseSetting(String(options.level), 'option "level"', warn);
  const prefixes = new Map(fromEnv.levels);
  for (const [prefix, setting] of Object.entries(options.levels ?? {})) {
    const sev = parseSetting(String(setting), `option levels["${prefix}"]`, warn);
    if (sev !== undefined) prefixes.set(prefix, sev);
  }
  return { defaultSeverity: optionLevel ?? fromEnv.level ?? SeverityNumber.TRACE, prefixes };
}

/**
 * The minimum severity for logger `name`: the setting of the longest prefix of whole segments
 * (`app.db.pool` → `app.db.pool`, `app.db`, `app`), else the overall default.
 */
export function severityFor(name: string, config: LevelConfig): number {
  if (config.prefixes.size > 0) {
    let candidate = name;
    for (;;) {
      const sev = config.prefixes.get(candidate);
      if (sev !== undefined) return sev;
      const dot = candidate.lastIndexOf('.');
      if (dot <= 0) break;
      candidate = candidate.slice(0, dot);
    }
  }
  return config.defaultSeverity;
}
