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
  it('hands ranges out in push order across growth and wrap-around; markers only, in place', () => {
    const q = new RangeQueue(16);
    const buf = new Uint8Array(8);
    const marker = new QueuedBytesMarker(resource, scope);
    let pushed = 0;
    let taken = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 37 + round; i++, pushed++) q.push(buf, pushed, pushed + 1 + (pushed % 5));
      q.popLast(); // the last one refused by the queue
      pushed--;
      const plain = { not: 'a marker' };
      const batch: unknown[] = [plain, ...Array.from({ length: 30 }, () => marker)];
      const bytes = q.materialize(batch);
      expect(batch[0]).toBe(plain);
      const got = batch.slice(1) as EncodedLogRecord[];
      expect(got.map((r) => r.start)).toEqual(Array.from({ length: 30 }, (_, k) => taken + k));
      expect(got.every((r) => r instanceof EncodedLogRecord && r.buf === buf && r.instrumentationScope === scope && r.end === r.start + 1 + (r.start % 5))).toBe(true);
      expect(bytes).toBe(got.reduce((n, r) => n + r.end - r.start, 0));
      taken += 30;
      expect(q.length).toBe(pushed - taken);
    }
  });

  it('refuses a batch with more markers than ranges: nothing handed out, every range dropped', () => {
    const q = new RangeQueue();
    q.push(new Uint8Array(4), 0, 4);
    const batch: unknown[] = [new QueuedBytesMarker(resource, scope), new QueuedBytesMarker(resource, scope)];
    expect(q.materialize(batch)).toBe(-1);
    expect(batch.every((r) => r instanceof QueuedBytesMarker)).toBe(true);
    expect(q.length).toBe(0);
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
