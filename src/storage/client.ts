import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { columnList, openEmbeddedEngine, openSpillDir, viaSpillFile, type EmbeddedEngine, type InsertSettings, type NativeData } from './embedded-store.ts';
import { EngineProcess, type EngineProcessStats } from './engine-process.ts';

export type { InsertSettings, NativeData } from './embedded-store.ts';

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
  /**
   * Embedded store: run the engine in a child process of its own (the "engine process") rather than
   * in this one. This process then holds only its own memory and CPU, as with a ClickHouse server,
   * and an engine crash fails the calls in flight instead of the process (the next call starts a
   * new engine process). Ignored with `clickhouseUrl`. @default false
   */
  engineProcess?: boolean;
}

/** An open store: the `@clickhouse/client` API over a server or the embedded engine. */
export interface Store {
  readonly client: ClickHouseClient;
  readonly kind: 'embedded' | 'server';
  /** Human-readable location, without credentials. */
  readonly location: string;
  /**
   * Inserts one or more Native blocks (see native-format.ts; an array is sent back to back, the
   * engine squashes them into one part) into `table` (a qualified name) with per-insert `settings`. Embedded: the engine reads them from a file (chDB's raw insert takes text
   * formats only); server: `INSERT … FORMAT Native` with the bytes as the request body.
   */
  insertNative(table: string, columns: readonly string[], data: NativeData, settings?: InsertSettings): Promise<void>;
  /** The engine process, when the embedded engine runs in one (`engineProcess`). */
  readonly engine?: { readonly pid: number | undefined; readonly stats: EngineProcessStats };
  close(): Promise<void>;
}

/**
 * Opens the store: `createClient({ url })` for a server, otherwise the embedded ClickHouse engine
 * (chDB) plugged into the same client, so every query goes through one code path (DESIGN.md 4) —
 * in this process, or in an engine process of its own (`engineProcess`).
 */
export function openStore(options: StoreOptions = {}): Store {
  if (options.clickhouseUrl) return openServer(options.clickhouseUrl);
  const dir = resolve(options.dataDir ?? './data');
  mkdirSync(dir, { recursive: true });
  const engineArgs = options.engineArgs ?? EMBEDDED_ENGINE_ARGS;
  const rawInsert = options.rawInsert !== false;
  const spill = openSpillDir(dir);
  // Either way the engine has a client, an insert from a spill file and a close; only where it runs differs.
  let engine: { client: ClickHouseClient; insertFile: EmbeddedEngine['insertFile']; close(): Promise<void> };
  let processEngine: EngineProcess | undefined;
  try {
    if (options.engineProcess) {
      const proc = (processEngine = new EngineProcess({ dataDir: dir, engineArgs, rawInsert }));
      const client = createClient({ connection: proc.connection() });
      engine = { client, insertFile: (...args) => proc.insertFile(...args), close: () => client.close() };
    } else engine = openEmbeddedEngine(dir, engineArgs, rawInsert);
  } catch (err) {
    spill.dispose();
    throw err;
  }
  return {
    client: engine.client,
    kind: 'embedded',
    location: dir,
    ...(processEngine ? { engine: processEngine } : {}),
    insertNative: (table, columns, data, settings) => viaSpillFile(spill, data, (file) => engine.insertFile(table, columns, file, settings)),
    close: async () => {
      try {
        await engine.close();
      } finally {
        spill.dispose();
      }
    },
  };
}

function openServer(clickhouseUrl: string): Store {
  const url = new URL(clickhouseUrl);
  const client = createClient({ url: clickhouseUrl });
  url.username = '';
  url.password = '';
  const insertNative = async (table: string, columns: readonly string[], data: NativeData, settings?: InsertSettings) => {
    const parts = data instanceof Uint8Array ? [data] : data;
    const r = await client.exec({
      query: `INSERT INTO ${table} (${columnList(columns)}) FORMAT Native`,
      values: Readable.from(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))),
      clickhouse_settings: settings,
    });
    r.stream.resume();
    await finished(r.stream);
  };
  return { client, kind: 'server', location: url.toString(), insertNative, close: () => client.close() };
}
