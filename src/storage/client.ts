import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { Session } from 'chdb';

type ClientConfig = NonNullable<Parameters<typeof createClient>[0]>;
import { createChdbConnection } from 'chdb/connection';
import { quoteIdent, quoteString } from './ddl.ts';
import { engineError, rawInsertFor, type InsertParams } from './embedded-insert.ts';

/**
 * Engine arguments the embedded store starts with (chDB `connectionArgs`, i.e. `clickhouse local`
 * command-line settings such as `--mark_cache_size=67108864`). None: cache sizes, memory limit,
 * thread/pool and compress-block sizes left the inserting process's peak RSS within ±20 MiB of the
 * engine's defaults (bench/store-memory.ts; the caches stay empty while only inserting).
 */
export const EMBEDDED_ENGINE_ARGS: readonly string[] = [];

/** Where the logs are stored. */
export interface StoreOptions {
  /** Directory of the embedded store (chDB). Ignored when `clickhouseUrl` is set. @default './data' */
  dataDir?: string;
  /** URL of a ClickHouse server, e.g. `http://user:pass@host:8123`. @default undefined (embedded store) */
  clickhouseUrl?: string;
  /**
   * Arguments for the embedded engine, e.g. `['--mark_cache_size=67108864']`. They take effect only
   * when this store is the first one opened on its directory in the process (the engine is shared).
   * Ignored with `clickhouseUrl`. @default EMBEDDED_ENGINE_ARGS
   */
  engineArgs?: readonly string[];
  /**
   * Embedded store: send inserts to the engine as one Buffer (chDB's raw insert) rather than through
   * chDB's client adapter, which builds the statement and body as one JS string. Ignored with
   * `clickhouseUrl`. @default true
   */
  rawInsert?: boolean;
}

/** An open store: the `@clickhouse/client` API over a server or the embedded engine. */
export interface Store {
  readonly client: ClickHouseClient;
  readonly kind: 'embedded' | 'server';
  /** Human-readable location, without credentials. */
  readonly location: string;
  /**
   * Inserts one or more Native blocks (see native-format.ts) into `table` (a qualified name) with
   * per-insert `settings`. Embedded: the engine reads them from a file (chDB's raw insert takes text
   * formats only); server: `INSERT … FORMAT Native` with the bytes as the request body.
   */
  insertNative(table: string, columns: readonly string[], data: Uint8Array, settings?: InsertSettings): Promise<void>;
  close(): Promise<void>;
}

/** Settings of one insert (e.g. `insert_deduplication_token`). */
export type InsertSettings = Record<string, string | number>;

function settingsClause(settings: InsertSettings = {}): string {
  const parts = Object.entries(settings).map(([k, v]) => {
    if (!/^[a-z_][a-z0-9_]*$/.test(k)) throw new TypeError(`insert setting ${JSON.stringify(k)} is not a setting name`);
    return `${k} = ${typeof v === 'number' ? String(v) : quoteString(v)}`;
  });
  return parts.length ? ` SETTINGS ${parts.join(', ')}` : '';
}

function columnList(columns: readonly string[]): string {
  return columns.map((c) => quoteIdent(c)).join(', ');
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
    const insertNative = async (table: string, columns: readonly string[], data: Uint8Array, settings?: InsertSettings) => {
      const r = await client.exec({
        query: `INSERT INTO ${table} (${columnList(columns)}) FORMAT Native`,
        values: Readable.from([Buffer.from(data.buffer, data.byteOffset, data.byteLength)]),
        clickhouse_settings: settings,
      });
      r.stream.resume();
      await finished(r.stream);
    };
    return { client, kind: 'server', location: url.toString(), insertNative, close: () => client.close() };
  }
  const dir = resolve(options.dataDir ?? './data');
  mkdirSync(dir, { recursive: true });
  // createChdbConnection takes no engine arguments; connections on one directory share one engine,
  // which starts with the arguments of the first: this session opens it and lives as long as the store.
  const engineArgs = options.engineArgs ?? EMBEDDED_ENGINE_ARGS;
  const anchor = new Session(dir, engineArgs.length ? { connectionArgs: engineArgs } : {});
  // chdb types its Connection against @clickhouse/client-common, which @clickhouse/client now
  // bundles under its own path: the shapes are the same, the declarations are not.
  let client: ClickHouseClient;
  try {
    const connection = createChdbConnection({ path: dir });
    // Inserts go to the engine as one Buffer (see embedded-insert.ts); other statements keep chDB's adapter.
    // Measured (bench/store-memory.ts, 600k rows in 10k-row inserts): peak RSS 545 vs 669–726 MiB, V8 heap 44 vs 145 MiB.
    const adapterInsert = connection.insert.bind(connection);
    const rawInsert = rawInsertFor(anchor);
    if (options.rawInsert !== false) connection.insert = (params) => {
      const raw = rawInsert(params as InsertParams);
      if (!raw) return adapterInsert(params);
      return raw.then((r) => ({
        query_id: params.query_id ?? '',
        response_headers: {},
        http_status_code: 200,
        summary: { read_rows: String(r.rowsWritten), read_bytes: String(r.bytesWritten), written_rows: String(r.rowsWritten), written_bytes: String(r.bytesWritten), result_rows: '0', result_bytes: '0', total_rows_to_read: '0', elapsed_ns: String(Math.round(r.elapsed * 1e9)) },
      }));
    };
    client = createClient({ connection: connection as unknown as NonNullable<ClientConfig['connection']> });
  } catch (err) {
    anchor.close();
    throw err;
  }
  const close = async () => {
    try {
      await client.close();
    } finally {
      anchor.close();
    }
  };
  // ClickHouse reads * ? { } in a file() path as a glob: a data dir with those goes to a private temp dir.
  const tempSpill = /[*?{}[\]]/.test(dir);
  const spillDir = tempSpill ? mkdtempSync(join(tmpdir(), 'logq-insert-')) : join(dir, 'logq-insert');
  mkdirSync(spillDir, { recursive: true, mode: 0o700 });
  let spillSeq = 0;
  const insertNative = async (table: string, columns: readonly string[], data: Uint8Array, settings?: InsertSettings) => {
    // The engine reads the block from a file (page cache, never fsync'ed: the spool is the durable copy).
    const file = join(spillDir, `${process.pid}-${++spillSeq}.native`);
    await writeFile(file, data, { mode: 0o600 });
    try {
      await anchor.queryAsync(`INSERT INTO ${table} (${columnList(columns)}) SELECT * FROM file(${quoteString(file)}, 'Native')${settingsClause(settings)}`);
    } catch (err) {
      throw engineError(err);
    } finally {
      await unlink(file).catch(() => {});
    }
  };
  const closeStore = async () => {
    try {
      await close();
    } finally {
      if (tempSpill) rmSync(spillDir, { recursive: true, force: true });
    }
  };
  return { client, kind: 'embedded', location: dir, insertNative, close: closeStore };
}
