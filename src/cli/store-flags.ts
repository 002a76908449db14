import { openStore, type Store } from '../storage/client.ts';

/** The store flags every storage command takes (the collector's, with the same env twins). */
export const STORE_OPTIONS = {
  'data-dir': { type: 'string' },
  'clickhouse-url': { type: 'string' },
  cluster: { type: 'string' },
} as const;

/** Help lines for {@link STORE_OPTIONS}. */
export const STORE_HELP = `Store:
  --data-dir DIR          embedded store directory (LOGQ_DATA_DIR, default ./data); only while no collector holds it
  --clickhouse-url URL    ClickHouse server, e.g. http://default:@localhost:8123 (LOGQ_CLICKHOUSE_URL)
  --cluster NAME          ClickHouse cluster: DDL runs ON CLUSTER, rows in otel_logs_local (LOGQ_CLUSTER)`;

/** A usage error: the command prints it and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Resolved store settings. */
export interface StoreFlags {
  dataDir?: string;
  clickhouseUrl?: string;
  cluster?: string;
}

/** Flags win over env vars (LOGQ_DATA_DIR, LOGQ_CLICKHOUSE_URL, LOGQ_CLUSTER). */
export function storeFlags(values: { 'data-dir'?: string; 'clickhouse-url'?: string; cluster?: string }, env: NodeJS.ProcessEnv): StoreFlags {
  const dataDir = values['data-dir'] ?? (env.LOGQ_DATA_DIR || undefined);
  const clickhouseUrl = values['clickhouse-url'] ?? (env.LOGQ_CLICKHOUSE_URL || undefined);
  const cluster = values.cluster ?? (env.LOGQ_CLUSTER || undefined);
  if (dataDir !== undefined && dataDir.trim() === '') throw new UsageError('--data-dir (LOGQ_DATA_DIR): empty: expected a directory path');
  if (clickhouseUrl !== undefined) {
    let ok = false;
    try {
      ok = /^https?:$/.test(new URL(clickhouseUrl).protocol);
    } catch {
      ok = false;
    }
    // Never echo the URL: it may carry a password.
    if (!ok) throw new UsageError('--clickhouse-url (LOGQ_CLICKHOUSE_URL): not valid: expected an http:// or https:// URL');
  }
  if (cluster !== undefined && !/^[A-Za-z0-9_.-]{1,128}$/.test(cluster)) {
    throw new UsageError(`--cluster (LOGQ_CLUSTER): "${cluster.slice(0, 60)}" is not valid: expected a cluster name (letters, digits, _ . -)`);
  }
  return { dataDir, clickhouseUrl, cluster };
}

/** Opens the store the flags name. */
export function openStoreFrom(flags: StoreFlags): Store {
  return openStore({ dataDir: flags.dataDir, clickhouseUrl: flags.clickhouseUrl });
}
