import { fork, type ChildProcess } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { ClickHouseError } from '@clickhouse/client';
import { collectBytes } from './embedded-insert.ts';
import type { ClientConnection, InsertSettings } from './embedded-store.ts';

/**
 * The embedded engine in a child process ("engine process"): chDB runs in a process of its own and this
 * process talks to it through a `@clickhouse/client` Connection over the IPC channel. The collector's
 * memory and CPU are then its own (as with a ClickHouse server), an engine crash does not take the
 * receivers down (the spool holds the acknowledged rows; the next call starts a new engine process),
 * and the engine's threads and allocator do not share the collector's heap.
 */

/** One call to the engine process. Values cross as bytes; the rest of the params as structured clones. */
export interface EngineRequest {
  id: number;
  op: 'query' | 'exec' | 'command' | 'insert' | 'ping' | 'insertFile' | 'cancel' | 'close';
  params?: Record<string, unknown>;
  values?: Uint8Array;
}

/** The engine process's answer; `error` carries a ClickHouse error's message, code and type. */
export interface EngineReply {
  id: number;
  result?: Record<string, unknown>;
  bytes?: Uint8Array;
  error?: { message: string; code?: string; type?: string };
}

/** First message of the engine process: the engine is open (or why not). */
export interface EngineReady {
  ready: boolean;
  error?: string;
}

/** Options of the engine process (sent to it once at start). */
export interface EngineProcessOptions {
  dataDir: string;
  engineArgs: readonly string[];
  rawInsert: boolean;
  /** How long the engine waits for another live process's lock on the directory to go, in ms. @default 15000 */
  lockWaitMs?: number;
}

const CHILD = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './engine-child.ts' : './engine-child.js', import.meta.url));

function toBuffer(bytes: Uint8Array | undefined): Buffer {
  if (!bytes) return Buffer.alloc(0);
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A readable over one buffer whose teardown by ResultSet.close() is not an unhandled error. */
function bufferStream(buf: Buffer): Readable {
  const r = Readable.from(buf.length ? [buf] : [], { objectMode: false });
  r.on('error', () => {});
  return r;
}

function toError(e: NonNullable<EngineReply['error']>): Error {
  if (e.code !== undefined) return new ClickHouseError({ message: e.message, code: e.code, type: e.type });
  return new Error(e.message);
}

interface Pending {
  resolve(reply: EngineReply): void;
  reject(err: Error): void;
}

/** Counters of the engine process (exported on /metrics by the collector). */
export interface EngineProcessStats {
  /** Engine processes started, including the first. */
  starts: number;
  /** Engine processes that exited without being asked to. */
  crashes: number;
}

/** The parent's side: starts the engine process on demand and forwards Connection calls to it. */
export class EngineProcess {
  readonly stats: EngineProcessStats = { starts: 0, crashes: 0 };
  #child: ChildProcess | undefined;
  #ready: Promise<void> | undefined;
  #pending = new Map<number, Pending>();
  #seq = 0;
  #closed = false;
  readonly #options: EngineProcessOptions;

  constructor(options: EngineProcessOptions) {
    this.#options = options;
  }

  /** The engine process's pid (undefined before the first call or after it exited). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Starts the engine process now rather than on the first call; rejects if the engine cannot open. */
  start(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('engine process: the store is closed'));
    if (this.#ready) return this.#ready;
    const child = fork(CHILD, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
    this.#child = child;
    this.stats.starts++;
    this.#ready = new Promise<void>((resolve, reject) => {
      const onFirst = (msg: EngineReady) => {
        if (msg.ready) resolve();
        else reject(new Error(`engine process: cannot open the embedded store at ${this.#options.dataDir}: ${msg.error}`));
      };
      child.once('message', onFirst);
      child.once('exit', (code, signal) => reject(new Error(`engine process exited before it was ready (${signal ?? `exit code ${code}`})`)));
    });
    this.#ready.catch(() => {});
    child.on('message', (msg: EngineReply | EngineReady) => {
      if (!('id' in msg)) return;
      const p = this.#pending.get(msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      this.#idle();
      p.resolve(msg);
    });
    child.on('exit', (code, signal) => {
      if (this.#child !== child) return;
      this.#child = undefined;
      this.#ready = undefined;
      if (!this.#closed) this.stats.crashes++;
      const err = new Error(`engine process exited (${signal ?? `exit code ${code}`}); the call did not complete${this.#closed ? '' : ' (the next call starts a new engine process)'}`);
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
    });
    child.send({ init: this.#options });
    return this.#ready;
  }

  /** The IPC channel keeps this process alive only while calls are in flight. */
  #idle(): void {
    const child = this.#child;
    if (!child) return;
    if (this.#pending.size === 0) {
      child.unref();
      child.channel?.unref();
    } else {
      child.ref();
      child.channel?.ref();
    }
  }

  /** Sends one call and waits for its answer. */
  async call(op: EngineRequest['op'], params?: Record<string, unknown>, values?: Uint8Array, signal?: AbortSignal): Promise<EngineReply> {
    signal?.throwIfAborted();
    await this.start();
    const child = this.#child;
    if (!child) throw new Error('engine process exited; the call was not sent');
    const id = ++this.#seq;
    const reply = new Promise<EngineReply>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    this.#idle();
    const onAbort = () => child.send({ id: ++this.#seq, op: 'cancel', params: { target: id } } satisfies EngineRequest);
    signal?.addEventListener('abort', onAbort, { once: true });
    child.send({ id, op, params, values } satisfies EngineRequest);
    try {
      const r = await reply;
      if (r.error) throw toError(r.error);
      return r;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Closes the engine (it flushes and exits); waits up to 30 s, then kills it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    const child = this.#child;
    if (child && this.#ready) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        await this.call('close');
      } catch {
        // it may already be gone
      }
      this.#closed = true;
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
    this.#closed = true;
  }

  /** A `@clickhouse/client` Connection whose calls run in the engine process. */
  connection(): ClientConnection {
    const strip = (params: object): Record<string, unknown> => {
      const { abort_signal: _signal, values: _values, ...rest } = params as Record<string, unknown>;
      return rest;
    };
    const signalOf = (params: object) => (params as { abort_signal?: AbortSignal }).abort_signal;
    const conn = {
      ping: async (params: object) => {
        try {
          await this.call('ping', strip(params));
          return { success: true as const };
        } catch (err) {
          return { success: false as const, error: err as Error };
        }
      },
      query: async (params: object) => {
        const r = await this.call('query', strip(params), undefined, signalOf(params));
        return { ...r.result, stream: bufferStream(toBuffer(r.bytes)) };
      },
      exec: async (params: { values?: unknown }) => {
        const r = await this.call('exec', strip(params), (params.values === undefined ? undefined : await collectBytes(params.values as string | Readable)), signalOf(params));
        return { ...r.result, stream: bufferStream(toBuffer(r.bytes)) };
      },
      command: async (params: object) => (await this.call('command', strip(params), undefined, signalOf(params))).result,
      insert: async (params: { values: unknown }) => (await this.call('insert', strip(params), (params.values === undefined ? undefined : await collectBytes(params.values as string | Readable)), signalOf(params))).result,
      close: () => this.close(),
    };
    return conn as unknown as ClientConnection;
  }

  /** Inserts the Native block in `file` (written by this process) — see EmbeddedEngine.insertFile. */
  async insertFile(table: string, columns: readonly string[], file: string, settings?: InsertSettings): Promise<void> {
    await this.call('insertFile', { table, columns: [...columns], file, settings });
  }
}
