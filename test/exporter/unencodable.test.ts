import { afterEach, describe, expect, it, vi } from 'vitest';
import { logs } from '@opentelemetry/api';
import { decodeExportLogsRequest } from '../../src/otlp/decode-logs.ts';
import { getLogger } from '../../src/sdk/logger.ts';
import { registerLogging, type LoggingHandle } from '../../src/sdk/register.ts';
import { releasePipeline, startRecordingServer, type RecordingServer } from '../helpers/recording-server.ts';

let handle: LoggingHandle | undefined;
let server: RecordingServer | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  [handle, server] = await releasePipeline(handle, server);
});

const bodies = (requests: Uint8Array[]) =>
  requests.flatMap((b) => decodeExportLogsRequest(b).resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords.map((r) => r.body))));

/** Lines written to stderr that start with `prefix` (held back from the test output); the rest pass. */
function stderrLines(prefix: string): string[] {
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: never[]) => {
    if (!String(chunk).startsWith(prefix)) return write(chunk, ...rest);
    lines.push(String(chunk));
    return true;
  }) as typeof process.stderr.write);
  return lines;
}

/** A body whose field throws whenever it is read (a getter over state that went away, a revoked Proxy). */
const poisoned = () => ({ ok: 1, get broken(): string { throw new Error('connection closed'); } });

describe('a record that cannot be encoded', () => {
  /** 50 façade records, the poisoned one and 50 through the OTel API, 50 façade records again. */
  function logAround(poison: () => void): void {
    const log = getLogger('enc');
    const otel = logs.getLogger('enc-otel');
    for (let i = 0; i < 50; i++) log.info(`before ${i}`);
    poison();
    for (let i = 0; i < 50; i++) otel.emit({ severityNumber: 9, body: `otel ${i}` });
    for (let i = 0; i < 50; i++) log.info(`after ${i}`);
  }
  // Sorted: a request groups its records by scope (the façade's 'enc', the API's 'enc-otel').
  const expected = (middle: string[]) => [
    ...Array.from({ length: 50 }, (_, i) => `before ${i}`),
    ...middle,
    ...Array.from({ length: 50 }, (_, i) => `otel ${i}`),
    ...Array.from({ length: 50 }, (_, i) => `after ${i}`),
  ].sort();

  it('costs only itself: the rest of its batch ships, the record is counted as failed and reported', async () => {
    server = await startRecordingServer();
    handle = registerLogging({ endpoint: server.endpoint, serviceName: 'enc', flushOnExit: false, redact: false });
    const errors = stderrLines('logq: export');
    logAround(() => logs.getLogger('enc-otel').emit({ severityNumber: 9, body: poisoned() as never }));
    await handle.forceFlush();
    expect(bodies(server.requests).map((b) => (b as { stringValue?: string }).stringValue).sort()).toEqual(expected([]));
    expect(handle.stats()).toMatchObject({ emitted: 151, exported: 150, failed: 1, dropped: 0, queuedBytes: 0 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^logq: export of 1 log record\(s\) failed: Error: 1 of 151 log records could not be encoded and were dropped \(Error: connection closed\); the other 150 were exported without them \(1 failed so far\)\n$/);
  });

  it('with redaction on, the redactor replaces the body it cannot read and the record ships', async () => {
    server = await startRecordingServer();
    handle = registerLogging({ endpoint: server.endpoint, serviceName: 'enc', flushOnExit: false });
    logAround(() => logs.getLogger('enc-otel').emit({ severityNumber: 9, body: poisoned() as never }));
    await handle.forceFlush();
    expect(bodies(server.requests).map((b) => (b as { stringValue?: string }).stringValue).sort()).toEqual(expected(['[redaction failed]']));
    expect(handle.stats()).toMatchObject({ emitted: 151, exported: 151, failed: 0 });
  });
});

describe('GrpcLogExporter on its own', () => {
  /** A GrpcLogExporter to a recording server, and records (given their body) as the SDK's queue would hand them over. */
  async function exporterFor(maxRequestBytes?: number) {
    const sink = await startRecordingServer();
    server = sink;
    const { GrpcLogExporter } = await import('../../src/exporter/GrpcLogExporter.ts');
    const { resourceFromAttributes } = await import('@opentelemetry/resources');
    const exporter = new GrpcLogExporter({ endpoint: sink.endpoint, maxRequestBytes });
    const resource = resourceFromAttributes({ 'service.name': 'parts' });
    const scope = { name: 'parts', version: undefined, schemaUrl: undefined };
    const rec = (body: unknown) => ({ hrTime: [1_700_000_000, 0], hrTimeObserved: [1_700_000_000, 0], severityNumber: 9, body, attributes: {}, droppedAttributesCount: 0, resource, instrumentationScope: scope }) as never;
    return { exporter, rec, sink };
  }

  it('keeps the encodable records of a batch it sends in parts, and fails only the poisoned one', async () => {
    const { exporter, rec, sink } = await exporterFor(2048);
    const batch = [...Array.from({ length: 100 }, (_, i) => rec(`r${i} ${'x'.repeat(60)}`)), rec(poisoned()), ...Array.from({ length: 100 }, (_, i) => rec(`s${i} ${'x'.repeat(60)}`))];
    const result = await new Promise<{ code: number; error?: Error & { failedRecords?: number } }>((r) => exporter.export(batch, r as never));
    expect(result.error?.failedRecords).toBe(1);
    expect(result.error?.message).toMatch(/1 of 201 log records could not be encoded.*connection closed/);
    expect(sink.requests.length).toBeGreaterThan(1); // sent in parts
    expect(bodies(sink.requests).map((b) => (b as { stringValue: string }).stringValue.split(' ')[0])).toEqual([
      ...Array.from({ length: 100 }, (_, i) => `r${i}`),
      ...Array.from({ length: 100 }, (_, i) => `s${i}`),
    ]);
    expect(exporter.stats).toMatchObject({ exported: 200, failed: 1 });
    await exporter.shutdown();
  });

  it('salvages a batch whose bad record throws something that is not an Error', async () => {
    const { exporter, rec, sink } = await exporterFor();
    const nullThrower = { get v(): string { throw null; } };
    let result: { code: number; error?: Error & { failedRecords?: number } } | undefined;
    expect(() => exporter.export([rec('a'), rec(nullThrower), rec('b')], (r) => void (result = r as never))).not.toThrow();
    await exporter.forceFlush();
    expect(result?.error?.failedRecords).toBe(1);
    expect(result?.error?.message).toMatch(/1 of 3 log records could not be encoded and were dropped \(null\)/);
    expect(bodies(sink.requests).map((b) => (b as { stringValue: string }).stringValue)).toEqual(['a', 'b']);
    expect(exporter.stats).toMatchObject({ exported: 2, failed: 1 });
    await exporter.shutdown();
  });

  it('fails a batch as a whole when no single record is to blame', async () => {
    const { exporter, rec, sink } = await exporterFor();
    // A body that throws only the first time it is read: the batch fails to encode, every record
    // encodes on its own afterwards, so no record is to blame.
    let reads = 0;
    const flaky = { get v(): string { if (++reads === 1) throw new Error('first read'); return 'later'; } };
    const result = await new Promise<{ code: number; error?: Error }>((r) => exporter.export([rec('a'), rec(flaky), rec('b')], r as never));
    expect(result.code).toBe(1);
    expect(result.error?.message).toBe('first read');
    expect(exporter.stats.failed).toBe(3);
    expect(sink.requests).toHaveLength(0);
    await exporter.shutdown();
  });
});

describe('stderrFailureReporter', () => {
  it('writes at most one line per interval, with the reason and the running total', async () => {
    const { stderrFailureReporter } = await import('../../src/sdk/QueueStats.ts');
    const lines: string[] = [];
    const report = stderrFailureReporter(60_000, (l) => void lines.push(l));
    report(10, new Error('deadline exceeded'));
    report(5, new Error('unavailable'));
    expect(lines).toEqual(['logq: export of 10 log record(s) failed: Error: deadline exceeded (10 failed so far)\n']);
    // What the rate limit held back is written at shutdown.
    report.summary();
    expect(lines.slice(1)).toEqual(['logq: 15 log record(s) failed to export in all (5 since the last line)\n']);
    report.summary();
    expect(lines).toHaveLength(2);
    const every = stderrFailureReporter(0, (l) => void lines.push(l));
    every(1, undefined);
    every(2, new Error('x'));
    every.summary();
    expect(lines.slice(2)).toEqual(['logq: export of 1 log record(s) failed: unknown error (1 failed so far)\n', 'logq: export of 2 log record(s) failed: Error: x (3 failed so far)\n']);
  });
});

describe('a log call that throws inside logq', () => {
  it('returns normally, ships the other records, and counts and reports the lost one', async () => {
    server = await startRecordingServer();
    handle = registerLogging({ endpoint: server.endpoint, serviceName: 'enc', flushOnExit: false });
    const lines = stderrLines('logq: a log call');
    const log = getLogger('calls');
    log.info('first');
    expect(() => log.info('broken', { get user(): string { throw new TypeError('session gone'); } })).not.toThrow();
    log.info('broken again', { get user(): string { throw new TypeError('session gone'); } });
    log.info('last');
    await handle.forceFlush();
    expect(bodies(server.requests).map((b) => (b as { stringValue: string }).stringValue)).toEqual(['first', 'last']);
    expect(handle.stats()).toMatchObject({ emitted: 2, exported: 2, errors: 2, failed: 0 });
    // One line per 10 s: the second failure is counted, not written.
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^logq: a log call on logger "calls" failed and its record was not shipped: TypeError: session gone \(\d+ so far\)\n$/);
  });

  it("an app processor that throws costs only its own work: the record ships, the counts add up, and stderr gets no secret", async () => {
    server = await startRecordingServer();
    let throwNow = false;
    const parsing = { onEmit: (rec: { body?: unknown }) => void (throwNow && JSON.parse(String(rec.body))), forceFlush: async () => {}, shutdown: async () => {} };
    handle = registerLogging({ endpoint: server.endpoint, serviceName: 'enc', flushOnExit: false, processors: [parsing as never] });
    const lines = stderrLines('logq: a processor');
    const log = getLogger('proc');
    log.info('{"ok":1}');
    throwNow = true;
    log.info('c 4111111111111111');
    await handle.forceFlush();
    expect(bodies(server.requests).map((b) => (b as { stringValue: string }).stringValue)).toEqual(['{"ok":1}', 'c [REDACTED]']);
    const s = handle.stats();
    expect(s).toMatchObject({ emitted: 2, exported: 2, failed: 0, dropped: 0, queued: 0 });
    expect(s.errors).toBe(1);
    // V8's JSON.parse error quotes its input: the card number must not reach stderr.
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^logq: a processor of yours threw; the record went on without it: SyntaxError: .*\[REDACTED\]/);
    expect(lines[0]).not.toContain('4111');
  });
});

describe('describeError', () => {
  it('never throws, replaces secrets and cuts long messages', async () => {
    const { describeError } = await import('../../src/otlp/describe-error.ts');
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(describeError(Object.create(null))).toBe('an error without a printable description');
    expect(describeError(proxy)).toBe('an error without a printable description');
    expect(describeError(null)).toBe('null');
    expect(describeError(new TypeError('token Bearer abc.def for 4111-1111-1111-1111'))).toBe('TypeError: token [REDACTED] for [REDACTED]');
    expect(describeError(new Error('x'.repeat(1000)))).toHaveLength(301);
    expect(describeError(new Error('two\nlines'))).toBe('Error: two lines');
  });
});
