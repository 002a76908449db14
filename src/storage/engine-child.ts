// The engine process (see engine-process.ts): opens the embedded engine on the directory it is told
// and answers Connection calls from its parent over the IPC channel until told to close or orphaned.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { openEmbeddedEngine, type EmbeddedEngine, type InsertSettings } from './embedded-store.ts';
import { TupleParam } from '@clickhouse/client';
import { TUPLE_TAG, type EngineProcessOptions, type EngineReply, type EngineRequest } from './engine-process.ts';

type AnyConnection = Record<'query' | 'exec' | 'command' | 'insert' | 'ping', (params: Record<string, unknown>) => Promise<Record<string, unknown>>>;

let engine: EmbeddedEngine | undefined;
const inFlight = new Map<number, AbortController>();

function send(msg: unknown): void {
  if (process.connected) process.send?.(msg);
}

async function readAll(stream: unknown): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer | string>) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

function errorOf(err: unknown): NonNullable<EngineReply['error']> {
  const e = err as { message?: string; code?: string; type?: string };
  // Only ClickHouse errors (code and type, from the engine) keep their code: others' codes mean something else.
  const fromEngine = e?.code !== undefined && typeof e.type === 'string';
  return { message: e?.message ?? String(err), ...(fromEngine ? { code: String(e.code), type: e.type } : {}) };
}

let shuttingDown = false;

/** Closes chDB and exits. */
async function shutdown(code: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  const e = engine;
  engine = undefined;
  try {
    await e?.close();
  } finally {
    process.exit(code);
  }
}

/** Rebuilds the TupleParam instances the parent tagged (see TUPLE_TAG). */
function decodeValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeValue);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [decodeValue(k), decodeValue(x)]));
  // Plain objects only: Dates, typed arrays and the like cross the channel as themselves.
  if (v && typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
    const tagged = (v as Record<string, unknown>)[TUPLE_TAG];
    if (Array.isArray(tagged)) return new TupleParam(tagged.map(decodeValue));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decodeValue(x)]));
  }
  return v;
}

async function handle(req: EngineRequest): Promise<EngineReply> {
  if (!engine) throw new Error('engine process: not open');
  const conn = engine.connection as unknown as AnyConnection;
  const params = req.params?.query_params ? { ...req.params, query_params: decodeValue(req.params.query_params) } : (req.params ?? {});
  const controller = new AbortController();
  inFlight.set(req.id, controller);
  try {
    const withSignal = { ...params, abort_signal: controller.signal };
    const values = req.values ? Readable.from([Buffer.from(req.values.buffer, req.values.byteOffset, req.values.byteLength)]) : undefined;
    switch (req.op) {
      case 'query': {
        const { stream, ...rest } = await conn.query(withSignal);
        return { id: req.id, result: rest, bytes: await readAll(stream) };
      }
      case 'exec': {
        const { stream, ...rest } = await conn.exec({ ...withSignal, values });
        return { id: req.id, result: rest, bytes: await readAll(stream) };
      }
      case 'command':
        return { id: req.id, result: await conn.command(withSignal) };
      case 'insert':
        return { id: req.id, result: await conn.insert({ ...withSignal, values: values ?? '' }) };
      case 'ping': {
        const r = (await conn.ping({ select: true })) as { success: boolean; error?: unknown };
        if (!r.success) throw r.error;
        return { id: req.id, result: {} };
      }
      case 'insertFile': {
        const p = params as { table: string; columns: string[]; file: string; settings?: InsertSettings };
        await engine.insertFile(p.table, p.columns, p.file, p.settings);
        return { id: req.id, result: {} };
      }
      default:
        throw new Error(`engine process: unknown call ${JSON.stringify(req.op)}`);
    }
  } finally {
    inFlight.delete(req.id);
  }
}

/** How long to wait for the directory's lock: an engine process orphaned by a killed collector is still closing. */
const LOCK_WAIT_MS = 15_000;

/** The live process holding the engine's lock on `dir` (from its status file), if any. */
function lockHolder(dir: string): number | undefined {
  try {
    const pid = Number(/^PID: (\d+)$/m.exec(readFileSync(join(dir, 'status'), 'utf8'))?.[1]);
    if (!pid || pid === process.pid) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

async function open(options: EngineProcessOptions): Promise<void> {
  const deadline = Date.now() + (options.lockWaitMs ?? LOCK_WAIT_MS);
  for (;;) {
    try {
      engine = openEmbeddedEngine(options.dataDir, options.engineArgs, options.rawInsert);
      send({ ready: true });
      return;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // chDB reports a held lock only on stderr; the engine's status file names the holder.
      const holder = lockHolder(options.dataDir);
      if (holder !== undefined && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      // Exit once the message is out, so the parent reads why rather than just an exit code.
      process.send?.({ ready: false, error: holder !== undefined ? `${message}: the directory is in use by process ${holder}` : message }, () => process.exit(1));
      return;
    }
  }
}

process.on('message', (msg: { init?: EngineProcessOptions } & Partial<EngineRequest>) => {
  if (msg.init) {
    void open(msg.init);
    return;
  }
  const req = msg as EngineRequest;
  if (req.op === 'cancel') {
    inFlight.get((req.params as { target: number }).target)?.abort();
    return;
  }
  if (req.op === 'close') {
    send({ id: req.id, result: {} });
    void shutdown(0);
    return;
  }
  handle(req).then(send, (err: unknown) => send({ id: req.id, error: errorOf(err) }));
});

// Orphaned (the parent died or closed the channel). chDB's close blocks this thread until native work
// in flight ends, so with calls running the engine is killed instead: an orphan must not hold the
// directory's lock for the length of a long query (the restarted collector waits 15 s for it), and
// the spool is the durable copy (a killed insert is retried with its token; a killed engine loses
// nothing acknowledged: test/collector/engine-crash). Idle, it closes cleanly.
process.on('disconnect', () => {
  if (inFlight.size > 0) process.kill(process.pid, 'SIGKILL');
  else void shutdown(0);
});
