import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { createRequire } from 'node:module';
import { quoteIdent, quoteString } from './ddl.ts';
import { engineError, rawInsertFor, type InsertParams } from './embedded-insert.ts';

// chDB is loaded on first use: loading it maps and initialises the engine library (~230 MiB), which
// a process whose engine runs elsewhere (engine process, ClickHouse server) must not pay for.
const requireChdb = createRequire(import.meta.url);
const loadChdb = () => ({
  Session: (requireChdb('chdb') as typeof import('chdb')).Session,
  createChdbConnection: (requireChdb('chdb/connection') as typeof import('chdb/connection')).createChdbConnection,
});

type ClientConfig = NonNullable<Parameters<typeof createClient>[0]>;
/** The Connection a `@clickhouse/client` is built on (what `createClient({ connection })` takes). */
export type ClientConnection = NonNullable<ClientConfig['connection']>;

/** Native bytes of an insert: one block, or blocks to send back to back. */
export type NativeData = Uint8Array | readonly Uint8Array[];

/** Settings of one insert (e.g. `insert_deduplication_token`). */
export type InsertSettings = Record<string, string | number>;

function settingsClause(settings: InsertSettings = {}): string {
  const parts = Object.entries(settings).map(([k, v]) => {
    if (!/^[a-z_][a-z0-9_]*$/.test(k)) throw new TypeError(`insert setting ${JSON.stringify(k)} is not a setting name`);
    return `${k} = ${typeof v === 'number' ? String(v) : quoteString(v)}`;
  });
  return parts.length ? ` SETTINGS ${parts.join(', ')}` : '';
}

export function columnList(columns: readonly string[]): string {
  return columns.map((c) => quoteIdent(c)).join(', ');
}

/** Where a store writes Native blocks for the engine to read: `<dir>/logq-insert`, or a private temp dir. */
export interface SpillDir {
  readonly path: string;
  /** A fresh file name in it. */
  next(): string;
  /** Removes the directory if it is a private temp dir. */
  dispose(): void;
}

/** ClickHouse reads * ? { } [ ] in a file() path as a glob: a data dir with those spills to a private temp dir. */
export function openSpillDir(dir: string): SpillDir {
  const temp = /[*?{}[\]]/.test(dir);
  const path = temp ? mkdtempSync(join(tmpdir(), 'logq-insert-')) : join(dir, 'logq-insert');
  mkdirSync(path, { recursive: true, mode: 0o700 });
  let seq = 0;
  return {
    path,
    next: () => join(path, `${process.pid}-${++seq}.native`),
    dispose: () => {
      if (temp) rmSync(path, { recursive: true, force: true });
    },
  };
}

/** Writes a Native block to a spill file, runs `insert(file)`, removes the file. */
export async function viaSpillFile(spill: SpillDir, data: NativeData, insert: (file: string) => Promise<void>): Promise<void> {
  // The engine reads the block from a file (page cache, never fsync'ed: the spool is the durable copy).
  const file = spill.next();
  await writeFile(file, data instanceof Uint8Array ? data : (data as Uint8Array[]), { mode: 0o600 });
  try {
    await insert(file);
  } finally {
    await unlink(file).catch(() => {});
  }
}

/** The embedded engine in this process: chDB's session, its client Connection, and the client over it. */
export interface EmbeddedEngine {
  readonly connection: ClientConnection;
  readonly client: ClickHouseClient;
  /** `INSERT INTO table (columns) SELECT * FROM file(file, 'Native')` with per-insert settings. */
  insertFile(table: string, columns: readonly string[], file: string, settings?: InsertSettings): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens chDB on `dir` (engine arguments apply only if this is the first session on it in the process)
 * and plugs it into `@clickhouse/client` (DESIGN.md 4). `rawInsert` (default true) sends client
 * inserts to the engine as one Buffer instead of through chDB's adapter.
 */
export function openEmbeddedEngine(dir: string, engineArgs: readonly string[], rawInsert = true): EmbeddedEngine {
  mkdirSync(dir, { recursive: true });
  const { Session, createChdbConnection } = loadChdb();
  // createChdbConnection takes no engine arguments; connections on one directory share one engine,
  // which starts with the arguments of the first: this session opens it and lives as long as the store.
  const anchor = new Session(dir, engineArgs.length ? { connectionArgs: [...engineArgs] } : {});
  let client: ClickHouseClient;
  let connection: ClientConnection;
  try {
    const chdbConnection = createChdbConnection({ path: dir });
    // Inserts go to the engine as one Buffer (see embedded-insert.ts); other statements keep chDB's adapter.
    // Measured (bench/store-memory.ts, 600k rows in 10k-row inserts): peak RSS 545 vs 669–726 MiB, V8 heap 44 vs 145 MiB.
    const adapterInsert = chdbConnection.insert.bind(chdbConnection);
    const raw = rawInsertFor(anchor);
    if (rawInsert) chdbConnection.insert = (params) => {
      const pending = raw(params as InsertParams);
      if (!pending) return adapterInsert(params);
      return pending.then((r) => ({
        query_id: params.query_id ?? '',
        response_headers: {},
        http_status_code: 200,
        summary: { read_rows: String(r.rowsWritten), read_bytes: String(r.bytesWritten), written_rows: String(r.rowsWritten), written_bytes: String(r.bytesWritten), result_rows: '0', result_bytes: '0', total_rows_to_read: '0', elapsed_ns: String(Math.round(r.elapsed * 1e9)) },
      }));
    };
    // chdb types its Connection against @clickhouse/client-common, which @clickhouse/client now
    // bundles under its own path: the shapes are the same, the declarations are not.
    connection = chdbConnection as unknown as ClientConnection;
    client = createClient({ connection });
  } catch (err) {
    anchor.close();
    throw err;
  }
  const insertFile = async (table: string, columns: readonly string[], file: string, settings?: InsertSettings) => {
    try {
      await anchor.queryAsync(`INSERT INTO ${table} (${columnList(columns)}) SELECT * FROM file(${quoteString(file)}, 'Native')${settingsClause(settings)}`);
    } catch (err) {
      throw engineError(err);
    }
  };
  const close = async () => {
    try {
      await client.close();
    } finally {
      anchor.close();
    }
  };
  return { connection, client, insertFile, close };
}
