import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';

type ClientConfig = NonNullable<Parameters<typeof createClient>[0]>;
import { createChdbConnection } from 'chdb/connection';

/** Where the logs are stored. */
export interface StoreOptions {
  /** Directory of the embedded store (chDB). Ignored when `clickhouseUrl` is set. @default './data' */
  dataDir?: string;
  /** URL of a ClickHouse server, e.g. `http://user:pass@host:8123`. @default undefined (embedded store) */
  clickhouseUrl?: string;
}

/** An open store: the `@clickhouse/client` API over a server or the embedded engine. */
export interface Store {
  readonly client: ClickHouseClient;
  readonly kind: 'embedded' | 'server';
  /** Human-readable location, without credentials. */
  readonly location: string;
  close(): Promise<void>;
}

/**
 * Opens the store: `createClient({ url })` for a server, otherwise the embedded ClickHouse engine
 * (chDB) plugged into the same client, so every query goes through one code path (DESIGN.md 4).
 */
export function openStore(options: StoreOptions = {}): Store {
  if (options.clickhouseUrl) {
    const url = new URL(options.clickhouseUrl);
    const client = createClient({ url: options.clickhouseUrl });
    url.username = '';
    url.password = '';
    return { client, kind: 'server', location: url.toString(), close: () => client.close() };
  }
  const dir = resolve(options.dataDir ?? './data');
  mkdirSync(dir, { recursive: true });
  // chdb types its Connection against @clickhouse/client-common, which @clickhouse/client now
  // bundles under its own path: the shapes are the same, the declarations are not.
  const connection = createChdbConnection({ path: dir }) as unknown as NonNullable<ClientConfig['connection']>;
  const client = createClient({ connection });
  return { client, kind: 'embedded', location: dir, close: () => client.close() };
}
