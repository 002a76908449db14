import { afterEach, describe, expect, it } from 'vitest';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { InMemoryLogRecordExporter, type LogRecordExporter, type LogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { getLogger } from '../../src/sdk/logger.ts';
import { registerLogging, type LoggingHandle, type RegisterLoggingOptions } from '../../src/sdk/register.ts';

/** The SDK's in-memory exporter behind a gate: exports wait until released, so the queue fills deterministically. */
class GatedMemoryExporter implements LogRecordExporter {
  readonly memory = new InMemoryLogRecordExporter();
  private readonly waiting: (() => void)[] = [];
  private open = false;
  release(): void {
    this.open = true;
    for (const go of this.waiting.splice(0)) go();
  }
  export(records: ReadableLogRecord[], done: (r: ExportResult) => void): void {
    const go = () => this.memory.export(records, done);
    if (this.open) go();
    else this.waiting.push(go);
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {
    this.release();
  }
}

let handle: LoggingHandle | undefined;
let gate: GatedMemoryExporter | undefined;
afterEach(async () => {
  gate?.release(); // a failed test must not leave shutdown waiting for a gated export
  await handle?.shutdown();
  handle = undefined;
});

function overflowRun(options: RegisterLoggingOptions) {
  const gated = new GatedMemoryExporter();
  gate = gated;
  handle = registerLogging({
    exporter: gated,
    flushOnExit: false,
    dropReportIntervalMs: 1e9,
    batch: { maxQueueSize: 10, maxExportBatchSize: 10, scheduledDelayMillis: 60_000 },
    ...options,
  });
  const log = getLogger('overflow');
  // 10 go to the gated export, 10 wait in the queue, the last 15 find it full.
  for (let i = 0; i < 35; i++) log.info(`n${i}`, { i, password: 'p' });
  return gated;
}

describe('a full queue', () => {
  it('drops (and counts) exactly what the queue refuses; the records before it arrive, redacted', async () => {
    const gated = overflowRun({});
    expect(handle!.stats()).toMatchObject({ emitted: 35, dropped: 15, queued: 10 });
    gated.release();
    await handle!.forceFlush();
    expect(handle!.stats()).toMatchObject({ emitted: 35, dropped: 15, exported: 20, queued: 0 });
    const got = gated.memory.getFinishedLogRecords();
    expect(got.map((r) => r.body)).toEqual(Array.from({ length: 20 }, (_, i) => `n${i}`));
    expect(got.every((r) => r.attributes.password === '[REDACTED]')).toBe(true);
  });

  it("processors of the app still see every record, also those the queue then drops; the counts are the same", async () => {
    const seen: string[] = [];
    const watcher: LogRecordProcessor = { onEmit: (r) => void seen.push(String(r.body)), forceFlush: async () => {}, shutdown: async () => {} };
    const gated = overflowRun({ processors: [watcher] });
    expect(seen).toHaveLength(35);
    expect(handle!.stats()).toMatchObject({ emitted: 35, dropped: 15, queued: 10 });
    gated.release();
    await handle!.forceFlush();
    expect(gated.memory.getFinishedLogRecords()).toHaveLength(20);
  });

  it('a filter still decides before the queue: filtered records are neither emitted nor dropped', async () => {
    const gated = overflowRun({ filter: (r) => Number(r.attributes.i) % 5 !== 0 });
    expect(handle!.stats()).toMatchObject({ emitted: 28, dropped: 8, queued: 10 });
    gated.release();
    await handle!.forceFlush();
    expect(gated.memory.getFinishedLogRecords()).toHaveLength(20);
  });
});
