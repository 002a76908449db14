import { afterEach, describe, expect, it } from 'vitest';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, type LogRecordProcessor } from '@opentelemetry/sdk-logs';
import { EncodedLogRecord } from '../../src/exporter/EncodedLogRecord.ts';
import { encodedBytes, PreEncodeProcessor } from '../../src/exporter/PreEncodeProcessor.ts';
import { QueuedBytesMarker } from '../../src/exporter/RangeQueue.ts';
import { decodeExportLogsRequest } from '../../src/otlp/decode-logs.ts';
import { QueueStats } from '../../src/sdk/QueueStats.ts';
import { getLogger } from '../../src/sdk/logger.ts';
import { registerLogging, type LoggingHandle } from '../../src/sdk/register.ts';
import { releasePipeline, startRecordingServer, type RecordingServer } from '../helpers/recording-server.ts';

let handle: LoggingHandle | undefined;
let server: RecordingServer | undefined;
afterEach(async () => {
  [handle, server] = await releasePipeline(handle, server);
});

/** The `i` attribute of every record the server received, in order. */
function received(): number[] {
  return server!.requests.flatMap((b) =>
    decodeExportLogsRequest(b).resourceLogs.flatMap((rl) =>
      rl.scopeLogs.flatMap((sl) => sl.logRecords.map((r) => Number((r.attributes.find((a) => a.key === 'i')?.value as { intValue?: bigint } | undefined)?.intValue))),
    ),
  );
}

/** Runs `f` with process.stderr captured; returns what was written. */
async function stderrOf(f: () => Promise<void>): Promise<string> {
  const write = process.stderr.write;
  let out = '';
  process.stderr.write = ((chunk: string | Uint8Array) => ((out += String(chunk)), true)) as typeof write;
  try {
    await f();
  } finally {
    process.stderr.write = write;
  }
  return out;
}

/** Lengths of the consecutive `ScopeLogs.log_records` entries (tag 0x12, one- or two-byte length) in `bytes`. */
function decodeLengths(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let p = 0; p < bytes.length; ) {
    expect(bytes[p]).toBe(0x12);
    let len = bytes[p + 1];
    let q = p + 2;
    if (len & 0x80) len = (len & 0x7f) | (bytes[q++] << 7);
    out.push(len);
    p = q + len;
  }
  return out;
}

const STACK = 'at handler (/srv/app/routes/orders.js:42:13)\n'.repeat(180); // ~8 KB, a deep stack trace

describe('the queue of encoded records is bounded in bytes too (batch.maxQueueBytes)', () => {
  it('a stalled collector and 8 KB records: memory stays under the bound, drops are counted and reported, the rest is delivered in order', async () => {
    server = await startRecordingServer();
    server.hold();
    const maxQueueBytes = 256 * 1024;
    const stderr = await stderrOf(async () => {
      handle = registerLogging({ endpoint: server!.endpoint, flushOnExit: false, dropReportIntervalMs: 0, batch: { maxQueueBytes, maxExportBatchSize: 10 } });
      const log = getLogger('bytes.stall');
      for (let i = 0; i < 200; i++) log.error('checkout failed', { i, 'exception.stacktrace': STACK });
      const s = handle.stats();
      // Nothing has reached the collector: every record that was not dropped is waiting (in the
      // queue, or taken by the processor for an export that has not started), and their bytes
      // fill the bound but for less than one record.
      const kept = 200 - s.dropped;
      const perRecord = s.queuedBytes / kept;
      expect(s.emitted).toBe(200);
      expect(perRecord).toBeGreaterThan(STACK.length);
      expect(perRecord).toBeLessThan(STACK.length + 200);
      expect(s.queuedBytes).toBeLessThanOrEqual(maxQueueBytes);
      expect(s.queuedBytes + perRecord).toBeGreaterThan(maxQueueBytes);
      expect(s.queued).toBeLessThanOrEqual(kept); // far from the 131072 records the count bound allows
      // The queue drains into exports that stall at the collector (up to 16 calls in flight): their
      // bytes still count, so records logged now are dropped too.
      const deadline = Date.now() + 5000;
      while ((handle.stats().queued > 0 || server!.heldCalls() < Math.ceil(kept / 10)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(handle.stats()).toMatchObject({ queued: 0, exported: kept, queuedBytes: s.queuedBytes });
      for (let i = 0; i < 5; i++) log.error('checkout failed', { i: 1000 + i, 'exception.stacktrace': STACK });
      expect(handle.stats().dropped).toBe(s.dropped + 5);
      server!.release();
      await handle.forceFlush();
    });
    const s = handle!.stats();
    expect(s).toMatchObject({ emitted: 205, exported: 205 - s.dropped, failed: 0, queued: 0, queuedBytes: 0 });
    expect(received()).toEqual(Array.from({ length: 205 - s.dropped }, (_, i) => i));
    expect(stderr).toContain(`logq: log queue full (maxQueueSize=131072 records or maxQueueBytes=${maxQueueBytes}): `);
    expect(stderr).toContain(`${s.dropped} record(s) dropped so far`);

    // The bytes came back: once delivered, as many records fit again.
    const log = getLogger('bytes.stall');
    for (let i = 200; i < 230; i++) log.error('checkout failed', { i, 'exception.stacktrace': STACK });
    await handle!.forceFlush();
    expect(handle!.stats()).toMatchObject({ emitted: 235, dropped: s.dropped, queuedBytes: 0 });
    expect(received().slice(-30)).toEqual(Array.from({ length: 30 }, (_, i) => 200 + i));
  });

  it('records the full queue (in records) drops give their bytes back', async () => {
    server = await startRecordingServer();
    server.hold();
    handle = registerLogging({ endpoint: server.endpoint, flushOnExit: false, dropReportIntervalMs: 3_600_000, batch: { maxQueueSize: 20, maxExportBatchSize: 20, scheduledDelayMillis: 60_000 } });
    const log = getLogger('bytes.count');
    // One turn: 20 leave in one export, 20 wait, 60 find the queue full.
    for (let i = 200; i < 300; i++) log.info('order placed', { i });
    const s = handle.stats();
    expect(s).toMatchObject({ emitted: 100, dropped: 60, queued: 20 });
    expect(s.queuedBytes % 20).toBe(0); // 20 records of the same size, and nothing else counted
    expect(s.queuedBytes / 20).toBeGreaterThan(20);
    expect(s.queuedBytes / 20).toBeLessThan(120);
    server.release();
    await handle.forceFlush();
    expect(handle.stats()).toMatchObject({ exported: 40, dropped: 60, queued: 0, queuedBytes: 0 });
  });
});

describe('forceFlush', () => {
  it('waits for exports still in flight, not only for what is left in the queue', async () => {
    server = await startRecordingServer();
    server.hold();
    handle = registerLogging({ endpoint: server.endpoint, flushOnExit: false, batch: { maxExportBatchSize: 10 } });
    const log = getLogger('flush.inflight');
    for (let i = 0; i < 20; i++) log.info('order placed', { i });
    // Both batches leave the queue and stall at the collector.
    const deadline = Date.now() + 5000;
    while ((handle.stats().queued > 0 || server.heldCalls() < 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(handle.stats()).toMatchObject({ queued: 0 });
    let flushed = false;
    const flushing = handle.forceFlush().then(() => void (flushed = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(flushed).toBe(false);
    server.release();
    await flushing;
    expect(received()).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(handle.stats()).toMatchObject({ exported: 20, failed: 0, queuedBytes: 0 });
  });
});

describe('forceFlush while another flush runs', () => {
  it('returns only once the records logged before it are exported too', async () => {
    server = await startRecordingServer();
    server.hold();
    handle = registerLogging({ endpoint: server.endpoint, flushOnExit: false, batch: { maxExportBatchSize: 10, scheduledDelayMillis: 60_000 } });
    const log = getLogger('flush.twice');
    for (let i = 0; i < 10; i++) log.info('r', { i });
    const first = handle.forceFlush(); // takes 0..9, stalls at the collector
    while (server.heldCalls() < 1) await new Promise((r) => setTimeout(r, 5));
    for (let i = 10; i < 15; i++) log.info('r', { i }); // logged during the first flush
    let secondDone = false;
    const second = handle.forceFlush().then(() => void (secondDone = true));
    const third = handle.forceFlush(); // joins the second: nothing was logged in between
    await new Promise((r) => setTimeout(r, 20));
    expect(secondDone).toBe(false);
    server.release();
    await first;
    await second;
    // The SDK's queue ignored a flush while one ran: 10..14 waited for the 60 s timer.
    expect([...received()].sort((a, b) => a - b)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(handle.stats()).toMatchObject({ emitted: 15, exported: 15, queued: 0, queuedBytes: 0 });
    await third;
  });
});

describe('shutdown', () => {
  it('during a forceFlush still delivers the records queued meanwhile', async () => {
    server = await startRecordingServer();
    server.hold();
    handle = registerLogging({ endpoint: server.endpoint, flushOnExit: false, batch: { maxExportBatchSize: 10, scheduledDelayMillis: 60_000 } });
    const log = getLogger('shutdown.flush');
    for (let i = 0; i < 10; i++) log.info('r', { i }); // one export, stalled at the collector
    while (server.heldCalls() < 1) await new Promise((r) => setTimeout(r, 5));
    for (let i = 10; i < 15; i++) log.info('r', { i });
    const flushing = handle.forceFlush(); // takes 10..14 and waits for the stalled call
    await new Promise((r) => setTimeout(r, 20));
    for (let i = 15; i < 20; i++) log.info('r', { i }); // queued while the flush runs
    const stopping = handle.shutdown();
    await new Promise((r) => setTimeout(r, 20));
    server.release();
    await flushing;
    await stopping;
    expect([...received()].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(handle.stats()).toMatchObject({ emitted: 20, exported: 20, dropped: 0, failed: 0, queuedBytes: 0 });
    handle = undefined;
  });
});

describe('PreEncodeProcessor byte bound', () => {
  it("drops a record over the bound, counts it, and reuses its place in the chunk; release() frees what a finished export held", () => {
    const seen: unknown[] = [];
    const downstream: LogRecordProcessor = { onEmit: (r) => void seen.push(r), forceFlush: async () => {}, shutdown: async () => {} };
    const stats = new QueueStats();
    const encoder = new PreEncodeProcessor(downstream, { maxQueueBytes: 4096, drops: stats });
    const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'b' }), processors: [encoder] });
    const logger = provider.getLogger('b');
    logger.emit({ body: 'small one' });
    logger.emit({ body: 'x'.repeat(5000) }); // alone over the bound
    logger.emit({ body: 'small two' });
    expect(stats.counts.dropped).toBe(1);
    expect(seen).toHaveLength(2);
    // With a drop counter the queue gets the scope's shared marker; the bytes wait in order.
    expect(seen[0]).toBeInstanceOf(QueuedBytesMarker);
    expect(seen[1]).toBe(seen[0]);
    const seen0 = seen[0];
    expect(encoder.materialize(seen)).toBe(true);
    // The dropped record's bytes were given back: the two kept records are adjacent in the chunk,
    // so they leave as one run (the second entry is the marker's zero-length filler).
    const [run, filler] = seen as EncodedLogRecord[];
    expect(run).toBeInstanceOf(EncodedLogRecord);
    expect(filler).toBe((seen0 as QueuedBytesMarker).filler);
    expect(filler.end - filler.start).toBe(0);
    const sizes = [run.buf.subarray(run.start, run.end)].map((bytes) => decodeLengths(bytes));
    expect(sizes[0]).toHaveLength(2);
    expect(encoder.queuedBytes).toBe(run.end - run.start);
    encoder.release(encodedBytes([run, filler]));
    expect(encoder.queuedBytes).toBe(0);
  });
});
