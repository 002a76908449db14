import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SeverityNumber, trace } from '@opentelemetry/api';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { GrpcLogExporter } from '../../src/exporter/GrpcLogExporter.ts';
import { buildResource } from '../../src/sdk/resource.ts';
import { LOGS_SERVICE_DEFINITION } from '../../src/otlp/service.ts';
import { ROOT } from '../helpers/process.ts';

// Issue 3, proof 3: the bytes logq's exporter puts on the wire decode with an independent
// decoder (protobufjs loading proto/ directly), field by field.

const PROTO_DIR = join(ROOT, 'proto');
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => join(PROTO_DIR, target);
root.loadSync('opentelemetry/proto/collector/logs/v1/logs_service.proto');
const Request = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');

const received: Buffer[] = [];
const server = new grpc.Server();
let port = 0;

beforeAll(async () => {
  server.addService(
    LOGS_SERVICE_DEFINITION,
    {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        received.push(call.request);
        cb(null, Buffer.alloc(0));
      },
    },
  );
  port = await new Promise<number>((res, rej) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))),
  );
});
afterAll(() => server.forceShutdown());

interface Decoded {
  resourceLogs: {
    resource: { attributes: { key: string; value: Record<string, unknown> }[] };
    scopeLogs: {
      scope: { name: string; version: string; attributes?: { key: string; value: Record<string, unknown> }[] };
      logRecords: Record<string, unknown>[];
      schemaUrl?: string;
    }[];
  }[];
}

describe('logq exporter wire bytes', () => {
  it('decode with protobufjs to exactly what was logged', async () => {
    const exporter = new GrpcLogExporter({ endpoint: `http://127.0.0.1:${port}` });
    const provider = new LoggerProvider({
      resource: buildResource({ serviceName: 'wire-svc' }),
      processors: [new BatchLogRecordProcessor({ exporter })],
    });
    const a = provider.getLogger('scope.a', '1.0.0', { attributes: { sa: 'x' }, schemaUrl: 'https://example.com/s' });
    const b = provider.getLogger('scope.b');
    const big = 'é'.repeat(20_000); // > 16 KiB: exercises the length-prefix shift in ProtoWriter
    const ctx = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
    });
    // No context manager is installed in this test: pass the span's context explicitly.
    a.emit({
        context: ctx,
        timestamp: [1_800_000_000, 999_999_999],
        observedTimestamp: [1_800_000_001, 5],
        severityNumber: SeverityNumber.DEBUG3,
        severityText: 'DEBUG3',
        body: { msg: 'm', n: -3, f: 0.5, on: false, raw: new Uint8Array([0, 255]) },
        eventName: 'evt',
        attributes: { s: 'v', i: -9_007_199_254_740_991, d: 3.25, t: true, arr: ['q', 1], m: { x: { y: 'z' } } },
      });
    b.emit({ severityNumber: SeverityNumber.INFO, body: big, attributes: { big } });
    for (let i = 0; i < 300; i++) b.emit({ severityNumber: SeverityNumber.INFO, body: `n${i}`, attributes: { i } });
    await provider.forceFlush();
    await provider.shutdown();

    const decoded = received.map(
      (buf) => Request.toObject(Request.decode(buf), { longs: String, bytes: Array, defaults: false }) as unknown as Decoded,
    );
    const records = decoded.flatMap((d) => d.resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords.map((r) => ({ sl, r })))));
    expect(records).toHaveLength(302);

    const first = records.find(({ sl }) => sl.scope.name === 'scope.a')!;
    expect(first.sl.scope).toMatchObject({ name: 'scope.a', version: '1.0.0', attributes: [{ key: 'sa', value: { stringValue: 'x' } }] });
    expect(first.sl.schemaUrl).toBe('https://example.com/s');
    const r = first.r;
    expect(r.timeUnixNano).toBe('1800000000999999999');
    expect(r.observedTimeUnixNano).toBe('1800000001000000005');
    expect(r.severityNumber).toBe(7);
    expect(r.severityText).toBe('DEBUG3');
    expect(r.eventName).toBe('evt');
    expect(r.flags).toBe(1);
    expect(Buffer.from(r.traceId as number[]).toString('hex')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(Buffer.from(r.spanId as number[]).toString('hex')).toBe('00f067aa0ba902b7');
    expect(r.body).toEqual({
      kvlistValue: {
        values: [
          { key: 'msg', value: { stringValue: 'm' } },
          { key: 'n', value: { intValue: '-3' } },
          { key: 'f', value: { doubleValue: 0.5 } },
          { key: 'on', value: { boolValue: false } },
          { key: 'raw', value: { bytesValue: [0, 255] } },
        ],
      },
    });
    expect(r.attributes).toEqual([
      { key: 's', value: { stringValue: 'v' } },
      { key: 'i', value: { intValue: '-9007199254740991' } },
      { key: 'd', value: { doubleValue: 3.25 } },
      { key: 't', value: { boolValue: true } },
      { key: 'arr', value: { arrayValue: { values: [{ stringValue: 'q' }, { intValue: '1' }] } } },
      { key: 'm', value: { kvlistValue: { values: [{ key: 'x', value: { kvlistValue: { values: [{ key: 'y', value: { stringValue: 'z' } }] } } }] } } },
    ]);

    const bigRec = records.find(({ r }) => (r.body as { stringValue?: string }).stringValue === big);
    expect(bigRec).toBeDefined();
    expect(bigRec!.r.attributes).toEqual([{ key: 'big', value: { stringValue: big } }]);
    const numbered = records.filter(({ r }) => /^n\d+$/.test((r.body as { stringValue?: string }).stringValue ?? ''));
    expect(numbered.map(({ r }) => (r.attributes as { value: { intValue: string } }[])[0].value.intValue)).toEqual(
      Array.from({ length: 300 }, (_, i) => String(i)),
    );

    const res = decoded[0].resourceLogs[0].resource.attributes;
    expect(res.find((kv) => kv.key === 'service.name')?.value).toEqual({ stringValue: 'wire-svc' });
    expect(res.find((kv) => kv.key === 'process.pid')?.value).toEqual({ intValue: String(process.pid) });
  });
});
