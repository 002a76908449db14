import { afterEach, describe, expect, it } from 'vitest';
import { context, trace, TraceFlags, type Attributes } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, type LogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { EncodedLogRecord } from '../../src/exporter/EncodedLogRecord.ts';
import { GrpcLogExporter } from '../../src/exporter/GrpcLogExporter.ts';
import { PipelinedLogExporter } from '../../src/exporter/PipelinedLogExporter.ts';
import { encodeLogRecords } from '../../src/exporter/encode-records.ts';
import { PreEncodeProcessor } from '../../src/exporter/PreEncodeProcessor.ts';
import { decodeExportLogsRequest } from '../../src/otlp/decode-logs.ts';
import { ProtoWriter } from '../../src/otlp/ProtoWriter.ts';
import { directPipeline } from '../../src/sdk/intake.ts';
import { releasePipeline, startRecordingServer, type RecordingServer } from '../helpers/recording-server.ts';
import { getLogger } from '../../src/sdk/logger.ts';
import { registerLogging, type LoggingHandle, type RegisterLoggingOptions } from '../../src/sdk/register.ts';

/** The text of a decoded AnyValue. */
const str = (v: unknown) => (v as { stringValue?: string } | undefined)?.stringValue;

/** Keeps what it is given (the records a processor downstream of PreEncodeProcessor sees). */
function collect(): LogRecordProcessor & { seen: unknown[] } {
  const seen: unknown[] = [];
  return { seen, onEmit: (r) => void seen.push(r), forceFlush: async () => {}, shutdown: async () => {} };
}

/** Records of every shape, made by the real SDK (two scopes, interleaved; a span context; an event name). */
function sdkRecords(extra: (emit: (body: unknown, attributes?: Attributes) => void) => void = () => {}): ReadableLogRecord[] {
  const sink = collect();
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'pre' }), processors: [sink] });
  const a = provider.getLogger('a');
  const b = provider.getLogger('b', '1.2.3');
  const span = trace.setSpanContext(context.active(), { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED });
  const bodies: unknown[] = ['plain', 'ünïcødé 日本', '', 42, 2.5, true, null, undefined, ['x', 1], { k: { n: 1 } }, new Uint8Array([1, 2, 3]), 'x'.repeat(20_000)];
  bodies.forEach((body, i) => {
    const logger = i % 2 ? a : b;
    logger.emit({
      severityNumber: (i % 24) + 1,
      severityText: i % 3 ? 'INFO' : undefined,
      body: body as never,
      attributes: { i, s: 's'.repeat(i * 13), f: i + 0.5, ok: i % 2 === 0, nested: { deep: [i, 'y'] }, 'ключ': 'значение' },
      context: i % 4 === 0 ? span : undefined,
      eventName: i % 5 === 0 ? 'app.event' : undefined,
    });
  });
  extra((body, attributes) => a.emit({ body: body as never, attributes }));
  return sink.seen as ReadableLogRecord[];
}

function preEncoded(records: readonly ReadableLogRecord[]): unknown[] {
  const downstream = collect();
  const encoder = new PreEncodeProcessor(downstream);
  for (const r of records) encoder.onEmit(r as never);
  return downstream.seen;
}

describe('PreEncodeProcessor', () => {
  it('queues encoded records whose request is byte for byte the one the records themselves make', () => {
    const records = sdkRecords();
    const encoded = preEncoded(records);
    expect(encoded).toHaveLength(records.length);
    expect(encoded.every((r) => r instanceof EncodedLogRecord)).toBe(true);
    const direct = encodeLogRecords(records, new ProtoWriter());
    expect(Buffer.compare(encodeLogRecords(encoded as ReadableLogRecord[], new ProtoWriter()), direct)).toBe(0);
    // Any subset (what a batch of the queue holds, or what is left after drops) encodes the same too.
    const some = [0, 3, 4, 5, 9, 11];
    expect(
      Buffer.compare(
        encodeLogRecords(some.map((i) => encoded[i]) as ReadableLogRecord[], new ProtoWriter()),
        encodeLogRecords(some.map((i) => records[i]), new ProtoWriter()),
      ),
    ).toBe(0);
    // Encoded and unencoded records mix in one request (a record the processor could not encode).
    const mixed = records.map((r, i) => (i % 2 ? r : encoded[i])) as ReadableLogRecord[];
    expect(Buffer.compare(encodeLogRecords(mixed, new ProtoWriter()), direct)).toBe(0);
  });

  it('spreads records over several chunks (and one larger than a chunk) without changing a byte', () => {
    const records = sdkRecords((emit) => {
      for (let i = 0; i < 4000; i++) emit(`record ${i} ${'p'.repeat(i % 200)}`, { i });
      emit('y'.repeat(600_000)); // larger than a chunk: the chunk grows for it
      for (let i = 0; i < 10; i++) emit(`after ${i}`);
    });
    const encoded = preEncoded(records) as EncodedLogRecord[];
    expect(new Set(encoded.map((e) => e.buf)).size).toBeGreaterThan(3);
    // Memory: every chunk stays at its size, and a record larger than what is left of a chunk is
    // kept as an exact copy of its own bytes (not the grown chunk, nor its 3-bytes-per-char reserve).
    const big = encoded.find((e) => e.end - e.start > 600_000)!;
    expect(big.start).toBe(0);
    expect(big.buf.length).toBe(big.end);
    expect(big.buf.length).toBeLessThan(600_100);
    for (const e of encoded) if (e !== big) expect(e.buf.length).toBe(256 * 1024);
    expect(encoded[encoded.indexOf(big) + 1].start).toBe(0); // a fresh chunk after it
    const decoded = decodeExportLogsRequest(encodeLogRecords(encoded as unknown as ReadableLogRecord[], new ProtoWriter()));
    const bodies = decoded.resourceLogs[0].scopeLogs.flatMap((s) => s.logRecords.map((r) => str(r.body)));
    expect(bodies).toContain('record 3999 ' + 'p'.repeat(3999 % 200));
    expect(bodies).toContain('y'.repeat(600_000));
    expect(Buffer.compare(encodeLogRecords(encoded as unknown as ReadableLogRecord[], new ProtoWriter()), encodeLogRecords(records, new ProtoWriter()))).toBe(0);
  });

  it('a record logged while another is being encoded (a getter of its body logs) is queued whole, not written into the other', () => {
    const downstream = collect();
    const encoder = new PreEncodeProcessor(downstream);
    const [plain, other] = sdkRecords();
    const body = {
      get text() {
        encoder.onEmit(other as never); // app code running inside the encoding of `outer`
        return 'from a getter';
      },
    };
    const outer = Object.create(plain, { body: { value: body } }) as ReadableLogRecord;
    encoder.onEmit(outer as never);
    encoder.onEmit(plain as never);
    expect(downstream.seen[0]).toBe(other);
    expect(downstream.seen[1]).toBeInstanceOf(EncodedLogRecord);
    const request = decodeExportLogsRequest(encodeLogRecords(downstream.seen as ReadableLogRecord[], new ProtoWriter()));
    const shipped = request.resourceLogs[0].scopeLogs.flatMap((sl) => sl.logRecords);
    expect(shipped).toHaveLength(3);
    const outerShipped = shipped.find((r) => (r.body as { kvlistValue?: unknown }).kvlistValue);
    expect(JSON.stringify(outerShipped?.body)).toContain('from a getter');
  });

  it('passes a record it cannot encode on as it is', () => {
    const downstream = collect();
    const encoder = new PreEncodeProcessor(downstream);
    const [good] = sdkRecords();
    const bad = Object.create(good, { hrTime: { get: () => { throw new Error('no time'); } } });
    encoder.onEmit(bad);
    encoder.onEmit(good as never);
    expect(downstream.seen[0]).toBe(bad);
    expect(downstream.seen[1]).toBeInstanceOf(EncodedLogRecord);
  });
});

let handle: LoggingHandle | undefined;
let server: RecordingServer | undefined;
afterEach(async () => {
  [handle, server] = await releasePipeline(handle, server);
});

const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----';

/** One error for both runs (its stack names the caller). */
const FAILURE = new TypeError('bad input');

/** Whether the provider registerLogging installed queues encoded records (a PreEncodeProcessor among its processors, at any depth). */
function preEncoding(): boolean {
  const search = (ps: readonly unknown[]): boolean =>
    ps.some((p) => p instanceof PreEncodeProcessor || search(((p as { next?: unknown }).next instanceof Array ? (p as { next: unknown[] }).next : []) as unknown[]));
  return search(directPipeline()?.processors ?? []);
}

/** Logs the same calls through registerLogging(options) and returns the records the server received, times left out. */
async function shipped(options: (endpoint: string) => RegisterLoggingOptions) {
  server = await startRecordingServer();
  handle = registerLogging({ endpoint: server.endpoint, serviceName: 'fast', flushOnExit: false, ...options(server.endpoint) });
  const log = getLogger('fast.path');
  const encoded = preEncoding();
  log.info('order placed', { 'order.id': 7, 'customer.id': 'c-4711', amount: 19.99, paid: true, none: null });
  log.warn('login with Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc', { password: 'hunter2', note: `key ${PEM}`, card: '4111 1111 1111 1111' });
  log.child({ tenant: 't1' }).error('nested', { user: { id: 1, api_key: 'k' }, tags: ['a', 'b'] });
  log.event('user.signup', { plan: 'pro' });
  log.exception(FAILURE, 'failed');
  log.info('big', Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`k${i}`, i]))); // over the attribute count limit
  const span = trace.setSpanContext(context.active(), { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED });
  context.with(span, () => log.debug('in a span', { step: 2 }));
  await handle.forceFlush();
  const stats = handle.stats();
  const records = server.requests.flatMap((b) =>
    decodeExportLogsRequest(b).resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords.map((r) => ({ ...r, scope: sl.scope.name })))),
  );
  const untimed = records.map(({ timeUnixNano, observedTimeUnixNano, ...rest }) => {
    expect(timeUnixNano).toBe(observedTimeUnixNano);
    expect(timeUnixNano).toBeGreaterThan(0n);
    return rest;
  });
  await handle.shutdown();
  handle = undefined;
  server.close();
  server = undefined;
  return { encoded, records: untimed, stats };
}

describe('registerLogging with logq\'s exporter (records queued as bytes)', () => {
  it('ships the same records, redacted the same, with the same stats as when the queue holds the record objects', async () => {
    const viaBytes = await shipped(() => ({}));
    // The same exporter handed in as the app's own: the queue then holds the SDK's records, encoded at export.
    const viaRecords = await shipped((endpoint) => ({ exporter: new PipelinedLogExporter(new GrpcLogExporter({ endpoint })) }));
    expect(viaBytes.encoded).toBe(true);
    expect(viaRecords.encoded).toBe(false);
    expect(viaBytes.records).toHaveLength(7);
    expect(viaBytes.records).toEqual(viaRecords.records);
    expect(viaBytes.stats).toMatchObject({ emitted: 7, exported: 7, dropped: 0, failed: 0, queued: 0 });
    expect(viaRecords.stats).toMatchObject({ emitted: 7, dropped: 0, failed: 0, queued: 0 });
    const warn = viaBytes.records[1];
    const text = JSON.stringify(warn, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
    expect(str(warn.body)).toBe('login with [REDACTED]');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('MIIBOgIBAAJBAKj34');
    expect(text).not.toContain('4111 1111');
    expect(viaBytes.records[5].droppedAttributesCount).toBe(2);
    expect(Buffer.from(viaBytes.records[6].traceId).toString('hex')).toBe('0af7651916cd43dd8448eb211c80319c');
  });

  it('encodes when logged only with its own exporter, behind filters and processors too', async () => {
    const cases: [RegisterLoggingOptions, boolean][] = [
      [{}, true],
      [{ redact: false }, true],
      [{ filter: () => true }, true],
      [{ processors: [collect()] }, true],
      [{ console: { stream: { write: () => true } as never } }, true],
      [{ exporter: { export: (_r, cb) => cb({ code: 0 }), forceFlush: async () => {}, shutdown: async () => {} } }, false],
      [{ endpoint: 'not a url' }, false], // unusable endpoint: records go to stderr as JSON lines, record objects
    ];
    for (const [options, encoded] of cases) {
      handle = registerLogging({ endpoint: 'http://127.0.0.1:9', flushOnExit: false, ...options });
      expect(preEncoding(), JSON.stringify(Object.keys(options))).toBe(encoded);
      await handle.shutdown();
      handle = undefined;
    }
  });

  it('counts what the full queue drops, exactly', async () => {
    server = await startRecordingServer();
    handle = registerLogging({ endpoint: server.endpoint, flushOnExit: false, dropReportIntervalMs: 3_600_000, batch: { maxQueueSize: 100, maxExportBatchSize: 100, scheduledDelayMillis: 60_000 } });
    const log = getLogger('fast.burst');
    // In one turn of the event loop: 100 leave in one export, 100 wait in the queue, 57 find it full.
    for (let i = 0; i < 257; i++) log.info(`burst ${i}`, { i });
    expect(handle.stats()).toMatchObject({ emitted: 257, dropped: 57, queued: 100 });
    await handle.forceFlush();
    expect(handle.stats()).toMatchObject({ emitted: 257, dropped: 57, exported: 200, failed: 0, queued: 0 });
    const bodies = server.requests.flatMap((b) => decodeExportLogsRequest(b).resourceLogs[0].scopeLogs[0].logRecords.map((r) => str(r.body)));
    expect(bodies).toEqual(Array.from({ length: 200 }, (_, i) => `burst ${i}`));
  });
});
