import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { queryRows, startTestCollector, tempDir } from '../helpers/collector.ts';
import { spawnNode } from '../helpers/process.ts';

// Issue 9, the alternative path: @opentelemetry/instrumentation-pino feeds the LoggerProvider that
// registerLogging() installed; the records reach the collector through logq's pipeline.

type Row = { Body: string; SeverityNumber: number; ScopeName: string; ServiceName: string; TraceId: string; LogAttributes: Record<string, string> };

const APP = resolve(import.meta.dirname, 'fixtures/pino-instrumentation-app.ts');
const tmp = tempDir();
let collector: Awaited<ReturnType<typeof startTestCollector>>;
let rows: Row[];
const byBody = (b: string) => rows.find((r) => r.Body === b)!;

beforeAll(async () => {
  collector = await startTestCollector(tmp.dir);
  const app = spawnNode([APP], { LOGQ_ENDPOINT: collector.grpcEndpoint, RUN: 'instr' });
  expect(await app.exited, app.stderr()).toBe(0);
  for (let i = 0; i < 200; i++) {
    rows = await queryRows<Row>(
      collector,
      `SELECT Body, SeverityNumber, ScopeName, ServiceName, TraceId, LogAttributes FROM otel.otel_logs WHERE LogAttributes['run'] = 'instr' ORDER BY Timestamp`,
    );
    if (rows.length >= 1004) break;
    await new Promise((res) => setTimeout(res, 100));
  }
});
afterAll(async () => {
  await collector.stop();
  tmp.cleanup();
});

describe('@opentelemetry/instrumentation-pino into logq', () => {
  it("stores pino's records through logq's registered provider, with severities and attributes", () => {
    expect(byBody('instr debug').SeverityNumber).toBe(5);
    expect(byBody('instr warn').SeverityNumber).toBe(13);
    expect(byBody('instr warn').LogAttributes.orderId).toBe('7');
    expect(byBody('instr warn').ScopeName).toBe('@opentelemetry/instrumentation-pino');
    expect(byBody('instr warn').ServiceName).toBe('pino-instrumented');
  });

  it('maps err to exception.* and keeps the request id (logqPinoMixin) and the active trace', () => {
    const e = byBody('instr failed');
    expect(e.SeverityNumber).toBe(17);
    expect(e.LogAttributes['exception.type']).toBe('TypeError');
    expect(e.LogAttributes['exception.message']).toBe('instr boom');
    const r = byBody('instr in request');
    expect(r.LogAttributes['request.id']).toBe('req-i1');
    expect(r.TraceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('loses nothing on exit (registerLogging flushes when the loop drains)', () => {
    expect(rows.filter((r) => r.Body === 'instr bulk')).toHaveLength(1000);
  });
});
