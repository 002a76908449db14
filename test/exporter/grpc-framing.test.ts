import * as grpc from '@grpc/grpc-js';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { GrpcLogExporter } from '../../src/exporter/GrpcLogExporter.ts';
import { identityHandlerPrototype, installFramingInPlace, markFramable, type IdentityHandlerPrototype } from '../../src/exporter/grpc-framing.ts';
import { decodeExportLogsRequest } from '../../src/otlp/decode-logs.ts';
import { startRecordingServer } from '../helpers/recording-server.ts';
import { startOtlpTestServer } from './otlp-test-server.ts';

function records(from: number, n: number): ReadableLogRecord[] {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: memory })] });
  const logger = provider.getLogger('framing');
  for (let i = from; i < from + n; i++) logger.emit({ body: `record ${i}`, attributes: { i } });
  return memory.getFinishedLogRecords();
}

const bodies = (request: Uint8Array) =>
  decodeExportLogsRequest(request).resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords.map((r) => (r.body as { stringValue?: string } | undefined)?.stringValue)));

const exportOnce = (exporter: GrpcLogExporter, logs: ReadableLogRecord[]) => new Promise<ExportResult>((r) => exporter.export(logs, r));

/** Records every message grpc-js's identity handler frames, and the framed bytes (wrapping the real handler). */
function watchFraming(proto: IdentityHandlerPrototype) {
  const real = proto.writeMessage;
  const framed: Buffer[] = [];
  const messages: Buffer[] = [];
  proto.writeMessage = async function writeMessage(message, compress) {
    const out = await real.call(this, message, compress);
    messages.push(message);
    framed.push(out);
    return out;
  };
  /** Whether call `i` was framed in the message's own memory, right before it (no copy). */
  const inPlace = (i: number) => framed[i]!.buffer === messages[i]!.buffer && framed[i]!.byteOffset === messages[i]!.byteOffset - 5;
  return { framed, inPlace, restore: () => void (proto.writeMessage = real) };
}

const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
});

/**
 * A scripted OTLP server on 127.0.0.1 (`fail(n)` answers call n with an error, else OK) that keeps
 * each request's bytes, an exporter sending to it, and a watch on grpc-js's framing.
 */
async function setup(options: ConstructorParameters<typeof GrpcLogExporter>[0] = {}, fail: (n: number) => Partial<grpc.StatusObject> | undefined = () => undefined) {
  const received: Buffer[] = [];
  const server = await startOtlpTestServer((n, call) => {
    received.push(Buffer.from(call.request));
    const error = fail(n);
    return error ? { error } : {};
  });
  cleanups.push(() => server.close());
  const exporter = new GrpcLogExporter({ endpoint: `http://127.0.0.1:${server.port}`, ...options });
  cleanups.push(() => void exporter.shutdown());
  const watch = watchFraming(identityHandlerPrototype()!);
  cleanups.push(watch.restore);
  return { received, exporter, watch };
}

describe('gRPC framing in place', () => {
  it('grpc-js frames a marked message in its own memory and copies every other message', async () => {
    expect(installFramingInPlace()).toBe(true);
    const proto = identityHandlerPrototype()!;
    const handler = Object.create(proto) as IdentityHandlerPrototype;

    const backing = Buffer.alloc(64, 0xee);
    const message = markFramable(backing.subarray(5, 5 + 40).fill(7));
    const framed = await handler.writeMessage(message, false);
    expect(framed.buffer).toBe(backing.buffer); // no copy
    expect(framed.byteOffset).toBe(backing.byteOffset);
    expect(framed.length).toBe(45);
    expect(framed[0]).toBe(0);
    expect(framed.readUInt32BE(1)).toBe(40);
    expect(framed.subarray(5).equals(message)).toBe(true);

    const other = Buffer.alloc(40, 'another client’s message ');
    const copied = await handler.writeMessage(other, false);
    expect(copied.buffer).not.toBe(other.buffer); // Buffer.alloc: never from Node's shared pool
    expect(copied.readUInt32BE(1)).toBe(other.length);
    expect(copied.subarray(5).equals(other)).toBe(true);

    expect(() => markFramable(Buffer.allocUnsafeSlow(10))).toThrow(/needs 5 free bytes before it, found 0/);
  });

  it('sends each request from the exporter’s reused buffer, intact; a failed call’s buffer is never reused', async () => {
    const { received, exporter, watch } = await setup({}, (n) => (n === 3 ? { code: grpc.status.INVALID_ARGUMENT, details: 'refused on purpose' } : undefined));
    expect(exporter.framesInPlace).toBe(true);

    const results: ExportResultCode[] = [];
    for (let batch = 0; batch < 4; batch++) results.push((await exportOnce(exporter, records(batch * 100, 100))).code);

    expect(results).toEqual([ExportResultCode.SUCCESS, ExportResultCode.SUCCESS, ExportResultCode.FAILED, ExportResultCode.SUCCESS]);
    expect(received.map(bodies)).toEqual([0, 1, 2, 3].map((b) => Array.from({ length: 100 }, (_, i) => `record ${b * 100 + i}`)));
    const [first, second, third, fourth] = watch.framed;
    expect(watch.framed).toHaveLength(4);
    // In place: the framed bytes are the writer's (allocated on its own, never from Node's shared
    // pool), and consecutive successful calls share it.
    expect([0, 1, 2, 3].map(watch.inPlace)).toEqual([true, true, true, true]);
    expect(second!.buffer).toBe(first!.buffer);
    expect(third!.buffer).toBe(second!.buffer);
    // Call 3 failed: its writer is left to the GC, call 4 encodes elsewhere.
    expect(fourth!.buffer).not.toBe(third!.buffer);
    expect(exporter.stats).toMatchObject({ exported: 300, failed: 100 });
  });

  it('a retry sends the same bytes again from the same memory', async () => {
    const { received, exporter, watch } = await setup({ initialBackoffMillis: 10 }, (n) => (n === 1 ? { code: grpc.status.UNAVAILABLE, details: 'busy on purpose' } : undefined));

    expect((await exportOnce(exporter, records(0, 100))).code).toBe(ExportResultCode.SUCCESS);
    expect(received).toHaveLength(2);
    expect(received[1]!.equals(received[0]!)).toBe(true);
    expect(bodies(received[1]!)).toEqual(Array.from({ length: 100 }, (_, i) => `record ${i}`));
    expect([watch.inPlace(0), watch.inPlace(1)]).toEqual([true, true]);
    expect(watch.framed[1]!.buffer).toBe(watch.framed[0]!.buffer);
    expect(exporter.stats).toMatchObject({ exported: 100, failed: 0, retries: 1 });
  });

  it('exports in flight together each send from their own writer; the spares are reused afterwards', async () => {
    const server = await startRecordingServer();
    cleanups.push(() => server.close());
    const exporter = new GrpcLogExporter({ endpoint: server.endpoint });
    cleanups.push(() => void exporter.shutdown());
    const watch = watchFraming(identityHandlerPrototype()!);
    cleanups.push(watch.restore);

    server.hold(); // a slow collector: all four calls are in flight at once
    const pending = [0, 1, 2, 3].map((b) => exportOnce(exporter, records(b * 100, 100)));
    await expect.poll(() => server.heldCalls()).toBe(4);
    server.release();
    expect((await Promise.all(pending)).map((r) => r.code)).toEqual(Array(4).fill(ExportResultCode.SUCCESS));
    const inFlight = watch.framed.map((f) => f.buffer);
    expect([0, 1, 2, 3].map(watch.inPlace)).toEqual([true, true, true, true]);
    expect(new Set(inFlight).size).toBe(4);
    const byFirstBody = server.requests.map(bodies).sort((a, b) => Number(a[0]!.split(' ')[1]) - Number(b[0]!.split(' ')[1]));
    expect(byFirstBody).toEqual([0, 1, 2, 3].map((b) => Array.from({ length: 100 }, (_, i) => `record ${b * 100 + i}`)));

    for (let b = 4; b < 6; b++) expect((await exportOnce(exporter, records(b * 100, 100))).code).toBe(ExportResultCode.SUCCESS);
    expect(inFlight).toContain(watch.framed[4]!.buffer);
    expect(bodies(server.requests[5]!)).toEqual(Array.from({ length: 100 }, (_, i) => `record ${500 + i}`));
  });

  it('a batch over maxRequestBytes goes as parts, each framed in place in a writer of its own', async () => {
    const { received, exporter, watch } = await setup({ maxRequestBytes: 1500 });

    expect((await exportOnce(exporter, records(0, 100))).code).toBe(ExportResultCode.SUCCESS);
    expect(received.length).toBeGreaterThan(1);
    expect(received.every((r) => r.length <= 1500)).toBe(true);
    expect(received.flatMap(bodies)).toEqual(Array.from({ length: 100 }, (_, i) => `record ${i}`));
    expect(received.map((_, i) => watch.inPlace(i))).toEqual(received.map(() => true));
    expect(new Set(watch.framed.map((f) => f.buffer)).size).toBe(received.length);
    expect(exporter.stats).toMatchObject({ exported: 100, splitBatches: 1 });
  });

  it('a gzip channel does not frame in place (it compresses into a new buffer)', () => {
    const exporter = new GrpcLogExporter({ endpoint: 'http://127.0.0.1:9', compression: 'gzip' });
    cleanups.push(() => void exporter.shutdown());
    expect(exporter.framesInPlace).toBe(false);
  });

  it('frameInPlace: false sends copies, and they arrive the same', async () => {
    const { received, exporter, watch } = await setup({ frameInPlace: false });
    expect(exporter.framesInPlace).toBe(false);

    for (let batch = 0; batch < 2; batch++) expect((await exportOnce(exporter, records(batch * 100, 100))).code).toBe(ExportResultCode.SUCCESS);
    expect(received.map(bodies)).toEqual([0, 1].map((b) => Array.from({ length: 100 }, (_, i) => `record ${b * 100 + i}`)));
    expect(watch.framed).toHaveLength(2);
    expect([0, 1].map(watch.inPlace)).toEqual([false, false]);
    expect(watch.framed[0]!.readUInt32BE(1)).toBe(watch.framed[0]!.length - 5);
  });
});
