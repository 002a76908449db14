import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { GrpcLogExporter } from '../../src/exporter/GrpcLogExporter.ts';
import { resolveBatchOptions } from '../../src/sdk/batch-config.ts';
import { getLogger } from '../../src/sdk/logger.ts';
import { registerLogging } from '../../src/sdk/register.ts';
import { queryRows, startTestCollector, tempDir } from '../helpers/collector.ts';

const tmp = tempDir('logq-sdk-queue-');
let collector: Awaited<ReturnType<typeof startTestCollector>>;
beforeAll(async () => {
  collector = await startTestCollector(tmp.dir);
});
afterAll(async () => {
  await collector.stop();
  tmp.cleanup();
});

/**
 * Fault injected on purpose around the REAL gRPC exporter: exports wait at a gate, as they would
 * behind a slow network, so the queue fills deterministically.
 */
class GatedExporter implements LogRecordExporter {
  private open = false;
  private readonly waiting: (() => void)[] = [];
  readonly inner: GrpcLogExporter;
  constructor(inner: GrpcLogExporter) {
    this.inner = inner;
  }
  release() {
    this.open = true;
    for (const go of this.waiting.splice(0)) go();
  }
  export(records: ReadableLogRecord[], done: (r: ExportResult) => void) {
    const go = () => this.inner.export(records, done);
    if (this.open) go();
    else this.waiting.push(go);
  }
  forceFlush() {
    return this.inner.forceFlush();
  }
  shutdown() {
    return this.inner.shutdown();
  }
}

/** Rows of a scope once the collector has shipped them (it acks on spool fsync, then inserts). */
async function countRows(scope: string, expected: number): Promise<number> {
  let n = await countNow(scope);
  for (let i = 0; i < 100 && n < expected; i++) {
    await new Promise((r) => setTimeout(r, 100));
    n = await countNow(scope);
  }
  return n;
}

async function countNow(scope: string): Promise<number> {
  const [row] = await queryRows<{ n: string }>(collector, 'SELECT count() AS n FROM otel.otel_logs WHERE ScopeName = {scope:String}', { scope });
  return Number(row.n);
}

describe('queue overflow', () => {
  it('a burst beyond the queue reports the exact number dropped, on stats() and once on stderr; the rest arrive', async () => {
    const gated = new GatedExporter(new GrpcLogExporter({ endpoint: collector.grpcEndpoint }));
    const lines: string[] = [];
    const realWrite = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      lines.push(String(chunk));
      return (realWrite as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stderr.write;
    const handle = registerLogging({
      exporter: gated,
      flushOnExit: false,
      batch: { maxQueueSize: 100, maxExportBatchSize: 100, scheduledDelayMillis: 60_000 },
    });
    try {
      const log = getLogger('burst');
      // 100 go to the (gated) export, 100 wait in the queue, the last 57 find it full.
      for (let i = 0; i < 257; i++) log.info(`burst ${i}`);
      const during = handle.stats();
      expect(during.emitted).toBe(257);
      expect(during.dropped).toBe(57);
      expect(during.queued).toBe(100);
      gated.release();
      await handle.forceFlush();
      const after = handle.stats();
      expect(after).toMatchObject({ emitted: 257, dropped: 57, exported: 200, failed: 0, queued: 0 });
      expect(await countRows('burst', 200)).toBe(200);
    } finally {
      await handle.shutdown();
      process.stderr.write = realWrite;
    }
    const dropLines = lines.filter((l) => l.includes('log queue full'));
    // Rate-limited: 57 drops, one line at the first drop, and the total at shutdown.
    expect(dropLines).toEqual([
      'logq: log queue full (maxQueueSize=100): 1 record(s) dropped so far\n',
      'logq: log queue full (maxQueueSize=100): 57 record(s) dropped so far\n',
    ]);
  });
});

describe('batch settings', () => {
  it('come from options, then OTEL_BLRP_* env vars, then the spec defaults; bad values warn', () => {
    const warnings: string[] = [];
    const warn = (m: string) => void warnings.push(m);
    const mib64 = 64 * 1024 * 1024;
    expect(resolveBatchOptions({}, {}, warn)).toEqual({ maxQueueSize: 65536, maxExportBatchSize: 4096, scheduledDelayMillis: 200, exportTimeoutMillis: 30000, maxQueueBytes: mib64 });
    const env = { OTEL_BLRP_MAX_QUEUE_SIZE: '5000', OTEL_BLRP_SCHEDULE_DELAY: '250', OTEL_BLRP_EXPORT_TIMEOUT: 'soon', OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '100', LOGQ_MAX_QUEUE_BYTES: '1e6' };
    expect(resolveBatchOptions({ maxExportBatchSize: 64 }, env, warn)).toEqual({ maxQueueSize: 5000, maxExportBatchSize: 64, scheduledDelayMillis: 250, exportTimeoutMillis: 30000, maxQueueBytes: 1_000_000 });
    expect(warnings).toEqual(['logq: OTEL_BLRP_EXPORT_TIMEOUT="soon": expected a positive integer; using 30000']);
    warnings.length = 0;
    expect(resolveBatchOptions({ maxQueueBytes: 0 }, { LOGQ_MAX_QUEUE_BYTES: '64MB' }, warn).maxQueueBytes).toBe(mib64);
    expect(warnings).toEqual([
      'logq: option batch.maxQueueBytes is 0: expected a positive integer; using the environment or default',
      `logq: LOGQ_MAX_QUEUE_BYTES="64MB": expected a positive integer; using ${mib64}`,
    ]);
    warnings.length = 0;
    expect(resolveBatchOptions({ maxQueueSize: 10, maxExportBatchSize: 50 }, {}, warn).maxExportBatchSize).toBe(10);
    expect(warnings[0]).toMatch(/maxExportBatchSize 50 > maxQueueSize 10; using 10/);
    // A default batch size follows a smaller queue without a warning (nothing was set wrong).
    warnings.length = 0;
    expect(resolveBatchOptions({}, { OTEL_BLRP_MAX_QUEUE_SIZE: '3000' }, warn).maxExportBatchSize).toBe(3000);
    expect(resolveBatchOptions({ maxQueueSize: 100 }, {}, warn).maxExportBatchSize).toBe(100);
    expect(warnings).toEqual([]);
    expect(resolveBatchOptions({ maxQueueSize: 100 }, { OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '200' }, warn).maxExportBatchSize).toBe(100);
    expect(warnings).toHaveLength(1);
  });
});
