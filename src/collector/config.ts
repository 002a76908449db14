import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_RETENTION, type RetentionPolicy } from '../storage/RetentionPolicy.ts';
import { OPTIONS, yamlKey, type OptionSpec } from './config-options.ts';
import { LogqError } from './errors.ts';
import type { SpoolFullPolicy } from './Spool.ts';

export { OPTIONS, parseBytes, parseDurationMs, parseListen, yamlKey } from './config-options.ts';

/** Validated collector configuration. Each field's flag / env var / YAML key is in OPTIONS. */
export interface CollectorConfig {
  /** OTLP/gRPC listen address. @default '127.0.0.1:4317' (LOGQ_GRPC_LISTEN) */
  grpcListen: string;
  /** HTTP listen address (OTLP/HTTP, REST ingestion, health, metrics). @default '127.0.0.1:4318' (LOGQ_HTTP_LISTEN) */
  httpListen: string;
  /** Embedded store directory. @default './data' (LOGQ_DATA_DIR) */
  dataDir: string;
  /** Where the embedded store's engine runs: a child process of its own, or this one. @default 'process' (LOGQ_EMBEDDED_ENGINE) */
  embeddedEngine: 'process' | 'in-process';
  /** ClickHouse server URL; when set, used instead of the embedded store. @default undefined (LOGQ_CLICKHOUSE_URL) */
  clickhouseUrl?: string;
  /** ClickHouse cluster for the cluster variant (ON CLUSTER, ReplicatedMergeTree + Distributed). @default undefined (LOGQ_CLUSTER) */
  cluster?: string;
  /** Per-level retention. @default DEBUG=3d,INFO=10d,WARN=10d,ERROR=15d,FATAL=30d (LOGQ_RETENTION) */
  retention: RetentionPolicy;
  /** Rows per batch. @default 10000 (LOGQ_BATCH_MAX_ROWS) */
  batchMaxRows: number;
  /** Longest a row waits before its batch is spooled, in ms. @default 200 (LOGQ_BATCH_MAX_DELAY) */
  batchMaxDelayMs: number;
  /** Spooled batches waiting back to back go to ClickHouse as one insert of up to this many rows. @default 100000 (LOGQ_INSERT_MAX_ROWS) */
  insertMaxRows: number;
  /** Longest a spooled batch waits for more before a smaller insert goes out, in ms (acks do not wait). @default 1000 (LOGQ_INSERT_MAX_DELAY) */
  insertMaxDelayMs: number;
  /** Rows held in memory before they are spooled; beyond it clients are told to back off. @default 200000 (LOGQ_MAX_PENDING_ROWS) */
  maxPendingRows: number;
  /** Largest accepted request (after decompression), in bytes. @default 16 MiB (LOGQ_MAX_REQUEST_BYTES) */
  maxRequestBytes: number;
  /** Attributes kept per map. @default 128 (LOGQ_MAX_ATTRIBUTES) */
  maxAttributes: number;
  /** Characters kept per attribute value. @default 16384 (LOGQ_MAX_ATTRIBUTE_VALUE_LENGTH) */
  maxAttributeValueLength: number;
  /** Characters kept of a body. @default 65536 (LOGQ_MAX_BODY_LENGTH) */
  maxBodyLength: number;
  /** Server-side redaction. @default true (LOGQ_REDACT) */
  redact: boolean;
  /** Write-ahead spool directory. @default '<dataDir>/logq-spool' (LOGQ_SPOOL_DIR) */
  spoolDir?: string;
  /** Spool bound in bytes. @default 1 GiB (LOGQ_SPOOL_MAX_BYTES) */
  spoolMaxBytes: number;
  /** Policy when the spool is full. @default 'refuse' (LOGQ_SPOOL_WHEN_FULL) */
  spoolWhenFull: SpoolFullPolicy;
  /** Retry delay asked of clients under backpressure, in ms. @default 1000 (LOGQ_RETRY_DELAY) */
  retryDelayMs: number;
  /** Accepted bearer tokens. @default undefined: no auth unless a tokens file is set (LOGQ_AUTH_TOKEN) */
  authTokens?: string[];
  /** File of accepted bearer tokens, reloaded on change. @default undefined (LOGQ_AUTH_TOKENS_FILE) */
  authTokensFile?: string;
  /** TLS certificate chain (PEM file). @default undefined: plaintext (LOGQ_TLS_CERT) */
  tlsCert?: string;
  /** TLS private key (PEM file). @default undefined (LOGQ_TLS_KEY) */
  tlsKey?: string;
  /** CA bundle for client certificates (mTLS). @default undefined (LOGQ_TLS_CLIENT_CA) */
  tlsClientCa?: string;
  /** Level of the collector's own logs. @default 'info' (LOGQ_LOG_LEVEL) */
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

/** The defaults every option falls back to (listed by `logq collector --help`). */
export const DEFAULT_CONFIG: CollectorConfig = {
  grpcListen: '127.0.0.1:4317',
  httpListen: '127.0.0.1:4318',
  dataDir: './data',
  embeddedEngine: 'process',
  retention: DEFAULT_RETENTION,
  batchMaxRows: 10_000,
  batchMaxDelayMs: 200,
  insertMaxRows: 100_000,
  insertMaxDelayMs: 1000,
  maxPendingRows: 200_000,
  maxRequestBytes: 16 * 1024 * 1024,
  maxAttributes: 128,
  maxAttributeValueLength: 16_384,
  maxBodyLength: 65_536,
  redact: true,
  spoolMaxBytes: 1024 ** 3,
  spoolWhenFull: 'refuse',
  retryDelayMs: 1000,
  logLevel: 'info',
};

/** The spool directory a config resolves to. */
export function spoolDirOf(config: CollectorConfig): string {
  return config.spoolDir ?? join(config.dataDir, 'logq-spool');
}

function parseFlags(argv: string[]): { flags: Map<string, string>; configFile?: string } {
  const flags = new Map<string, string>();
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = OPTIONS.find((o) => o.flag === name);
    if (!spec && name !== '--config') {
      throw new LogqError('LOGQ_CONFIG_INVALID', `unknown option "${name}": see logq collector --help for the options`);
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new LogqError('LOGQ_CONFIG_INVALID', `${name} needs a value (default ${spec?.defaultText ?? 'none'})`);
    if (spec) flags.set(spec.flag, value);
    else configFile = value;
  }
  return { flags, configFile };
}

function readConfigFile(file: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new LogqError('LOGQ_CONFIG_INVALID', `--config ${file}: cannot read: ${(error as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new LogqError('LOGQ_CONFIG_INVALID', `--config ${file}: not valid YAML: ${(error as Error).message}`);
  }
  const out = new Map<string, string>();
  if (doc === null || doc === undefined) return out;
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new LogqError('LOGQ_CONFIG_INVALID', `--config ${file}: expected a mapping of option names to values, e.g. "grpc-listen: 0.0.0.0:4317"`);
  }
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    const spec = OPTIONS.find((o) => yamlKey(o) === key);
    if (!spec) throw new LogqError('LOGQ_CONFIG_INVALID', `--config ${file}: unknown key "${key}": expected one of ${OPTIONS.map(yamlKey).join(', ')}`);
    if (Array.isArray(value) && spec.key === 'authTokens') out.set(spec.flag, value.map(String).join(','));
    else if (value === null || typeof value === 'object') {
      throw new LogqError('LOGQ_CONFIG_INVALID', `--config ${file}: key "${key}" must be a single value (${spec.help}; default ${spec.defaultText})`);
    } else out.set(spec.flag, String(value));
  }
  return out;
}

function apply(config: Record<string, unknown>, spec: OptionSpec, raw: string, where: string): void {
  config[spec.key] = spec.parse(raw, where);
}

/**
 * parse → merge → validate. Sources, lowest precedence first: defaults < the YAML file given by
 * `--config` (or LOGQ_CONFIG) < LOGQ_* env vars < command-line flags. Throws LOGQ_CONFIG_INVALID
 * naming the key (flag, env var or file key), the value and the expected form.
 */
export function loadCollectorConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): CollectorConfig {
  const { flags, configFile } = parseFlags(argv);
  const file = configFile ?? (env.LOGQ_CONFIG || undefined);
  const fromFile = file ? readConfigFile(file) : new Map<string, string>();
  const config: Record<string, unknown> = { ...DEFAULT_CONFIG };
  for (const spec of OPTIONS) {
    const flagValue = flags.get(spec.flag);
    const envValue = env[spec.env];
    const fileValue = fromFile.get(spec.flag);
    const names = `${spec.flag} (${spec.env})`;
    if (flagValue !== undefined) apply(config, spec, flagValue, names);
    else if (envValue !== undefined && envValue !== '') apply(config, spec, envValue, names);
    else if (fileValue !== undefined) apply(config, spec, fileValue, `${file}: key "${yamlKey(spec)}" (${names})`);
  }
  const c = config as unknown as CollectorConfig;
  if ((c.tlsCert === undefined) !== (c.tlsKey === undefined)) {
    throw new LogqError('LOGQ_CONFIG_INVALID', '--tls-cert and --tls-key (LOGQ_TLS_CERT, LOGQ_TLS_KEY): expected both or neither');
  }
  if (c.tlsClientCa !== undefined && c.tlsCert === undefined) {
    throw new LogqError('LOGQ_CONFIG_INVALID', '--tls-client-ca (LOGQ_TLS_CLIENT_CA): needs --tls-cert and --tls-key (mTLS is TLS plus client certificates)');
  }
  return c;
}

/** `logq collector --help` text: every option with its env twin and default. */
export function collectorHelp(): string {
  const lines = [
    'Usage: logq collector [--config file.yaml] [options]',
    '',
    'Precedence, lowest first: defaults < YAML file (--config or LOGQ_CONFIG; keys are the flag names',
    'without "--", e.g. "spool-max-bytes: 2GiB") < LOGQ_* env vars < flags.',
    '',
    'Options (flag, env var, description, default):',
    `  ${'--config'.padEnd(30)} ${'LOGQ_CONFIG'.padEnd(32)} YAML config file [default: (none)]`,
  ];
  for (const o of OPTIONS) lines.push(`  ${o.flag.padEnd(30)} ${o.env.padEnd(32)} ${o.help} [default: ${o.defaultText}]`);
  lines.push('  --help                                       show this help');
  return lines.join('\n');
}
