import * as grpc from '@grpc/grpc-js';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { GrpcLogExporter } from '../../src/exporter/GrpcLogExporter.ts';
import { PipelinedLogExporter } from '../../src/exporter/PipelinedLogExporter.ts';
import { countLogRecords } from '../../src/otlp/count-logs.ts';
import { encodeExportLogsResponse } from '../../src/otlp/encode-response.ts';
import { LOGS_SERVICE_DEFINITION } from '../../src/otlp/service.ts';

/** A real OTLP/gRPC server on 127.0.0.1 that holds each call until `release()` (or answers with `failWith`). */
async function slowSink(failWith?: grpc.status) {
  let records = 0;
  let active = 0;
  let maxActive = 0;
  const held: (() => void)[] = [];
  const server = new grpc.Server();
  server.addService(
    LOGS_SERVICE_DEFINITION,
    {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        active++;
        maxActive = Math.max(maxActive, active);
        held.push(() => {
          active--;
          if (failWith !== undefined) cb({ code: failWith, details: 'refused by test sink' });
          else {
            records += countLogRecords(call.request);
            cb(null, encodeExportLogsResponse());
          }
        });
      },
    },
  );
  const port = await new Promise<number>((res, rej) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))),
  );
  return {
    endpoint: `http://127.0.0.1:${port}`,
    records: () => records,
    maxActive: () => maxActive,
    held: () => held.length,
    releaseAll: () => {
      for (const r of held.splice(0)) r();
    },
    /** Answers the oldest held call only. */
    releaseOldest: () => held.shift()?.(),
    close: () => server.forceShutdown(),
  };
}

/** Waits (event-loop turns, no wall-clock assertion) until `cond` holds. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`never happened: ${what}`);
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function pipeline(endpoint: string, maxInFlight: number, onFailed?: (n: number) => void) {
  const exporter = new PipelinedLogExporter(new GrpcLogExporter({ endpoint, timeoutMillis: 20_000 }), { maxInFlight, onFailed });
  const provider = new LoggerProvider({
    processors: [new BatchLogRecordProcessor({ exporter, maxQueueSize: 10_000, maxExportBatchSize: 100, scheduledDelayMillis: 5 })],
  });
  cleanups.push(() => provider.shutdown());
  return { exporter, provider, logger: provider.getLogger('test') };
}

describe('PipelinedLogExporter', () => {
  it('keeps several exports in flight and delivers every record by forceFlush', async () => {
    const sink = await slowSink();
    cleanups.push(sink.close);
    const { exporter, provider, logger } = pipeline(sink.endpoint, 3);
    for (let i = 0; i < 1000; i++) logger.emit({ body: `r${i}`, attributes: { i } });
    // The BatchLogRecordProcessor alone would wait for the first answer: the sink would hold 1 call.
    await until(() => sink.held() === 3, 'three calls held by the sink at once');
    const flushed = provider.forceFlush();
    await until(() => {
      sink.releaseAll();
      return sink.records() === 1000;
    }, 'all records delivered');
    await flushed;
    expect(sink.records()).toBe(1000);
    expect(sink.maxActive()).toBe(3);
    expect(exporter.peakInFlight).toBe(3);
    expect(exporter.failedRecords).toBe(0);
  });

  it('forceFlush waits for the exports in flight when it was called, not for exports started after it', async () => {
    const sink = await slowSink();
    cleanups.push(sink.close);
    const exporter = new PipelinedLogExporter(new GrpcLogExporter({ endpoint: sink.endpoint, timeoutMillis: 20_000 }), { maxInFlight: 4 });
    cleanups.push(() => exporter.shutdown().catch(() => {}));
    const record = () => [{ body: 'x', attributes: {}, resource: { attributes: {} }, instrumentationScope: { name: 's' }, hrTime: [0, 0], hrTimeObserved: [0, 0], severityNumber: 9, droppedAttributesCount: 0 }] as never;
    exporter.export(record(), () => {});
    await until(() => sink.held() === 1, 'the first call held');
    let flushed = false;
    const flushing = exporter.forceFlush().then(() => void (flushed = true));
    // An app that keeps logging: another export starts while the flush waits.
    exporter.export(record(), () => {});
    await until(() => sink.held() === 2, 'the second call held');
    sink.releaseOldest();
    await flushing;
    expect(flushed).toBe(true);
    expect(sink.held()).toBe(1); // the later export is still in flight
    expect(sink.records()).toBe(1);
    sink.releaseAll();
  });

  it('never exceeds maxInFlight', async () => {
    const sink = await slowSink();
    cleanups.push(sink.close);
    const { provider, logger } = pipeline(sink.endpoint, 2);
    for (let i = 0; i < 1000; i++) logger.emit({ body: `r${i}` });
    await until(() => sink.held() === 2, 'two calls held');
    // Give the processor turns to try more while both slots are taken.
    await new Promise((r) => setTimeout(r, 100));
    expect(sink.held()).toBe(2);
    const flushed = provider.forceFlush();
    await until(() => {
      sink.releaseAll();
      return sink.records() === 1000;
    }, 'all records delivered');
    await flushed;
    expect(sink.maxActive()).toBe(2);
  });

  it('counts and reports records whose export failed after it was acknowledged', async () => {
    const sink = await slowSink(grpc.status.INVALID_ARGUMENT);
    cleanups.push(sink.close);
    const reported: number[] = [];
    const { exporter, provider, logger } = pipeline(sink.endpoint, 4, (n) => reported.push(n));
    for (let i = 0; i < 250; i++) logger.emit({ body: `r${i}` });
    const flushed = provider.forceFlush();
    await until(() => {
      sink.releaseAll();
      return exporter.failedRecords === 250;
    }, 'all failures counted');
    await flushed;
    expect(exporter.failedRecords).toBe(250);
    expect(reported.reduce((a, b) => a + b, 0)).toBe(250);
  });
});
