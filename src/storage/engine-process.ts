import { fork, type ChildProcess } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { ClickHouseError, TupleParam } from '@clickhouse/client';
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

/** TupleParam instances lose their class over IPC: tagged here, rebuilt by the engine process. */
export const TUPLE_TAG = '__logqTupleParam';

function encodeValue(v: unknown): unknown {
  if (v instanceof TupleParam) return { [TUPLE_TAG]: v.values.map(encodeValue) };
  if (Array.isArray(v)) return v.map(encodeValue);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [encodeValue(k), encodeValue(x)]));
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeValue(x)]));
  return v;
}

function encodeParams(params: Record<string, unknown>): Record<string, unknown> {
  const qp = params.query_params as Record<string, unknown> | undefined;
  return qp ? { ...params, query_params: encodeValue(qp) } : params;
}

/** `p`, or a rejection as soon as `signal` aborts (the engine may take seconds to start). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('the query was aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) onAbort();
        else resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
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
  /** The child that answered ready (its loss counts as a crash). */
  #readyChild: ChildProcess | undefined;
  #ready: Promise<void> | undefined;
  #pending = new Map<number, Pending>();
  #seq = 0;
  #closed = false;
  #closing: Promise<void> | undefined;
  readonly #options: EngineProcessOptions;

  constructor(options: EngineProcessOptions) {
    this.#options = options;
  }

  /** The engine process's pid (undefined before the first call or after it exited). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /**
   * The engine process is gone or unusable (exit, failed spawn, closed channel, failed send): every
   * call in flight fails, and the next call starts a new one. Runs once per child.
   */
  #lost(child: ChildProcess, how: string): void {
    if (this.#child !== child) return;
    this.#child = undefined;
    this.#ready = undefined;
    if (!this.#closed && this.#readyChild === child) this.stats.crashes++;
    const err = new Error(`engine process ${how}; the call did not complete${this.#closed ? '' : ' (the next call starts a new engine process)'}`);
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) child.kill('SIGKILL');
  }

  /** Starts the engine process now rather than on the first call; rejects if the engine cannot open. */
  start(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('engine process: the store is closed'));
    if (this.#ready) return this.#ready;
    const child = fork(CHILD, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
    this.#child = child;
    this.stats.starts++;
    this.#ready = new Promise<void>((resolve, reject) => {
      child.once('message', (msg: EngineReady) => {
        if (msg.ready) {
          this.#readyChild = child;
          resolve();
          this.#idle();
        } else reject(new Error(`engine process: cannot open the embedded store at ${this.#options.dataDir}: ${msg.error}`));
      });
      const early = (how: string) => reject(new Error(`engine process ${how} before it was ready`));
      child.once('exit', (code, signal) => early(`exited (${signal ?? `exit code ${code}`})`));
      child.once('error', (err) => early(`could not start or be reached: ${err.message}`));
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
    child.on('exit', (code, signal) => this.#lost(child, `exited (${signal ?? `exit code ${code}`})`));
    // A failed spawn emits 'error' and never 'exit'; a send on a closed channel emits 'error' too.
    child.on('error', (err) => this.#lost(child, `failed (${err.message})`));
    // A dead engine closes its channel just before its exit is reported: give the exit (and its
    // signal or code, the better message) a moment to arrive first.
    child.on('disconnect', () => setTimeout(() => this.#lost(child, 'closed its channel'), 200).unref());
    this.#send(child, { init: this.#options });
    return this.#ready;
  }

  /** Sends a message; a failed send loses the child (its calls fail) instead of throwing. */
  #send(child: ChildProcess, msg: unknown): void {
    if (!child.connected) {
      this.#lost(child, 'is not connected');
      return;
    }
    child.send(msg as object, (err: Error | null) => {
      if (err) this.#lost(child, `could not be sent a call (${err.message})`);
    });
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

  /** Sends one call and waits for its answer; an abort rejects at once and cancels the call in the engine. */
  async call(op: EngineRequest['op'], params?: Record<string, unknown>, values?: Uint8Array, signal?: AbortSignal): Promise<EngineReply> {
    signal?.throwIfAborted();
    await (signal ? untilAborted(this.start(), signal) : this.start());
    const child = this.#child;
    if (!child) throw new Error('engine process exited; the call was not sent');
    const id = ++this.#seq;
    const reply = new Promise<EngineReply>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    this.#idle();
    const onAbort = () => {
      const p = this.#pending.get(id);
      if (!p) return;
      this.#pending.delete(id);
      this.#idle();
      if (this.#child === child) this.#send(child, { id: ++this.#seq, op: 'cancel', params: { target: id } } satisfies EngineRequest);
      p.reject(signal?.reason instanceof Error ? signal.reason : new Error('the query was aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    this.#send(child, { id, op, params: params && encodeParams(params), values } satisfies EngineRequest);
    try {
      const r = await reply;
      if (r.error) throw toError(r.error);
      return r;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Closes the engine: it finishes the calls in flight, closes chDB and exits (killed after 30 s). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const child = this.#child;
      if (child && this.#ready) {
        const exited = new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) resolve();
          else child.once('exit', () => resolve());
        });
        // Calls in flight settle first (up to 30 s): the engine answers them before it exits.
        const settled = Promise.all([...this.#pending.values()].map((p) => new Promise<void>((r) => {
          const { resolve, reject } = p;
          p.resolve = (v) => (resolve(v), r());
          p.reject = (e) => (reject(e), r());
        })));
        let wait: NodeJS.Timeout | undefined;
        await Promise.race([settled, new Promise<void>((r) => (wait = setTimeout(r, 30_000)))]);
        clearTimeout(wait);
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
    })();
    return this.#closing;
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
