import { describe, expect, it } from 'vitest';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { EncodedLogRecord } from '../../src/exporter/EncodedLogRecord.ts';
import { encodeLogRecords } from '../../src/exporter/encode-records.ts';
import { materializing, PreEncodeProcessor } from '../../src/exporter/PreEncodeProcessor.ts';
import { QueuedBytesMarker, RangeQueue } from '../../src/exporter/RangeQueue.ts';
import { decodeExportLogsRequest } from '../../src/otlp/decode-logs.ts';
import { ProtoWriter } from '../../src/otlp/ProtoWriter.ts';
import { QueueStats } from '../../src/sdk/QueueStats.ts';

const resource = resourceFromAttributes({ 'service.name': 'rq' });
const scope = { name: 's' };

describe('RangeQueue', () => {
  it('hands ranges out in push order across growth and wrap-around: adjacent ranges of one scope as one run, in place', () => {
    const q = new RangeQueue(16);
    const chunks = [new Uint8Array(4096), new Uint8Array(4096)];
    const a = new QueuedBytesMarker(resource, scope);
    const b = new QueuedBytesMarker(resource, { name: 'other' });
    // Each range's bytes spell its number; ranges alternate between two chunks every 7 and skip a byte every 11.
    const pushedBy = new Map<QueuedBytesMarker, number[]>();
    const markers: QueuedBytesMarker[] = [];
    const pos = [0, 0];
    let n = 0;
    const pushOne = () => {
      const c = Math.floor(n / 7) % 2;
      if (n % 11 === 0) pos[c]++;
      if (pos[c] > 4000) pos[c] = 0;
      chunks[c][pos[c]] = n & 0xff;
      q.push(chunks[c], pos[c], pos[c] + 1);
      pos[c]++;
      const m = n % 13 === 0 ? b : a;
      markers.push(m);
      pushedBy.set(m, [...(pushedBy.get(m) ?? []), n & 0xff]);
      n++;
    };
    const got = new Map<QueuedBytesMarker, number[]>();
    let taken = 0;
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 37 + round; i++) pushOne();
      q.popLast(); // the last one refused by the queue
      n--;
      const refused = markers.pop()!;
      pushedBy.get(refused)!.pop();
      const plain = { not: 'a marker' };
      const batch: unknown[] = [plain, ...markers.slice(taken, taken + 30)];
      const bytes = q.materialize(batch);
      expect(batch[0]).toBe(plain);
      let sum = 0;
      batch.slice(1).forEach((r, k) => {
        expect(r).toBeInstanceOf(EncodedLogRecord);
        const e = r as EncodedLogRecord;
        const m = markers[taken + k];
        expect(e.instrumentationScope).toBe(m.instrumentationScope);
        if (e.end === e.start) expect(e).toBe(m.filler);
        got.set(m, [...(got.get(m) ?? []), ...e.buf.subarray(e.start, e.end)]);
        sum += e.end - e.start;
      });
      expect(bytes).toBe(sum);
      taken += 30;
      expect(q.length).toBe(n - taken);
    }
    // Per scope, every byte in push order (ranges of one scope never merge across another's).
    for (const m of [a, b]) expect(got.get(m)).toEqual(pushedBy.get(m)!.slice(0, got.get(m)!.length));
    expect((got.get(a)?.length ?? 0) + (got.get(b)?.length ?? 0)).toBe(taken);
  });

  it('refuses a batch with more markers than ranges: nothing handed out or consumed', () => {
    const q = new RangeQueue();
    q.push(new Uint8Array(4), 0, 4);
    const batch: unknown[] = [new QueuedBytesMarker(resource, scope), new QueuedBytesMarker(resource, scope)];
    expect(q.materialize(batch)).toBe(-1);
    expect(batch.every((r) => r instanceof QueuedBytesMarker)).toBe(true);
    expect(q.length).toBe(1);
    expect(q.reset()).toBe(4);
    expect(q.length).toBe(0);
    expect(q.generation).toBe(1);
  });
});

describe('PreEncodeProcessor with the queue of the SDK (markers, bytes kept in order)', () => {
  it('a batch that does not match the bytes waiting fails with an error naming it, and never reaches the exporter', () => {
    const seen: unknown[] = [];
    const inner: LogRecordExporter = { export: (r) => void seen.push(r), forceFlush: async () => {}, shutdown: async () => {} };
    const encoder = new PreEncodeProcessor({ onEmit: () => {}, forceFlush: async () => {}, shutdown: async () => {} }, { drops: new QueueStats() });
    const results: { code: number; error?: Error }[] = [];
    materializing(inner, () => encoder).export([new QueuedBytesMarker(resource, scope) as never], (r) => void results.push(r));
    expect(seen).toEqual([]);
    expect(results).toHaveLength(1);
    expect(results[0].code).toBe(1); // FAILED
    expect(results[0].error?.message).toMatch(/a batch of 1 records did not match the encoded bytes waiting/);
  });

  it('after a mismatch, markers made before it fail their batch, the bytes count stays exact, and new records ship', () => {
    const seen: unknown[] = [];
    const stats = new QueueStats();
    const encoder = new PreEncodeProcessor({ onEmit: (r) => void seen.push(r), forceFlush: async () => {}, shutdown: async () => {} }, { drops: stats });
    const logger = new LoggerProvider({ resource, processors: [encoder] }).getLogger('m');
    logger.emit({ body: 'one' });
    logger.emit({ body: 'two' });
    const old = seen[0] as QueuedBytesMarker;
    // A batch claiming three records when two wait: refused, every waiting byte dropped from the count.
    expect(encoder.materialize([old, old, old])).toBe(false);
    expect(encoder.queuedBytes).toBe(0);
    logger.emit({ body: 'three' });
    const fresh = seen[2] as QueuedBytesMarker;
    expect(fresh).not.toBe(old);
    // The old markers still in the queue: their batch fails and gives back what it took.
    const mixed: unknown[] = [old, fresh];
    expect(encoder.materialize(mixed)).toBe(false);
    expect(mixed[0]).toBe(old.filler);
    expect(encoder.queuedBytes).toBe(0);
    logger.emit({ body: 'four' });
    const batch: unknown[] = [seen[3]];
    expect(encoder.materialize(batch)).toBe(true);
    const [r] = batch as EncodedLogRecord[];
    const body = decodeExportLogsRequest(encodeLogRecords([r as never], new ProtoWriter())).resourceLogs[0].scopeLogs[0].logRecords[0].body;
    expect((body as { stringValue: string }).stringValue).toBe('four');
    expect(encoder.queuedBytes).toBe(r.end - r.start);
  });

  it('two scopes interleaved, a queue that drops by count: each exported record has its own bytes and scope', async () => {
    const batches: ReadableLogRecord[][] = [];
    const capture: LogRecordExporter = { export: (r, done) => void (batches.push([...r]), done({ code: 0 })), forceFlush: async () => {}, shutdown: async () => {} };
    const stats = new QueueStats();
    let encoder: PreEncodeProcessor | undefined;
    const queue = new BatchLogRecordProcessor({ exporter: materializing(capture, () => encoder), maxQueueSize: 8, maxExportBatchSize: 4, scheduledDelayMillis: 60_000, selfObsMeterProvider: stats });
    encoder = new PreEncodeProcessor(queue, { drops: stats });
    const provider = new LoggerProvider({ resource, processors: [encoder] });
    const a = provider.getLogger('a');
    const b = provider.getLogger('b');
    // One turn: 4 leave in an export at the 4th, 8 wait, the rest find the queue full.
    for (let i = 0; i < 20; i++) (i % 3 ? a : b).emit({ body: `r${i}`, attributes: { i } });
    expect(stats.counts.dropped).toBe(8);
    await provider.forceFlush();
    // After the drops: the bytes of dropped records must not be handed to later ones.
    for (let i = 20; i < 26; i++) (i % 3 ? a : b).emit({ body: `r${i}`, attributes: { i } });
    await provider.forceFlush();
    const shipped = batches.flatMap((batch) => {
      expect(batch.every((r) => r instanceof EncodedLogRecord)).toBe(true);
      return decodeExportLogsRequest(encodeLogRecords(batch, new ProtoWriter())).resourceLogs.flatMap((rl) =>
        rl.scopeLogs.flatMap((sl) => sl.logRecords.map((r) => `${sl.scope.name}:${(r.body as { stringValue: string }).stringValue}`)),
      );
    });
    const expected = [...Array.from({ length: 12 }, (_, i) => i), 20, 21, 22, 23, 24, 25].map((i) => `${i % 3 ? 'a' : 'b'}:r${i}`);
    // Grouped by scope in each request, in emit order within a scope.
    for (const name of ['a', 'b']) expect(shipped.filter((r) => r.startsWith(`${name}:`))).toEqual(expected.filter((r) => r.startsWith(`${name}:`)));
    expect(shipped).toHaveLength(18);
    expect(encoder.queuedBytes).toBe(batches.flat().reduce((n, r) => n + (r as unknown as EncodedLogRecord).end - (r as unknown as EncodedLogRecord).start, 0));
    await provider.shutdown();
  });
});
