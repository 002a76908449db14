import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { EncodedLogRecord } from '../../src/exporter/EncodedLogRecord.ts';
import { GrpcLogExporter } from '../../src/exporter/GrpcLogExporter.ts';
import { PipelinedLogExporter } from '../../src/exporter/PipelinedLogExporter.ts';
import { encodeLogRecords, writeLogRecord } from '../../src/exporter/encode-records.ts';
import { splitForRequests } from '../../src/exporter/split-request.ts';
import { decodeExportLogsRequest } from '../../src/otlp/decode-logs.ts';
import { encodeExportLogsResponse } from '../../src/otlp/encode-response.ts';
import { ProtoWriter } from '../../src/otlp/ProtoWriter.ts';
import { LOGS_EXPORT_PATH, passThrough } from '../../src/otlp/service.ts';
import { getLogger } from '../../src/sdk/logger.ts';
import { registerLogging, type LoggingHandle } from '../../src/sdk/register.ts';
import { releasePipeline, startRecordingServer, type RecordingServer } from '../helpers/recording-server.ts';

const resource = resourceFromAttributes({ 'service.name': 'split' });
const scope = { name: 'split', version: undefined, schemaUrl: undefined };

/** `n` records as the queue hands them over: runs of adjacent encoded records (`run` per run), the rest fillers. */
function materialized(n: number, run: number, size = (i: number) => 20 + (i % 50)): ReadableLogRecord[] {
  const w = new ProtoWriter();
  const ends: number[] = [];
  for (let i = 0; i < n; i++) {
    writeLogRecord(w, { hrTime: [1_700_000_000, i], hrTimeObserved: [1_700_000_000, i], severityNumber: 9, severityText: 'INFO', body: 'b'.repeat(size(i)), attributes: { i }, droppedAttributesCount: 0, resource, instrumentationScope: scope } as never);
    ends.push(w.pos);
  }
  const buf = w.buffer.slice(0, w.pos);
  const filler = new EncodedLogRecord(resource, scope, new Uint8Array(0), 0, 0);
  const out: ReadableLogRecord[] = [];
  for (let i = 0; i < n; i += run) {
    const last = Math.min(n, i + run) - 1;
    out.push(new EncodedLogRecord(resource, scope, buf, i === 0 ? 0 : ends[i - 1], ends[last]) as never);
    for (let k = i + 1; k <= last; k++) out.push(filler as never);
  }
  return out;
}

const indexes = (requests: Uint8Array[]) =>
  requests.flatMap((b) => decodeExportLogsRequest(b).resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords.map((r) => Number((r.attributes[0].value as { intValue: bigint }).intValue)))));

describe('splitForRequests', () => {
  it('cuts runs at record boundaries into parts that each fit, in order, one entry per record', () => {
    const batch = materialized(3000, 700);
    const parts = splitForRequests(batch, 16 * 1024);
    expect(parts.length).toBeGreaterThan(5);
    expect(parts.reduce((n, p) => n + p.length, 0)).toBe(3000);
    const requests = parts.map((p) => encodeLogRecords(p, new ProtoWriter()));
    for (const r of requests) expect(r.length).toBeLessThanOrEqual(16 * 1024);
    expect(indexes(requests)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
  });

  it('refuses a run whose record length is cut off instead of reading past it', () => {
    const run = new EncodedLogRecord(resource, scope, new Uint8Array([0x12, 0x01, 0x00, 0x12, 0x80]), 0, 5);
    expect(() => splitForRequests([run as never, run as never], 10)).toThrow(/cut off/);
  });

  it('gives a record larger than the limit a part of its own', () => {
    const parts = splitForRequests(materialized(5, 5, (i) => (i === 2 ? 50_000 : 10)), 16 * 1024);
    expect(parts.map((p) => p.length)).toEqual([2, 1, 2]);
  });
});

let handle: LoggingHandle | undefined;
let server: RecordingServer | undefined;
afterEach(async () => {
  [handle, server] = await releasePipeline(handle, server);
});

describe('GrpcLogExporter over maxRequestBytes', () => {
  it('sends a large batch as several requests under the limit, every record once and in order', async () => {
    server = await startRecordingServer();
    handle = registerLogging({ endpoint: server.endpoint, serviceName: 'split', flushOnExit: false, maxRequestBytes: 64 * 1024, batch: { maxExportBatchSize: 4096 } });
    const log = getLogger('split');
    for (let i = 0; i < 6000; i++) log.info(`record ${i} ${'x'.repeat(i % 90)}`, { i });
    await handle.forceFlush();
    expect(server.requests.length).toBeGreaterThan(6);
    for (const r of server.requests) expect(r.length).toBeLessThanOrEqual(64 * 1024);
    expect(indexes(server.requests)).toEqual(Array.from({ length: 6000 }, (_, i) => i));
    expect(handle.stats()).toMatchObject({ emitted: 6000, exported: 6000, failed: 0, queuedBytes: 0 });
  });

  it('keeps every request under the limit when a large resource or many loggers add to it', async () => {
    server = await startRecordingServer();
    handle = registerLogging({ endpoint: server.endpoint, serviceName: 'split', flushOnExit: false, maxRequestBytes: 16 * 1024, resourceAttributes: { labels: 'l'.repeat(6000) } });
    for (let i = 0; i < 3000; i++) getLogger(`split.${'n'.repeat(50)}.${i % 300}`).info(`record ${i}`, { i });
    await handle.forceFlush();
    expect(server.requests.length).toBeGreaterThan(10);
    for (const r of server.requests) expect(r.length).toBeLessThanOrEqual(16 * 1024);
    expect(indexes(server.requests).sort((a, b) => a - b)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(handle.stats()).toMatchObject({ emitted: 3000, exported: 3000, failed: 0 });
  });

  it('batches hold 8192 records with logq exporter and 4096 with an exporter of the app', async () => {
    server = await startRecordingServer();
    handle = registerLogging({ endpoint: server.endpoint, serviceName: 'split', flushOnExit: false });
    const log = getLogger('split');
    for (let i = 0; i < 9000; i++) log.info('r', { i });
    await handle.forceFlush();
    expect(server.requests.map((r) => indexes([r]).length)).toEqual([8192, 808]);
    await handle.shutdown();
    const batches: number[] = [];
    handle = registerLogging({ serviceName: 'split', flushOnExit: false, exporter: { export: (records, done) => (batches.push(records.length), done({ code: 0 })), forceFlush: async () => {}, shutdown: async () => {} } });
    for (let i = 0; i < 9000; i++) log.info('r', { i });
    await handle.forceFlush();
    expect(batches).toEqual([4096, 4096, 808]);
  });

  it('counts only the records of the parts that failed', async () => {
    // A collector that refuses its second request for good (not retryable).
    let calls = 0;
    const received: Buffer[] = [];
    const grpcServer = new grpc.Server();
    grpcServer.register(
      LOGS_EXPORT_PATH,
      (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        if (++calls === 2) return cb({ code: grpc.status.INVALID_ARGUMENT, details: 'refused' });
        received.push(call.request);
        cb(null, encodeExportLogsResponse());
      },
      passThrough,
      passThrough,
      'unary',
    );
    const port = await new Promise<number>((res, rej) => grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
    try {
      const inner = new GrpcLogExporter({ endpoint: `http://127.0.0.1:${port}`, maxRequestBytes: 16 * 1024 });
      const errors: string[] = [];
      const exporter = new PipelinedLogExporter(inner, { onFailed: (_n, e) => void errors.push(String(e?.message)) });
      const batch = materialized(2000, 2000);
      const parts = splitForRequests(batch, 16 * 1024);
      await new Promise<void>((r) => exporter.export(batch, () => r()));
      await exporter.forceFlush();
      expect(exporter.failedRecords).toBe(parts[1].length);
      expect(inner.stats).toMatchObject({ exported: 2000 - parts[1].length, failed: parts[1].length, splitBatches: 1 });
      expect(errors[0]).toContain(`${parts[1].length} of 2000 log records failed`);
      expect(indexes(received)).toEqual(Array.from({ length: 2000 }, (_, i) => i).filter((i) => i < parts[0].length || i >= parts[0].length + parts[1].length));
      await exporter.shutdown();
    } finally {
      grpcServer.forceShutdown();
    }
  });
});
