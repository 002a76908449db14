import { readFileSync } from 'node:fs';

/** Reports a bad setting; the exporter keeps going with the next source or the default. */
export type Warn = (message: string) => void;

/**
 * Parses an OTLP headers variable (`k1=v1,k2=v2`, values percent-encoded, per the OTLP exporter
 * spec). Malformed pairs are reported by key position, never by value (values are often secrets).
 */
export function parseHeadersEnv(raw: string | undefined, name: string, warn: Warn): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  raw.split(',').forEach((pair, i) => {
    if (!pair.trim()) return;
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq).trim().toLowerCase() : '';
    if (!key) {
      warn(`logq: ${name} entry ${i + 1} has no key: expected key=value; skipped`);
      return;
    }
    try {
      out[key] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      warn(`logq: ${name} entry "${key}" is not valid percent-encoding; skipped`);
    }
  });
  return out;
}

/** The first of the logs-specific and the generic OTLP variable that is set. */
export function otlpEnv(env: NodeJS.ProcessEnv, suffix: string): { name: string; value: string } | undefined {
  for (const name of [`OTEL_EXPORTER_OTLP_LOGS_${suffix}`, `OTEL_EXPORTER_OTLP_${suffix}`]) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return { name, value: value.trim() };
  }
  return undefined;
}

/** Headers: generic env < logs env < options (options win; keys are lower-cased as gRPC requires). */
export function resolveHeaders(options: Record<string, string> | undefined, env: NodeJS.ProcessEnv, warn: Warn): Record<string, string> {
  const out = {
    ...parseHeadersEnv(env.OTEL_EXPORTER_OTLP_HEADERS, 'OTEL_EXPORTER_OTLP_HEADERS', warn),
    ...parseHeadersEnv(env.OTEL_EXPORTER_OTLP_LOGS_HEADERS, 'OTEL_EXPORTER_OTLP_LOGS_HEADERS', warn),
  };
  for (const [k, v] of Object.entries(options ?? {})) out[k.toLowerCase()] = v;
  return out;
}

/** Timeout in ms: option, else OTEL_EXPORTER_OTLP_(LOGS_)TIMEOUT, else 10000 (the spec default). */
export function resolveTimeout(option: number | undefined, env: NodeJS.ProcessEnv, warn: Warn): number {
  if (option !== undefined) {
    if (Number.isFinite(option) && option > 0) return option;
    warn(`logq: option timeoutMillis is ${option}: expected a positive number of ms; using the default`);
  }
  const e = otlpEnv(env, 'TIMEOUT');
  if (e) {
    const n = Number(e.value);
    if (Number.isFinite(n) && n > 0) return n;
    warn(`logq: ${e.name}="${e.value}": expected a positive number of ms; using 10000`);
  }
  return 10_000;
}

/** Compression: option, else OTEL_EXPORTER_OTLP_(LOGS_)COMPRESSION (`gzip` | `none`), else none. */
export function resolveCompression(option: 'gzip' | 'none' | undefined, env: NodeJS.ProcessEnv, warn: Warn): 'gzip' | 'none' {
  const value = option ?? otlpEnv(env, 'COMPRESSION')?.value;
  if (value === undefined) return 'none';
  const v = value.toLowerCase();
  if (v === 'gzip' || v === 'none') return v;
  warn(`logq: compression "${value}": expected gzip or none; using none`);
  return 'none';
}

/** Trusted CA certificates for TLS: option (PEM text or bytes), else the file named by OTEL_EXPORTER_OTLP_(LOGS_)CERTIFICATE. */
export function resolveRootCerts(option: string | Buffer | undefined, env: NodeJS.ProcessEnv, warn: Warn): Buffer | undefined {
  if (option !== undefined) return Buffer.isBuffer(option) ? option : Buffer.from(option);
  const e = otlpEnv(env, 'CERTIFICATE');
  if (!e) return undefined;
  try {
    return readFileSync(e.value);
  } catch (error) {
    warn(`logq: ${e.name}="${e.value}" cannot be read (${(error as Error).message}); using the system CAs`);
    return undefined;
  }
}
