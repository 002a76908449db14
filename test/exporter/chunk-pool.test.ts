import { afterEach, describe, expect, it } from 'vitest';
import { ChunkPool } from '../../src/exporter/ChunkPool.ts';
import { decodeExportLogsRequest } from '../../src/otlp/decode-logs.ts';
import { directPipeline } from '../../src/sdk/intake.ts';
import { getLogger } from '../../src/sdk/logger.ts';
import { registerLogging, type LoggingHandle, type RegisterLoggingOptions } from '../../src/sdk/register.ts';
import { releasePipeline, startRecordingServer, type RecordingServer } from '../helpers/recording-server.ts';

describe('ChunkPool', () => {
  it('reuses a chunk only once it is sealed and every byte held in it was given back', () => {
    const pool = new ChunkPool(64);
    const a = pool.take();
    pool.hold(a, 10);
    pool.hold(a, 20);
    const b = pool.take(); // seals a (30 bytes held)
    pool.hold(b, 5);
    const c = pool.take(); // seals b (5 held)
    expect(new Set([a, b, c]).size).toBe(3);
    pool.give(a, 10);
    expect(pool.idle).toBe(0);
    pool.hold(c, 1);
    const d = pool.take(); // seals c (1 held): nothing idle yet, a new chunk
    expect([a, b, c]).not.toContain(d);
    pool.give(a, 20); // every byte of a given back: idle
    expect(pool.idle).toBe(1);
    pool.hold(d, 1);
    expect(pool.take()).toBe(a);
    expect(pool.reused).toBe(1);
    // b and c still hold bytes: never handed out meanwhile.
    pool.give(b, 5);
    pool.give(c, 1);
    expect(pool.idle).toBe(2);
  });

  it('counts the bytes of the current chunk until it is sealed', () => {
    const pool = new ChunkPool(64);
    const a = pool.take();
    pool.hold(a, 8);
    pool.give(a, 8); // exported before the chunk was full
    pool.hold(a, 4);
    const b = pool.take();
    expect(b).not.toBe(a);
    expect(pool.idle).toBe(0);
    pool.give(a, 4);
    expect(pool.idle).toBe(1);
    pool.hold(b, 1);
    expect(pool.take()).toBe(a);
  });

  it('never reuses the chunks it was told to abandon, and keeps at most maxFree idle', () => {
    const pool = new ChunkPool(64, 2);
    const a = pool.take();
    pool.hold(a, 8);
    const b = pool.take();
    pool.hold(b, 8);
    pool.abandon();
    pool.give(a, 8);
    pool.give(b, 8);
    expect(pool.idle).toBe(0);
    const held: Uint8Array[] = [];
    for (let k = 0; k < 4; k++) {
      held.push(pool.take());
      pool.hold(held[k], 1);
    }
    expect(new Set(held).size).toBe(4);
    expect(held).not.toContain(a);
    expect(held).not.toContain(b);
    for (const buf of held) pool.give(buf, 1); // three sealed ones freed, the fourth still current
    expect(pool.idle).toBe(2);
  });

  it('ignores bytes held in buffers that are not its chunks (a record larger than a chunk gets its own)', () => {
    const pool = new ChunkPool(64);
    const a = pool.take();
    const other = new Uint8Array(100);
    pool.hold(other, 100);
    pool.hold(a, 3);
    const b = pool.take();
    pool.hold(b, 1);
    pool.give(other, 100);
    expect(pool.idle).toBe(0);
    pool.give(a, 3);
    expect(pool.idle).toBe(1);
  });
});

let handle: LoggingHandle | undefined;
let server: RecordingServer | undefined;
afterEach(async () => {
  [handle, server] = await releasePipeline(handle, server);
});

/** `[i, body]` of every record the server received, in order. */
function received(): [number, string][] {
  return server!.requests.flatMap((b) =>
    decodeExportLogsRequest(b).resourceLogs.flatMap((rl) =>
      rl.scopeLogs.flatMap((sl) =>
        sl.logRecords.map((r): [number, string] => [
          Number((r.attributes.find((a) => a.key === 'i')?.value as { intValue?: bigint }).intValue),
          (r.body as { stringValue: string }).stringValue,
        ]),
      ),
    ),
  );
}

const body = (i: number) => `record ${i} ${'abcdefghij'.slice(0, i % 11)}`;

async function start(options: RegisterLoggingOptions) {
  server = await startRecordingServer();
  handle = registerLogging({ endpoint: server.endpoint, serviceName: 'chunks', flushOnExit: false, ...options });
  const pool = directPipeline()!.defaultChain!.encoder.chunks!;
  expect(pool).toBeInstanceOf(ChunkPool);
  return { log: getLogger('chunks'), pool };
}

describe('registerLogging reuses the chunks records are encoded into', () => {
  it('ships every record intact while chunks are reused, exports in flight and a collector stalled', async () => {
    const { log, pool } = await start({ batch: { maxExportBatchSize: 512, scheduledDelayMillis: 5 } });
    let i = 0;
    for (let round = 0; round < 8; round++) {
      if (round === 4) server!.hold();
      // ~6000 records fill a chunk: each round spans more than one, with batches leaving meanwhile.
      for (let k = 0; k < 10000; k++, i++) log.info(body(i), { i, round });
      await new Promise((r) => setTimeout(r, 20));
    }
    server!.release();
    await handle!.forceFlush();
    const got = received();
    expect(got).toHaveLength(i);
    got.forEach(([n, text], k) => {
      expect(n).toBe(k);
      expect(text).toBe(body(k));
    });
    expect(pool.reused).toBeGreaterThan(1);
    expect(handle!.stats()).toMatchObject({ emitted: i, exported: i, dropped: 0, failed: 0, queuedBytes: 0 });
  });

  it('gives back the bytes of records the full queue dropped, and ships the rest intact', async () => {
    // A short queue: the chunk it fills in holds more dropped records than queued ones.
    const { log, pool } = await start({ batch: { maxQueueSize: 500, maxExportBatchSize: 100, scheduledDelayMillis: 5 } });
    server!.hold();
    let i = 0;
    // The collector answers nothing: 16 calls go out, then the queue fills and drops.
    for (let round = 0; round < 30; round++) {
      for (let k = 0; k < 2000; k++, i++) log.info(body(i), { i });
      await new Promise((r) => setTimeout(r, 5));
    }
    const dropped = handle!.stats().dropped;
    expect(dropped).toBeGreaterThan(0);
    const stalledUntil = i;
    server!.release();
    await handle!.forceFlush();
    // More after the drops, into reused chunks (flushed every 400: none dropped).
    for (let round = 0; round < 50; round++) {
      for (let k = 0; k < 400; k++, i++) log.info(body(i), { i });
      await handle!.forceFlush();
    }
    expect(handle!.stats().dropped).toBe(dropped);
    const got = received();
    expect(got.length + dropped).toBe(i);
    for (const [n, text] of got) expect(text).toBe(body(n));
    // While the collector stalled, the queue took the first records of each turn of 2000 and
    // dropped the rest: what was shipped of a turn is a prefix of it, each record once (a chunk
    // reused too early ships later, dropped records in place of queued ones).
    const stalled = got.map(([n]) => n).filter((n) => n < stalledUntil);
    expect(stalled.length).toBe(stalledUntil - dropped);
    const turns = new Map<number, number[]>();
    for (const n of stalled) turns.set(Math.floor(n / 2000), [...(turns.get(Math.floor(n / 2000)) ?? []), n]);
    for (const [turn, shipped] of turns) expect(shipped).toEqual(Array.from({ length: shipped.length }, (_, k) => turn * 2000 + k));
    expect(got.slice(-20000).map(([n]) => n)).toEqual(Array.from({ length: 20000 }, (_, k) => i - 20000 + k));
    expect(pool.reused).toBeGreaterThan(0);
    expect(handle!.stats()).toMatchObject({ emitted: i, failed: 0, queuedBytes: 0 });
  });
});
