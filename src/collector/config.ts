import { DEFAULT_RETENTION, parseRetention, RetentionSpecError, type RetentionPolicy } from '../storage/RetentionPolicy.ts';
import { LogqError } from './errors.ts';

/** Validated collector configuration. */
export interface CollectorConfig {
  /** OTLP/gRPC listen address. @default '127.0.0.1:4317' (LOGQ_GRPC_LISTEN) */
  grpcListen: string;
  /** HTTP listen address (health, later OTLP/HTTP and the API). @default '127.0.0.1:4318' (LOGQ_HTTP_LISTEN) */
  httpListen: string;
  /** Embedded store directory. @default './data' (LOGQ_DATA_DIR) */
  dataDir: string;
  /** ClickHouse server URL; when set, used instead of the embedded store. @default undefined (LOGQ_CLICKHOUSE_URL) */
  clickhouseUrl?: string;
  /** Per-level retention. @default DEBUG=3d,INFO=10d,WARN=10d,ERROR=15d,FATAL=30d (LOGQ_RETENTION) */
  retention: RetentionPolicy;
  /** Rows per insert. @default 10000 (LOGQ_BATCH_MAX_ROWS) */
  batchMaxRows: number;
  /** Longest a row waits before its batch is inserted, in ms. @default 200 (LOGQ_BATCH_MAX_DELAY) */
  batchMaxDelayMs: number;
  /** Unwritten rows held at most before clients are told to back off. @default 200000 (LOGQ_MAX_PENDING_ROWS) */
  maxPendingRows: number;
  /** Largest accepted request, in bytes. @default 16 MiB (LOGQ_MAX_REQUEST_BYTES) */
  maxRequestBytes: number;
}

/** One option: its flag, env twin, default and parser. Also the source of `--help`. */
interface OptionSpec {
  flag: string;
  env: string;
  key: keyof CollectorConfig;
  defaultText: string;
  help: string;
  parse(raw: string, flag: string): unknown;
}

function configError(flag: string, env: string, raw: string, expected: string): LogqError {
  return new LogqError('LOGQ_CONFIG_INVALID', `${flag} (${env}): "${raw}" is not valid: expected ${expected}`);
}

/** Parses `host:port` (IPv6 in brackets); port 0 picks a free port. */
export function parseListen(raw: string): { host: string; port: number } | undefined {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(raw.trim());
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port > 65535) return undefined;
  return { host: m[1], port };
}

function listen(expected: string) {
  return (raw: string, flag: string, env = '') => {
    if (!parseListen(raw)) throw configError(flag, env, raw, expected);
    return raw.trim();
  };
}

/** Parses `250ms`, `2s`, `1m` or a bare number of ms. */
export function parseDurationMs(raw: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(raw.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return Math.round(m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n);
}

/** Parses `16MiB`, `512KiB`, `1048576`. */
export function parseBytes(raw: string): number | undefined {
  const m = /^(\d+)\s*(B|KiB|MiB|KB|MB)?$/i.exec(raw.trim());
  if (!m) return undefined;
  const unit = (m[2] ?? 'B').toLowerCase();
  const mult = unit === 'kib' || unit === 'kb' ? 1024 : unit === 'mib' || unit === 'mb' ? 1024 * 1024 : 1;
  return Number(m[1]) * mult;
}

function intIn(min: number, max: number) {
  return (raw: string, flag: string, env = '') => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || n < min || n > max) throw configError(flag, env, raw, `an integer from ${min} to ${max}`);
    return n;
  };
}

export const OPTIONS: OptionSpec[] = [
  { flag: '--grpc-listen', env: 'LOGQ_GRPC_LISTEN', key: 'grpcListen', defaultText: '127.0.0.1:4317',
    help: 'OTLP/gRPC listen address (host:port)', parse: listen('host:port, e.g. 127.0.0.1:4317') },
  { flag: '--http-listen', env: 'LOGQ_HTTP_LISTEN', key: 'httpListen', defaultText: '127.0.0.1:4318',
    help: 'HTTP listen address for /healthz and /readyz (host:port)', parse: listen('host:port, e.g. 127.0.0.1:4318') },
  { flag: '--data-dir', env: 'LOGQ_DATA_DIR', key: 'dataDir', defaultText: './data',
    help: 'directory of the embedded ClickHouse store (chDB)', parse: (raw, flag) => {
      if (raw.trim() === '') throw configError(flag, 'LOGQ_DATA_DIR', raw, 'a directory path');
      return raw;
    } },
  { flag: '--clickhouse-url', env: 'LOGQ_CLICKHOUSE_URL', key: 'clickhouseUrl', defaultText: '(embedded store)',
    help: 'ClickHouse server URL, e.g. http://default:@localhost:8123; replaces the embedded store', parse: (raw, flag) => {
      let ok = false;
      try {
        ok = /^https?:$/.test(new URL(raw).protocol);
      } catch {
        ok = false;
      }
      if (!ok) throw configError(flag, 'LOGQ_CLICKHOUSE_URL', raw, 'an http:// or https:// URL');
      return raw;
    } },
  { flag: '--retention', env: 'LOGQ_RETENTION', key: 'retention', defaultText: 'DEBUG=3d,INFO=10d,WARN=10d,ERROR=15d,FATAL=30d',
    help: 'days kept per level (TRACE follows DEBUG unless given)', parse: (raw, flag) => {
      try {
        return parseRetention(raw);
      } catch (e) {
        if (e instanceof RetentionSpecError) {
          throw new LogqError('LOGQ_CONFIG_INVALID', `${flag} (LOGQ_RETENTION): ${e.message}; expected e.g. DEBUG=3d,INFO=10d,ERROR=15d`);
        }
        throw e;
      }
    } },
  { flag: '--batch-max-rows', env: 'LOGQ_BATCH_MAX_ROWS', key: 'batchMaxRows', defaultText: '10000',
    help: 'rows per ClickHouse insert', parse: intIn(1, 1_000_000) },
  { flag: '--batch-max-delay', env: 'LOGQ_BATCH_MAX_DELAY', key: 'batchMaxDelayMs', defaultText: '200ms',
    help: 'longest a record waits before its batch is inserted (ms, s)', parse: (raw, flag) => {
      const ms = parseDurationMs(raw);
      if (ms === undefined || ms < 1 || ms > 60_000) throw configError(flag, 'LOGQ_BATCH_MAX_DELAY', raw, 'a duration from 1ms to 60s, e.g. 200ms');
      return ms;
    } },
  { flag: '--max-pending-rows', env: 'LOGQ_MAX_PENDING_ROWS', key: 'maxPendingRows', defaultText: '200000',
    help: 'unwritten rows held before clients get UNAVAILABLE', parse: intIn(1, 100_000_000) },
  { flag: '--max-request-bytes', env: 'LOGQ_MAX_REQUEST_BYTES', key: 'maxRequestBytes', defaultText: '16MiB',
    help: 'largest accepted request (up to 64MiB)', parse: (raw, flag) => {
      const n = parseBytes(raw);
      if (n === undefined || n < 1024 || n > 64 * 1024 * 1024) throw configError(flag, 'LOGQ_MAX_REQUEST_BYTES', raw, 'a size from 1KiB to 64MiB, e.g. 16MiB');
      return n;
    } },
];

export const DEFAULT_CONFIG: CollectorConfig = {
  grpcListen: '127.0.0.1:4317',
  httpListen: '127.0.0.1:4318',
  dataDir: './data',
  retention: DEFAULT_RETENTION,
  batchMaxRows: 10_000,
  batchMaxDelayMs: 200,
  maxPendingRows: 200_000,
  maxRequestBytes: 16 * 1024 * 1024,
};

/**
 * parse → merge → validate: flags win over env vars, env vars over defaults. Throws a
 * LOGQ_CONFIG_INVALID error naming the flag, its env twin, the value and the expected form.
 */
export function loadCollectorConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): CollectorConfig {
  const fromFlags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = OPTIONS.find((o) => o.flag === name);
    if (!spec) {
      throw new LogqError('LOGQ_CONFIG_INVALID', `unknown option "${arg}": see logq collector --help for the options`);
    }
    let value: string | undefined = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new LogqError('LOGQ_CONFIG_INVALID', `${spec.flag} needs a value (default ${spec.defaultText})`);
    fromFlags.set(spec.flag, value);
    value = undefined;
  }
  const config: Record<string, unknown> = { ...DEFAULT_CONFIG };
  for (const spec of OPTIONS) {
    const flagValue = fromFlags.get(spec.flag);
    const envValue = env[spec.env];
    if (flagValue !== undefined) config[spec.key] = (spec.parse as (r: string, f: string, e: string) => unknown)(flagValue, spec.flag, spec.env);
    else if (envValue !== undefined && envValue !== '') {
      config[spec.key] = (spec.parse as (r: string, f: string, e: string) => unknown)(envValue, spec.flag, spec.env);
    }
  }
  return config as unknown as CollectorConfig;
}

/** `logq collector --help` text: every option with its env twin and default. */
export function collectorHelp(): string {
  const lines = ['Usage: logq collector [options]', '', 'Options (flag, env var, default):'];
  for (const o of OPTIONS) lines.push(`  ${o.flag.padEnd(20)} ${o.env.padEnd(24)} ${o.help} [default: ${o.defaultText}]`);
  lines.push('  --help                                       show this help');
  return lines.join('\n');
}
