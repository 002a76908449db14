import { readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BatchSink } from '../../src/collector/Shipper.ts';
import { decodeSpoolFile } from '../../src/collector/spool-format.ts';
import { nativeToRows } from '../../src/storage/native-format.ts';
import { DEFAULT_TABLE, INSERT_COLUMNS, qualified } from '../../src/storage/schema.ts';
import { queryRows, startTestCollector, tempDir } from '../helpers/collector.ts';
import { encodeRequest, RawOtlpClient } from './otlp-client.ts';

// Real collector, real engine. The only double is the outage switch around the real writer.
const tmp = tempDir();
afterAll(() => tmp.cleanup());

let down = true;
const inserts: number[] = [];
const wrapSink = (sink: BatchSink): BatchSink => async (batch, token) => {
  if (down) throw new Error('injected outage');
  inserts.push(batch.rowCount);
  await sink(batch, token);
};

async function spoolBatches(service: string, batches: number, spoolDir: string): Promise<string[]> {
  down = true;
  const c = await startTestCollector(tmp.dir, { batchMaxRows: 100, batchMaxDelayMs: 10, spoolDir }, { wrapSink, drainTimeoutMs: 0 });
  const client = new RawOtlpClient(`127.0.0.1:${c.grpcPort}`);
  for (let b = 0; b < batches; b++) {
    const records = Array.from({ length: 100 }, (_, k) => ({ body: `b${b} r${k}`, severityNumber: 9, attributes: { batch: String(b) } }));
    expect((await client.export(encodeRequest(service, records))).ok).toBe(true);
  }
  client.close();
  await c.stop();
  return readdirSync(spoolDir).filter((f) => f.endsWith('.spool')).sort();
}

async function countsPerBatch(c: Awaited<ReturnType<typeof startTestCollector>>, service: string): Promise<[string, number][]> {
  const end = Date.now() + 30_000;
  while (c.spool.entries.length && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  const rows = await queryRows<{ batch: string; n: string }>(
    c,
    `SELECT LogAttributes['batch'] AS batch, count() AS n FROM otel.otel_logs WHERE ServiceName = '${service}' GROUP BY batch ORDER BY batch`,
  );
  return rows.map((r) => [r.batch, Number(r.n)]);
}

/**
 * A crash after a combined insert of the first three spooled batches landed: the group is recorded
 * (insert-group.json) and its rows are in ClickHouse under `token`, but the files are still there
 * (`deleteFirst`: the deletion had begun, after the group was marked landed). Returns the collector restarted on that spool, ClickHouse up.
 */
async function restartAfterLandedGroup(spoolDir: string, files: string[], token: string, deleteFirst: boolean) {
  const payloads = files.map((f) => decodeSpoolFile(readFileSync(join(spoolDir, f))));
  writeFileSync(join(spoolDir, 'insert-group.json'), JSON.stringify({ token, seqs: files.slice(0, 3).map((f) => Number(f.slice(0, 12))), ...(deleteFirst ? { landed: true } : {}) }));
  if (deleteFirst) unlinkSync(join(spoolDir, files[0]));
  down = true;
  const c = await startTestCollector(tmp.dir, { batchMaxRows: 100, spoolDir }, { wrapSink });
  // As the shipper sends a combined insert: the batches' blocks back to back (ClickHouse's dedup
  // of an INSERT … SELECT follows the source blocks, so the layout must be the shipper's).
  await c.store.insertNative(qualified(DEFAULT_TABLE), INSERT_COLUMNS, payloads.slice(0, 3).map((p) => p.data), {
    insert_deduplication_token: token,
  });
  inserts.length = 0;
  down = false;
  return c;
}

describe('combined inserts', () => {
  it('ship spooled batches waiting back to back as one insert, up to --insert-max-rows', async () => {
    down = false;
    inserts.length = 0;
    const c = await startTestCollector(tmp.dir, { batchMaxRows: 100, batchMaxDelayMs: 10, spoolDir: join(tmp.dir, 'spool-group'), insertMaxRows: 300, insertMaxDelayMs: 3000 }, { wrapSink });
    try {
      const client = new RawOtlpClient(`127.0.0.1:${c.grpcPort}`);
      for (let b = 0; b < 5; b++) {
        const records = Array.from({ length: 100 }, (_, k) => ({ body: `b${b} r${k}`, severityNumber: 9, attributes: { batch: String(b) } }));
        expect((await client.export(encodeRequest('group-svc', records))).ok).toBe(true);
      }
      client.close();
      expect(await countsPerBatch(c, 'group-svc')).toEqual([['0', 100], ['1', 100], ['2', 100], ['3', 100], ['4', 100]]);
      expect(inserts).toEqual([300, 200]);
      expect(c.shipperStats.insertedBatches).toBe(5);
    } finally {
      await c.stop();
    }
  });

  it('replay batches left by a previous run one by one, each with its own token', async () => {
    // One of them may have been inserted alone just before the crash: only its own token lets
    // ClickHouse recognise it (combined with the next ones it would be stored twice).
    const spoolDir = join(tmp.dir, 'spool-replay');
    const files = await spoolBatches('replay-svc', 3, spoolDir);
    down = true;
    const c = await startTestCollector(tmp.dir, { batchMaxRows: 100, spoolDir }, { wrapSink });
    try {
      const first = decodeSpoolFile(readFileSync(join(spoolDir, files[0])));
      await c.store.insertNative(qualified(DEFAULT_TABLE), INSERT_COLUMNS, first.data, { insert_deduplication_token: first.token });
      inserts.length = 0;
      down = false;
      expect(await countsPerBatch(c, 'replay-svc')).toEqual([['0', 100], ['1', 100], ['2', 100]]);
      expect(inserts).toEqual([100, 100, 100]);
    } finally {
      await c.stop();
    }
  });

  it('insert what is left of a recorded group that never landed when drop-oldest removed part of it', async () => {
    const spoolDir = join(tmp.dir, 'spool-dropped');
    const files = await spoolBatches('dropped-svc', 3, spoolDir);
    writeFileSync(join(spoolDir, 'insert-group.json'), JSON.stringify({ token: 'never-landed', seqs: files.map((f) => Number(f.slice(0, 12))) }));
    unlinkSync(join(spoolDir, files[0])); // dropped by the policy during an outage; the group's insert had failed
    down = false;
    inserts.length = 0;
    const c = await startTestCollector(tmp.dir, { batchMaxRows: 100, spoolDir }, { wrapSink });
    try {
      expect(await countsPerBatch(c, 'dropped-svc')).toEqual([['1', 100], ['2', 100]]);
    } finally {
      await c.stop();
    }
  });

  it('spool a batch of many one-record requests as one Native block (the engine pays per block)', async () => {
    const spoolDir = join(tmp.dir, 'spool-tiny');
    down = true;
    const c = await startTestCollector(tmp.dir, { batchMaxRows: 1000, batchMaxDelayMs: 300, spoolDir }, { wrapSink, drainTimeoutMs: 0 });
    const client = new RawOtlpClient(`127.0.0.1:${c.grpcPort}`);
    const answers = await Promise.all(Array.from({ length: 40 }, (_, k) => client.export(encodeRequest('tiny-svc', [{ body: `one ${k}`, severityNumber: 9, attributes: { k: String(k) } }]))));
    expect(answers.every((a) => a.ok)).toBe(true);
    client.close();
    await c.stop();
    const files = readdirSync(spoolDir).filter((f) => f.endsWith('.spool'));
    let total = 0;
    for (const f of files) {
      const { data, rowCount } = decodeSpoolFile(readFileSync(join(spoolDir, f)));
      expect([data[0], data[1]]).toEqual([INSERT_COLUMNS.length, rowCount]); // one block: its header counts every row
      expect(nativeToRows(data)).toHaveLength(rowCount);
      total += rowCount;
    }
    expect(total).toBe(40);
    expect(files.length).toBeLessThan(40);
  });

  it('wait up to --insert-max-delay for a fuller insert, while each request is acknowledged at once', async () => {
    const spoolDir = join(tmp.dir, 'spool-delay');
    down = false;
    inserts.length = 0;
    const c = await startTestCollector(tmp.dir, { batchMaxRows: 100, batchMaxDelayMs: 10, spoolDir, insertMaxDelayMs: 1500 }, { wrapSink });
    try {
      const client = new RawOtlpClient(`127.0.0.1:${c.grpcPort}`);
      for (let b = 0; b < 5; b++) {
        const records = Array.from({ length: 100 }, (_, k) => ({ body: `b${b} r${k}`, severityNumber: 9, attributes: { batch: String(b) } }));
        const started = performance.now();
        expect((await client.export(encodeRequest('delay-svc', records))).ok).toBe(true);
        expect(performance.now() - started).toBeLessThan(1000); // acked once spooled, not when inserted
        await new Promise((r) => setTimeout(r, 50));
      }
      client.close();
      expect(inserts).toEqual([]); // nothing inserted yet: the oldest batch waits for more
      expect(await countsPerBatch(c, 'delay-svc')).toEqual([['0', 100], ['1', 100], ['2', 100], ['3', 100], ['4', 100]]);
      expect(inserts).toEqual([500]);
    } finally {
      await c.stop();
    }
  });

  it('repeat a combined insert recorded before a crash with the same token, so it is stored once', async () => {
    const spoolDir = join(tmp.dir, 'spool-crash');
    const files = await spoolBatches('crash-svc', 5, spoolDir);
    // The crash: a previous run had recorded batches 0-2 as one insert and the insert landed, but the
    // process died before it deleted their files. Without the record, the next run would combine
    // batches 0-4 under a new token and store 0-2 twice.
    const c = await restartAfterLandedGroup(spoolDir, files, 'crashed-group', false);
    try {
      expect(await countsPerBatch(c, 'crash-svc')).toEqual([['0', 100], ['1', 100], ['2', 100], ['3', 100], ['4', 100]]);
      expect(inserts).toEqual([300, 100, 100]); // the recorded group, then the other recovered batches one by one
      expect(readdirSync(spoolDir).filter((f) => f.endsWith('.spool') || f === 'insert-group.json')).toEqual([]);
    } finally {
      await c.stop();
    }
  });

  it('do not insert again what is left of a recorded group whose files were partly deleted', async () => {
    const spoolDir = join(tmp.dir, 'spool-partial');
    const files = await spoolBatches('partial-svc', 4, spoolDir);
    // deletion had begun: the group's insert had succeeded
    const c = await restartAfterLandedGroup(spoolDir, files, 'landed-group', true);
    try {
      expect(await countsPerBatch(c, 'partial-svc')).toEqual([['0', 100], ['1', 100], ['2', 100], ['3', 100]]);
      expect(inserts).toEqual([100]);
    } finally {
      await c.stop();
    }
  });
});
