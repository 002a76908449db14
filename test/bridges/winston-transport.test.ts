import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { queryRows, startTestCollector, tempDir } from '../helpers/collector.ts';
import { spawnNode } from '../helpers/process.ts';

// Issue 9: a real winston app (child process) logs through new LogqTransport() into logq's
// registered provider and a live collector; rows carry the mapped fields; nothing is lost on exit.

type Row = { Body: string; SeverityNumber: number; SeverityText: string; ScopeName: string; ServiceName: string; TraceId: string; SpanId: string; LogAttributes: Record<string, string>; ts: string };

const APP = resolve(import.meta.dirname, 'fixtures/winston-app.ts');
const tmp = tempDir();
let collector: Awaited<ReturnType<typeof startTestCollector>>;
let all: Row[];
const byBody = (body: string) => all.find((r) => r.Body === body)!;
const started = Date.now();

async function waitForRows(count: number): Promise<Row[]> {
  let r: Row[] = [];
  for (let i = 0; i < 200 && r.length < count; i++) {
    if (i) await new Promise((res) => setTimeout(res, 100));
    r = await queryRows<Row>(
      collector,
      `SELECT Body, SeverityNumber, SeverityText, ScopeName, ServiceName, TraceId, SpanId, LogAttributes, toString(toUnixTimestamp64Milli(Timestamp)) AS ts
       FROM otel.otel_logs WHERE LogAttributes['run'] = 'winston' ORDER BY Timestamp`,
    );
  }
  return r;
}

beforeAll(async () => {
  collector = await startTestCollector(tmp.dir);
  const app = spawnNode([APP], { LOGQ_ENDPOINT: collector.grpcEndpoint, RUN: 'winston', BULK: '1500' });
  expect(await app.exited, app.stderr()).toBe(0);
  all = await waitForRows(12 + 1500);
});
afterAll(async () => {
  await collector.stop();
  tmp.cleanup();
});

describe('winston LogqTransport', () => {
  it("maps winston's npm levels to OTel severities, message to body, the scope to loggerName", () => {
    const sev = (b: string) => [byBody(b).SeverityNumber, byBody(b).SeverityText];
    expect(sev('lvl-error')).toEqual([17, 'ERROR']);
    expect(sev('lvl-warn')).toEqual([13, 'WARN']);
    expect(sev('lvl-info')).toEqual([9, 'INFO']);
    expect(sev('lvl-http')).toEqual([7, 'HTTP']);
    expect(sev('lvl-verbose')).toEqual([6, 'VERBOSE']);
    expect(sev('lvl-debug')).toEqual([5, 'DEBUG']);
    expect(sev('lvl-silly')).toEqual([1, 'SILLY']);
    expect(byBody('lvl-info').ScopeName).toBe('billing');
    expect(byBody('lvl-info').ServiceName).toBe('winston-app');
  });

  it('turns metadata, defaultMeta and child metadata into flattened attributes; format.timestamp into the timestamp', () => {
    const r = byBody('with meta');
    expect(r.LogAttributes).toMatchObject({ run: 'winston', service: 'billing', orderId: '42', 'customer.id': 'c-1', 'customer.tier': 'gold' });
    expect(r.LogAttributes.token).toBe('[REDACTED]');
    for (const k of ['level', 'message', 'timestamp']) expect(r.LogAttributes).not.toHaveProperty(k);
    expect(Number(r.ts)).toBeGreaterThanOrEqual(started);
    expect(byBody('child msg').LogAttributes.component).toBe('ledger');
  });

  it('maps format.errors stacks and Error metadata to exception.*', () => {
    const r = byBody('boom');
    expect(r.SeverityNumber).toBe(17);
    expect(r.LogAttributes['exception.type']).toBe('TypeError');
    expect(r.LogAttributes['exception.message']).toBe('boom');
    expect(r.LogAttributes['exception.stacktrace']).toMatch(/^TypeError: boom\n\s+at /);
    expect(r.LogAttributes).not.toHaveProperty('stack');
    const meta = byBody('charge failed');
    expect(meta.LogAttributes['exception.type']).toBe('RangeError');
    expect(meta.LogAttributes['exception.message']).toBe('out of range');
    expect(meta.LogAttributes['exception.stacktrace']).toMatch(/^RangeError: out of range/);
  });

  it("carries logq's request id and trace ids", () => {
    const r = byBody('in request');
    expect(r.LogAttributes['request.id']).toBe('req-w1');
    expect(r.TraceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(r.SpanId).toBe('b7ad6b7169203331');
    expect(byBody('lvl-info').LogAttributes).not.toHaveProperty('request.id');
  });

  it('loses nothing when the app exits (registerLogging flushes on exit)', () => {
    const bulk = all.filter((r) => r.Body === 'bulk');
    expect(bulk).toHaveLength(1500);
    expect(new Set(bulk.map((r) => r.LogAttributes.i)).size).toBe(1500);
  });
});
