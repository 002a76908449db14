import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { queryRows, startTestCollector, tempDir } from '../helpers/collector.ts';
import { spawnNode } from '../helpers/process.ts';

// Issue 9: a real pino app (child process) logs through pino.transport({ target: 'logq/pino' })
// into a live collector; the stored rows carry the mapped fields, and nothing is lost on exit.

type Row = { Body: string; SeverityNumber: number; SeverityText: string; ScopeName: string; ServiceName: string; TraceId: string; SpanId: string; TraceFlags: number; LogAttributes: Record<string, string>; ts: string };

const APP = resolve(import.meta.dirname, 'fixtures/pino-app.ts');
const tmp = tempDir();
let collector: Awaited<ReturnType<typeof startTestCollector>>;

beforeAll(async () => {
  collector = await startTestCollector(tmp.dir);
});
afterAll(async () => {
  await collector.stop();
  tmp.cleanup();
});

async function runApp(env: Record<string, string>): Promise<void> {
  const app = spawnNode([APP], { LOGQ_ENDPOINT: collector.grpcEndpoint, ...env });
  const code = await app.exited;
  expect(code, app.stderr()).toBe(0);
}

async function rows(run: string, extra = ''): Promise<Row[]> {
  // The collector batches for 50 ms: poll until the expected rows are stored.
  return queryRows<Row>(
    collector,
    `SELECT Body, SeverityNumber, SeverityText, ScopeName, ServiceName, TraceId, SpanId, TraceFlags, LogAttributes,
            toString(toUnixTimestamp64Milli(Timestamp)) AS ts
     FROM otel.otel_logs WHERE LogAttributes['run'] = {run:String} ${extra} ORDER BY Timestamp, Body`,
    { run },
  );
}

async function waitForRows(run: string, count: number, extra = ''): Promise<Row[]> {
  for (let i = 0; i < 200; i++) {
    const r = await rows(run, extra);
    if (r.length >= count) return r;
    await new Promise((res) => setTimeout(res, 100));
  }
  return rows(run, extra);
}

describe('logq/pino transport', () => {
  const fixedTime = String(Date.now() - 60_000);
  let all: Row[];
  const byBody = (body: string) => all.find((r) => r.Body === body)!;

  beforeAll(async () => {
    await runApp({ RUN: 'mapping', FIXED_TIME: fixedTime, EXIT_MODE: 'natural' });
    all = await waitForRows('mapping', 13);
  });

  it('maps pino levels 10..60 to OTel TRACE..FATAL, custom levels inside their band, msg to body', () => {
    const sev = (b: string) => [byBody(b).SeverityNumber, byBody(b).SeverityText];
    expect(sev('lvl-trace')).toEqual([1, 'TRACE']);
    expect(sev('lvl-debug')).toEqual([5, 'DEBUG']);
    expect(sev('lvl-info')).toEqual([9, 'INFO']);
    expect(sev('lvl-warn')).toEqual([13, 'WARN']);
    expect(sev('lvl-error')).toEqual([17, 'ERROR']);
    expect(sev('lvl-fatal')).toEqual([21, 'FATAL']);
    expect(sev('lvl-audit')).toEqual([11, 'AUDIT']);
    expect(all).toHaveLength(13);
  });

  it('uses pino name as the scope, the service from the options, bindings and child bindings as attributes', () => {
    const r = byBody('child msg');
    expect(r.ScopeName).toBe('orders');
    expect(r.ServiceName).toBe('pino-app');
    expect(r.LogAttributes).toMatchObject({ run: 'mapping', component: 'db', 'nested.a': '1', 'nested.b': 'two', orderId: '42' });
    // Redaction is on in the worker, as with registerLogging.
    expect(r.LogAttributes.password).toBe('[REDACTED]');
    // pid/hostname are the resource's process.pid/host.name, not repeated per record; msg/level/time are fields.
    for (const k of ['pid', 'hostname', 'msg', 'level', 'time', 'name']) expect(r.LogAttributes).not.toHaveProperty(k);
    // A logger without pino `name` gets the configured loggerName.
    expect(byBody('fixed time').ScopeName).toBe('pino-default');
  });

  it('maps err to exception.type/message/stacktrace and keeps its other fields', () => {
    const r = byBody('failed');
    expect(r.LogAttributes['exception.type']).toBe('TypeError');
    expect(r.LogAttributes['exception.message']).toBe('boom');
    expect(r.LogAttributes['exception.stacktrace']).toMatch(/^TypeError: boom\n\s+at /);
    expect(r.LogAttributes['err.code']).toBe('E_BOOM');
    const bare = byBody('bare error');
    expect(bare.SeverityNumber).toBe(17);
    expect(bare.LogAttributes['exception.type']).toBe('RangeError');
  });

  it('maps time to the timestamp', () => {
    expect(byBody('fixed time').ts).toBe(fixedTime);
  });

  it('carries request id, user id and trace ids from logqPinoMixin (request context and active span)', () => {
    const req = byBody('in request');
    expect(req.LogAttributes['request.id']).toBe('req-123');
    expect(req.LogAttributes['user.id']).toBe('u-7');
    expect(req.TraceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(req.SpanId).toBe('b7ad6b7169203331');
    expect(req.TraceFlags).toBe(1);
    for (const k of ['trace_id', 'span_id', 'trace_flags']) expect(req.LogAttributes).not.toHaveProperty(k);
    const span = byBody('in span');
    expect(span.TraceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(span.SpanId).toBe('00f067aa0ba902b7');
    expect(span.LogAttributes).not.toHaveProperty('request.id');
    expect(byBody('lvl-info').TraceId).toBe('');
  });

  for (const mode of ['natural', 'exit'] as const) {
    it(`loses nothing when the app exits right after logging (${mode === 'exit' ? 'process.exit(0)' : 'end of the event loop'})`, async () => {
      const run = `bulk-${mode}`;
      await runApp({ RUN: run, FIXED_TIME: fixedTime, EXIT_MODE: mode, BULK: '5000' });
      const got = await waitForRows(run, 5000, "AND Body = 'bulk'");
      expect(got).toHaveLength(5000);
      expect(new Set(got.map((r) => r.LogAttributes.i)).size).toBe(5000);
    });
  }
});
