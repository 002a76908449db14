import { parseRetention, RetentionSpecError } from '../storage/RetentionPolicy.ts';
import type { CollectorConfig } from './config.ts';
import { LogqError } from './errors.ts';

/** One option: its flag, env twin, YAML key, default and parser. Also the source of `--help`. */
export interface OptionSpec {
  flag: string;
  env: string;
  key: keyof CollectorConfig;
  defaultText: string;
  help: string;
  parse(raw: string, where: string): unknown;
}

/** The YAML key of an option: its flag without the leading dashes (e.g. `spool-max-bytes`). */
export function yamlKey(o: OptionSpec): string {
  return o.flag.slice(2);
}

function configError(where: string, raw: string, expected: string): LogqError {
  return new LogqError('LOGQ_CONFIG_INVALID', `${where}: "${raw}" is not valid: expected ${expected}`);
}

/** Parses `host:port` (IPv6 in brackets); port 0 picks a free port. */
export function parseListen(raw: string): { host: string; port: number } | undefined {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(raw.trim());
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port > 65535) return undefined;
  return { host: m[1], port };
}

/** Parses `250ms`, `2s`, `1m` or a bare number of ms. */
export function parseDurationMs(raw: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(raw.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return Math.round(m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n);
}

/** Parses `16MiB`, `512KiB`, `2GiB`, `1048576`. */
export function parseBytes(raw: string): number | undefined {
  const m = /^(\d+)\s*(B|KiB|MiB|GiB|KB|MB|GB)?$/i.exec(raw.trim());
  if (!m) return undefined;
  const unit = (m[2] ?? 'B').toLowerCase();
  const mult = unit[0] === 'k' ? 1024 : unit[0] === 'm' ? 1024 ** 2 : unit[0] === 'g' ? 1024 ** 3 : 1;
  return Number(m[1]) * mult;
}

const listen = (raw: string, where: string) => {
  if (!parseListen(raw)) throw configError(where, raw, 'host:port, e.g. 127.0.0.1:4317');
  return raw.trim();
};

const intIn = (min: number, max: number) => (raw: string, where: string) => {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min || n > max) throw configError(where, raw, `an integer from ${min} to ${max}`);
  return n;
};

const bytesIn = (min: number, max: number, range: string, example: string) => (raw: string, where: string) => {
  const n = parseBytes(raw);
  if (n === undefined || n < min || n > max) throw configError(where, raw, `a size from ${range}, e.g. ${example}`);
  return n;
};

const durationIn = (min: number, max: number, example: string) => (raw: string, where: string) => {
  const ms = parseDurationMs(raw);
  if (ms === undefined || ms < min || ms > max) throw configError(where, raw, `a duration from ${min}ms to ${max}ms, e.g. ${example}`);
  return ms;
};

const path = (raw: string, where: string) => {
  if (raw.trim() === '') throw configError(where, raw, 'a file or directory path');
  return raw;
};

const bool = (raw: string, where: string) => {
  const v = raw.trim().toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes') return true;
  if (v === 'false' || v === '0' || v === 'no') return false;
  throw configError(where, raw, 'true or false');
};

/** Every collector option. Order is the order of `--help`. */
export const OPTIONS: OptionSpec[] = [
  { flag: '--grpc-listen', env: 'LOGQ_GRPC_LISTEN', key: 'grpcListen', defaultText: '127.0.0.1:4317',
    help: 'OTLP/gRPC listen address (host:port)', parse: listen },
  { flag: '--http-listen', env: 'LOGQ_HTTP_LISTEN', key: 'httpListen', defaultText: '127.0.0.1:4318',
    help: 'HTTP listen address: OTLP/HTTP /v1/logs, /api/logs, /healthz, /readyz, /metrics', parse: listen },
  { flag: '--data-dir', env: 'LOGQ_DATA_DIR', key: 'dataDir', defaultText: './data',
    help: 'directory of the embedded ClickHouse store (chDB)', parse: path },
  { flag: '--embedded-engine', env: 'LOGQ_EMBEDDED_ENGINE', key: 'embeddedEngine', defaultText: 'process',
    help: 'where the embedded store\'s engine runs: process (a child process of its own) or in-process', parse: (raw, where) => {
      const v = raw.trim();
      if (v !== 'process' && v !== 'in-process') throw configError(where, raw, 'process or in-process');
      return v;
    } },
  { flag: '--clickhouse-url', env: 'LOGQ_CLICKHOUSE_URL', key: 'clickhouseUrl', defaultText: '(embedded store)',
    help: 'ClickHouse server URL, e.g. http://default:@localhost:8123; replaces the embedded store', parse: (raw, where) => {
      let ok = false;
      try {
        ok = /^https?:$/.test(new URL(raw).protocol);
      } catch {
        ok = false;
      }
      if (!ok) throw configError(where, raw.replace(/\/\/[^@/]*@/, '//***@'), 'an http:// or https:// URL');
      return raw;
    } },
  { flag: '--cluster', env: 'LOGQ_CLUSTER', key: 'cluster', defaultText: '(single node)',
    help: 'ClickHouse cluster name: DDL runs ON CLUSTER, rows go through the Distributed otel_logs into ReplicatedMergeTree otel_logs_local', parse: (raw, where) => {
      if (!/^[A-Za-z0-9_.-]+$/.test(raw.trim())) throw configError(where, raw, 'a cluster name from remote_servers (letters, digits, _ . -)');
      return raw.trim();
    } },
  { flag: '--retention', env: 'LOGQ_RETENTION', key: 'retention', defaultText: 'DEBUG=3d,INFO=10d,WARN=10d,ERROR=15d,FATAL=30d',
    help: 'days kept per level (TRACE follows DEBUG unless given)', parse: (raw, where) => {
      try {
        return parseRetention(raw);
      } catch (e) {
        if (e instanceof RetentionSpecError) throw new LogqError('LOGQ_CONFIG_INVALID', `${where}: ${e.message}; expected e.g. DEBUG=3d,INFO=10d,ERROR=15d`);
        throw e;
      }
    } },
  { flag: '--batch-max-rows', env: 'LOGQ_BATCH_MAX_ROWS', key: 'batchMaxRows', defaultText: '10000',
    help: 'rows per spooled batch and ClickHouse insert', parse: intIn(1, 1_000_000) },
  { flag: '--insert-max-rows', env: 'LOGQ_INSERT_MAX_ROWS', key: 'insertMaxRows', defaultText: '100000',
    help: 'rows per ClickHouse insert: spooled batches waiting back to back are combined', parse: intIn(1, 10_000_000) },
  { flag: '--insert-max-delay', env: 'LOGQ_INSERT_MAX_DELAY', key: 'insertMaxDelayMs', defaultText: '1s',
    help: 'longest a spooled batch waits for more before a smaller insert goes out (ms, s; 0 = at once; acks do not wait)', parse: durationIn(0, 60_000, '1s') },
  { flag: '--batch-max-delay', env: 'LOGQ_BATCH_MAX_DELAY', key: 'batchMaxDelayMs', defaultText: '200ms',
    help: 'longest a record waits before its batch is spooled (ms, s)', parse: durationIn(1, 60_000, '200ms') },
  { flag: '--max-pending-rows', env: 'LOGQ_MAX_PENDING_ROWS', key: 'maxPendingRows', defaultText: '200000',
    help: 'rows held in memory before they are spooled; beyond it clients get UNAVAILABLE/429 + retry delay', parse: intIn(1, 100_000_000) },
  { flag: '--max-request-bytes', env: 'LOGQ_MAX_REQUEST_BYTES', key: 'maxRequestBytes', defaultText: '16MiB',
    help: 'largest accepted request, after decompression (up to 64MiB)', parse: bytesIn(1024, 64 * 1024 * 1024, '1KiB to 64MiB', '16MiB') },
  { flag: '--max-attributes', env: 'LOGQ_MAX_ATTRIBUTES', key: 'maxAttributes', defaultText: '128',
    help: 'attributes kept per record, resource and scope; extra ones are dropped and counted', parse: intIn(1, 100_000) },
  { flag: '--max-attribute-value-length', env: 'LOGQ_MAX_ATTRIBUTE_VALUE_LENGTH', key: 'maxAttributeValueLength', defaultText: '16384',
    help: 'characters kept per attribute value; longer values are truncated and counted', parse: intIn(1, 64 * 1024 * 1024) },
  { flag: '--max-body-length', env: 'LOGQ_MAX_BODY_LENGTH', key: 'maxBodyLength', defaultText: '65536',
    help: 'characters kept of a record body; longer bodies are truncated and counted', parse: intIn(1, 64 * 1024 * 1024) },
  { flag: '--redact', env: 'LOGQ_REDACT', key: 'redact', defaultText: 'true',
    help: 'server-side redaction of secret keys, card numbers, bearer tokens, private keys', parse: bool },
  { flag: '--spool-dir', env: 'LOGQ_SPOOL_DIR', key: 'spoolDir', defaultText: '<data-dir>/logq-spool',
    help: 'directory of the write-ahead spool (fsync\'ed batches not yet in ClickHouse)', parse: path },
  { flag: '--spool-max-bytes', env: 'LOGQ_SPOOL_MAX_BYTES', key: 'spoolMaxBytes', defaultText: '1GiB',
    help: 'bytes the spool holds at most', parse: bytesIn(1024, 2 ** 50, '1KiB to 1PiB', '1GiB') },
  { flag: '--spool-when-full', env: 'LOGQ_SPOOL_WHEN_FULL', key: 'spoolWhenFull', defaultText: 'refuse',
    help: 'when the spool is full: refuse (clients get UNAVAILABLE/503 + retry delay) or drop-oldest (counted)', parse: (raw, where) => {
      const v = raw.trim();
      if (v !== 'refuse' && v !== 'drop-oldest') throw configError(where, raw, 'refuse or drop-oldest');
      return v;
    } },
  { flag: '--retry-delay', env: 'LOGQ_RETRY_DELAY', key: 'retryDelayMs', defaultText: '1s',
    help: 'RetryInfo / Retry-After delay asked of clients under backpressure (x5 while ClickHouse fails)', parse: durationIn(1, 600_000, '1s') },
  { flag: '--auth-token', env: 'LOGQ_AUTH_TOKEN', key: 'authTokens', defaultText: '(no auth)',
    help: 'bearer token(s) clients must send (comma-separated); never logged', parse: (raw, where) => {
      const tokens = raw.split(',').map((t) => t.trim()).filter(Boolean);
      if (tokens.length === 0) throw configError(where, '***', 'one or more tokens separated by commas');
      return tokens;
    } },
  { flag: '--auth-tokens-file', env: 'LOGQ_AUTH_TOKENS_FILE', key: 'authTokensFile', defaultText: '(none)',
    help: 'file of bearer tokens, one per line (# comments); reloaded when it changes', parse: path },
  { flag: '--tls-cert', env: 'LOGQ_TLS_CERT', key: 'tlsCert', defaultText: '(plaintext)',
    help: 'PEM certificate chain: serve gRPC and HTTP over TLS (needs --tls-key)', parse: path },
  { flag: '--tls-key', env: 'LOGQ_TLS_KEY', key: 'tlsKey', defaultText: '(plaintext)',
    help: 'PEM private key of --tls-cert', parse: path },
  { flag: '--tls-client-ca', env: 'LOGQ_TLS_CLIENT_CA', key: 'tlsClientCa', defaultText: '(no client certs)',
    help: 'PEM CA bundle: require client certificates signed by it (mTLS)', parse: path },
  { flag: '--log-level', env: 'LOGQ_LOG_LEVEL', key: 'logLevel', defaultText: 'info',
    help: 'lowest level of the collector\'s own JSON logs on stderr: debug, info, warn, error', parse: (raw, where) => {
      const v = raw.trim().toLowerCase();
      if (!['debug', 'info', 'warn', 'error'].includes(v)) throw configError(where, raw, 'debug, info, warn or error');
      return v;
    } },
];
