import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, SeverityNumber, trace } from '@opentelemetry/api';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { registerLogging, type LoggingHandle } from '../../src/index.ts';
import { getLogger } from '../../src/sdk/logger.ts';
import { CONNECTION_WINDOW_BYTES, STREAM_WINDOW_BYTES } from '../../src/collector/grpc-window.ts';
import { queryRows, startTestCollector, tempDir, waitForCount } from '../helpers/collector.ts';
import { windowsSeenBy } from '../helpers/http2-windows.ts';

// Issue 3, proof 1: logq SDK → OTLP/gRPC → collector → ClickHouse (chDB): every field round-trips.

type Row = Record<string, string | number | Record<string, string>>;

const tmp = tempDir();
let collector: Awaited<ReturnType<typeof startTestCollector>>;
let handle: LoggingHandle;

const SECONDS = Math.floor(Date.now() / 1000) - 60;

beforeAll(async () => {
  collector = await startTestCollector(tmp.dir);
  handle = registerLogging({
    serviceName: 'roundtrip-svc',
    serviceVersion: '9.8.7',
    endpoint: collector.grpcEndpoint,
    resourceAttributes: { 'deployment.environment.name': 'test', 'res.int': 7, 'res.bool': false, 'res.double': 0.25 },
    levels: { 'roundtrip.levels': 'info' },
  });
});

afterAll(async () => {
  await handle.shutdown();
  await collector.stop();
  tmp.cleanup();
});

async function rowsWhere(run: string, expected: number): Promise<Row[]> {
  await waitForCount(collector, "LogAttributes['run'] = {run:String}", expected, { run });
  return queryRows<Row>(
    collector,
    `SELECT toString(toUnixTimestamp64Nano(Timestamp)) AS ts, toString(toUnixTimestamp64Nano(ObservedTimestamp)) AS observed,
            TraceId, SpanId, TraceFlags, SeverityText, SeverityNumber, ServiceName, Body, ResourceSchemaUrl,
            ResourceAttributes, ScopeSchemaUrl, ScopeName, ScopeVersion, ScopeAttributes, LogAttributes, EventName, RetentionDays
     FROM otel.otel_logs WHERE LogAttributes['run'] = {run:String} ORDER BY Timestamp`,
    { run },
  );
}

describe('SDK → collector → ClickHouse round trip', () => {
  it('keeps timestamps to the nanosecond, severity, bodies, every AnyValue kind, resource and scope', async () => {
    const logger = handle.provider.getLogger('roundtrip.scope', '1.2.3', {
      schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
      attributes: { 'scope.attr': 'yes', 'scope.n': 3 },
    });
    logger.emit({
      timestamp: [SECONDS, 123_456_789],
      observedTimestamp: [SECONDS, 987_654_321],
      severityNumber: SeverityNumber.INFO2,
      severityText: 'NOTICE',
      body: 'plain string body',
      eventName: 'user.login',
      attributes: {
        run: 'kinds',
        str: 'héllo "quoted" \n newline',
        int: 42,
        negative: -7,
        big: 2 ** 40,
        double: 1.5,
        bool: true,
        bytes: new Uint8Array([1, 2, 3, 250]),
        array: [1, 'a', true, 2.5],
        map: { inner: { deep: 1 }, list: ['x'] },
      },
    });
    logger.emit({
      timestamp: [SECONDS, 123_456_790],
      observedTimestamp: [SECONDS + 1, 1],
      severityNumber: SeverityNumber.ERROR,
      severityText: 'ERROR',
      body: { message: 'structured', code: 500, nested: { ok: false }, tags: ['a', 'b'] },
      attributes: { run: 'kinds' },
    });
    await handle.forceFlush();

    const rows = await rowsWhere('kinds', 2);
    expect(rows).toHaveLength(2);
    const [a, b] = rows;
    expect(a.ts).toBe(`${SECONDS}123456789`);
    expect(a.observed).toBe(`${SECONDS}987654321`);
    expect(a.SeverityNumber).toBe(10);
    expect(a.SeverityText).toBe('NOTICE');
    expect(a.Body).toBe('plain string body');
    expect(a.EventName).toBe('user.login');
    expect(a.ServiceName).toBe('roundtrip-svc');
    expect(a.ScopeName).toBe('roundtrip.scope');
    expect(a.ScopeVersion).toBe('1.2.3');
    expect(a.ScopeSchemaUrl).toBe('https://opentelemetry.io/schemas/1.30.0');
    expect(a.ScopeAttributes).toEqual({ 'scope.attr': 'yes', 'scope.n': '3' });
    expect(a.LogAttributes).toEqual({
      run: 'kinds',
      str: 'héllo "quoted" \n newline',
      int: '42',
      negative: '-7',
      big: String(2 ** 40),
      double: '1.5',
      bool: 'true',
      bytes: Buffer.from([1, 2, 3, 250]).toString('base64'),
      array: '[1,"a",true,2.5]',
      map: '{"inner":{"deep":1},"list":["x"]}',
    });
    const res = a.ResourceAttributes as Record<string, string>;
    expect(res['service.name']).toBe('roundtrip-svc');
    expect(res['service.version']).toBe('9.8.7');
    expect(res['deployment.environment.name']).toBe('test');
    expect(res['res.int']).toBe('7');
    expect(res['res.bool']).toBe('false');
    expect(res['res.double']).toBe('0.25');
    expect(res['process.pid']).toBe(String(process.pid));
    expect(res['host.name']).toBeTruthy();
    expect(res['telemetry.sdk.language']).toBe('nodejs');
    // No active span: empty ids, zero flags.
    expect(a.TraceId).toBe('');
    expect(a.SpanId).toBe('');
    expect(a.TraceFlags).toBe(0);
    // INFO keeps 10 days by default, ERROR 15.
    expect(a.RetentionDays).toBe(10);

    expect(b.ts).toBe(`${SECONDS}123456790`);
    expect(b.observed).toBe(`${SECONDS + 1}000000001`);
    expect(b.SeverityNumber).toBe(17);
    expect(JSON.parse(b.Body as string)).toEqual({ message: 'structured', code: 500, nested: { ok: false }, tags: ['a', 'b'] });
    expect(b.RetentionDays).toBe(15);
  });

  it('carries trace id, span id and flags of the active span', async () => {
    const tracer = new TracerProvider().getTracer('roundtrip-tracer');
    const logger = getLogger('roundtrip.traced');
    let traceId = '';
    let spanId = '';
    tracer.startActiveSpan('handle-request', (span) => {
      traceId = span.spanContext().traceId;
      spanId = span.spanContext().spanId;
      logger.warn('inside span', { run: 'traced' });
      span.end();
    });
    // Outside the span: no ids.
    logger.info('outside span', { run: 'traced' });
    // A context set explicitly (a remote parent, unsampled) is carried too.
    const remote = trace.setSpanContext(context.active(), {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 0,
      isRemote: true,
    });
    context.with(remote, () => logger.error('remote parent', { run: 'traced' }));
    await handle.forceFlush();

    const rows = await rowsWhere('traced', 3);
    expect(rows).toHaveLength(3);
    const inside = rows.find((r) => r.Body === 'inside span')!;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(inside.TraceId).toBe(traceId);
    expect(inside.SpanId).toBe(spanId);
    expect(inside.TraceFlags).toBe(1);
    expect(inside.SeverityText).toBe('WARN');
    expect(inside.ScopeName).toBe('roundtrip.traced');
    const outside = rows.find((r) => r.Body === 'outside span')!;
    expect(outside.TraceId).toBe('');
    const remoteRow = rows.find((r) => r.Body === 'remote parent')!;
    expect(remoteRow.TraceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(remoteRow.SpanId).toBe('b7ad6b7169203331');
    expect(remoteRow.TraceFlags).toBe(0);
  });

  it('getLogger maps each level to its OTel severity number and text', async () => {
    const logger = getLogger('roundtrip.levels');
    // 'roundtrip.levels' is configured at info: trace and debug are no-ops.
    logger.trace('t', { run: 'levels' });
    logger.debug('d', { run: 'levels' });
    logger.info('i', { run: 'levels' });
    logger.warn('w', { run: 'levels' });
    logger.error('e', { run: 'levels' });
    logger.fatal('f', { run: 'levels' });
    await handle.forceFlush();
    const rows = await rowsWhere('levels', 4);
    const got = Object.fromEntries(rows.map((r) => [r.Body, [r.SeverityNumber, r.SeverityText]]));
    expect(got).toEqual({ i: [9, 'INFO'], w: [13, 'WARN'], e: [17, 'ERROR'], f: [21, 'FATAL'] });
  });

  it('the gRPC port lets an export of a batch go out in one HTTP/2 window (1 MiB per call, 4 MiB per client)', async () => {
    expect(await windowsSeenBy(collector.grpcPort)).toEqual({ stream: STREAM_WINDOW_BYTES, connection: CONNECTION_WINDOW_BYTES });
    // A full default batch (4096 records, ~0.6 MB) lands.
    const log = getLogger('roundtrip.window');
    for (let i = 0; i < 4096; i++) log.info(`batch record ${i} ${'x'.repeat(40)}`, { run: 'window', i });
    await handle.forceFlush();
    await waitForCount(collector, "LogAttributes['run'] = {run:String}", 4096, { run: 'window' });
  });
});
