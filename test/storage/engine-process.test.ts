import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TupleParam } from '@clickhouse/client';
import { openStore, type Store } from '../../src/storage/client.ts';
import { EngineProcess } from '../../src/storage/engine-process.ts';
import { tempDir } from '../helpers/collector.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function count(store: Store, table: string): Promise<number> {
  const [row] = await (await store.client.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' })).json<{ n: string }>();
  return Number(row.n);
}

describe('embedded engine in its own process', () => {
  const dir = join(tmp.dir, 'store');
  let store: Store;

  it('runs queries, parameters, inserts and commands through @clickhouse/client in a child process', async () => {
    store = openStore({ dataDir: dir, engineProcess: true });
    const [row] = await (await store.client.query({ query: 'SELECT {s:String} AS s, {n:UInt64} + 1 AS n', query_params: { s: "it's\ta\\b", n: 41 }, format: 'JSONEachRow' })).json<{ s: string; n: string | number }>();
    expect({ s: row.s, n: Number(row.n) }).toEqual({ s: "it's\ta\\b", n: 42 });
    const pid = store.engine?.pid;
    expect(pid).toBeGreaterThan(0);
    expect(pid).not.toBe(process.pid);
    await store.client.command({ query: 'CREATE TABLE t (k UInt32, v String) ENGINE = MergeTree ORDER BY k' });
    await store.client.insert({ table: 't', values: [{ k: 1, v: 'a' }, { k: 2, v: 'b' }], format: 'JSONEachRow' });
    await store.client.exec({ query: "INSERT INTO t VALUES (3, 'c')" });
    expect(await count(store, 't')).toBe(3);
    // Engine errors arrive as the client's ClickHouseError with the engine's code and type.
    await expect(store.client.query({ query: 'SELECT nope FROM t' })).rejects.toMatchObject({ code: '47', type: 'UNKNOWN_IDENTIFIER' });
    expect(await store.client.ping()).toEqual({ success: true });
  });

  it('stores Native blocks written by this process (insertNative)', async () => {
    // One row of (UInt32 k, String v) in ClickHouse's Native format: columns, rows, then per column name, type, values.
    const str = (s: string) => Buffer.concat([Buffer.from([s.length]), Buffer.from(s)]);
    const block = Buffer.concat([Buffer.from([2, 1]), str('k'), str('UInt32'), Buffer.from([9, 0, 0, 0]), str('v'), str('String'), str('nine')]);
    await store.insertNative('t', ['k', 'v'], block);
    const rows = await (await store.client.query({ query: 'SELECT v FROM t WHERE k = 9', format: 'JSONEachRow' })).json();
    expect(rows).toEqual([{ v: 'nine' }]);
    // Several blocks go back to back as one insert: one part, every row.
    await store.client.command({ query: 'CREATE TABLE parts_probe (k UInt32, v String) ENGINE = MergeTree ORDER BY k' });
    const one = (k: number, v: string) => Buffer.concat([Buffer.from([2, 1]), str('k'), str('UInt32'), Buffer.from([k, 0, 0, 0]), str('v'), str('String'), str(v)]);
    await store.insertNative('parts_probe', ['k', 'v'], [one(1, 'a'), one(2, 'b'), one(3, 'c')]);
    const probe = await (await store.client.query({ query: "SELECT (SELECT groupArray(v) FROM (SELECT v FROM parts_probe ORDER BY k)) AS vs, (SELECT count() FROM system.parts WHERE table = 'parts_probe' AND active) AS parts", format: 'JSONEachRow' })).json<{ vs: string[]; parts: string | number }>();
    expect(probe.map((p) => ({ vs: p.vs, parts: Number(p.parts) }))).toEqual([{ vs: ['a', 'b', 'c'], parts: 1 }]);
  });

  it('an engine crash fails the calls in flight; the next call starts a new engine on the same data', async () => {
    const first = store.engine!.pid!;
    const slow = store.client.query({ query: 'SELECT sum(sleepEachRow(0.2)) FROM numbers(20) SETTINGS max_block_size = 1', format: 'JSONEachRow' });
    await new Promise((r) => setTimeout(r, 200));
    process.kill(first, 'SIGKILL');
    await expect(slow).rejects.toThrow(/engine process exited \(SIGKILL\)/);
    expect(await count(store, 't')).toBe(4);
    expect(store.engine!.pid).not.toBe(first);
    expect(store.engine!.stats).toEqual({ starts: 2, crashes: 1 });
  });

  it('a call made after the engine died but before its exit was seen fails; this process stays up', async () => {
    const pid = store.engine!.pid!;
    process.kill(pid, 'SIGKILL');
    // Busy for a moment (as when decoding a big request): the exit is not seen yet, the send fails.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
    await expect(store.client.query({ query: 'SELECT 1' })).rejects.toThrow(/engine process (could not be sent a call|exited|closed its channel|failed)/);
    expect(await count(store, 't')).toBe(4);
    expect(store.engine!.stats).toEqual({ starts: 3, crashes: 2 });
  });

  it('an abort rejects at once, also while the engine is starting; TupleParam parameters keep their meaning', async () => {
    const fresh = openStore({ dataDir: join(tmp.dir, 'abort'), engineProcess: true });
    try {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 30);
      const started = Date.now();
      // The first call starts the engine (~0.3 s): the abort lands during the start.
      await expect(fresh.client.query({ query: 'SELECT sum(sleepEachRow(0.25)) FROM numbers(12) SETTINGS max_block_size = 1', abort_signal: ac.signal })).rejects.toThrow(/abort/i);
      // It does not wait for the 3 s statement (nor, normally, for the engine's ~0.3 s start).
      expect(Date.now() - started).toBeLessThan(1000);
      const [row] = await (await fresh.client.query({ query: 'SELECT {t:Tuple(UInt8, String)} AS t', query_params: { t: new TupleParam([1, 'a']) }, format: 'JSONEachRow' })).json<{ t: unknown }>();
      expect(row.t).toEqual([1, 'a']);
      // Other parameter values keep their type too (a Date is not a plain object).
      const at = new Date('2026-11-23T12:34:56Z');
      const [d] = await (await fresh.client.query({ query: 'SELECT toString({d:DateTime}) AS d, {m:Map(String, UInt8)} AS m', query_params: { d: at, m: { k: 7 } }, format: 'JSONEachRow' })).json<{ d: string; m: Record<string, number> }>();
      expect(d).toEqual({ d: '2026-11-23 12:34:56', m: { k: 7 } });
    } finally {
      await fresh.close();
    }
  });

  it('close waits for the calls in flight and can be called twice at once', async () => {
    const slow = store.client.query({ query: 'SELECT sum(sleepEachRow(0.1)) AS s FROM numbers(5) SETTINGS max_block_size = 1', format: 'JSONEachRow' }).then((r) => r.json());
    await new Promise((r) => setTimeout(r, 50));
    const pid = store.engine!.pid!;
    await Promise.all([store.close(), store.close()]);
    expect(await slow).toEqual([{ s: 0 }]);
    expect(alive(pid)).toBe(false);
  });

  it('close stops the engine process', async () => {
    await store.close();
    expect(store.engine!.pid).toBeUndefined();
    expect(store.engine!.stats.crashes).toBe(2);
  });

  it('a directory another live process holds: a clear error naming it, after waiting for the lock', async () => {
    const holder = openStore({ dataDir: dir, engineProcess: true });
    try {
      await holder.client.ping();
      const second = new EngineProcess({ dataDir: dir, engineArgs: [], rawInsert: true, lockWaitMs: 600 });
      const started = Date.now();
      await expect(second.start()).rejects.toThrow(new RegExp(`cannot open the embedded store at .*in use by process ${holder.engine!.pid}`));
      expect(Date.now() - started).toBeGreaterThanOrEqual(600);
      // The engine that could not open has exited on its own: closing it does not wait for a kill.
      const closing = Date.now();
      await second.close();
      expect(Date.now() - closing).toBeLessThan(5000);
    } finally {
      await holder.close();
    }
  });

  it('an engine orphaned in the middle of a long query exits at once, releasing the directory', async () => {
    const dir2 = join(tmp.dir, 'orphan');
    const script = join(tmp.dir, 'orphan.ts');
    const client = new URL('../../src/storage/client.ts', import.meta.url).pathname;
    writeFileSync(script, `import { openStore } from ${JSON.stringify(client)};
const s = openStore({ dataDir: ${JSON.stringify(dir2)}, engineProcess: true });
await s.client.command({ query: 'SELECT 1' });
console.log(s.engine.pid);
await s.client.query({ query: 'SELECT sum(sleepEachRow(0.5)) FROM numbers(60) SETTINGS max_block_size = 1' });
`);
    const parent = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const enginePid = await new Promise<number>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
    await new Promise((r) => setTimeout(r, 500));
    parent.kill('SIGKILL');
    const killedAt = Date.now();
    while (alive(enginePid) && Date.now() - killedAt < 20_000) await new Promise((r) => setTimeout(r, 50));
    expect(alive(enginePid)).toBe(false);
    expect(Date.now() - killedAt).toBeLessThan(10_000); // the query alone would hold it 30 s
    const next = openStore({ dataDir: dir2, engineProcess: true });
    try {
      expect(await next.client.ping()).toEqual({ success: true });
    } finally {
      await next.close();
    }
  }, 40_000);

  it('an engine process left open does not keep its parent alive, and exits with it', async () => {
    const script = join(tmp.dir, 'forgetful.ts');
    const client = new URL('../../src/storage/client.ts', import.meta.url).pathname;
    writeFileSync(script, `import { openStore } from ${JSON.stringify(client)};
const s = openStore({ dataDir: ${JSON.stringify(join(tmp.dir, 'forgetful'))}, engineProcess: true });
await s.client.command({ query: 'SELECT 1' });
console.log(s.engine.pid);
`);
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    const enginePid = Number(out.trim());
    expect(enginePid).toBeGreaterThan(0);
    const deadline = Date.now() + 20_000;
    while (alive(enginePid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(alive(enginePid)).toBe(false);
  }, 40_000);
});
