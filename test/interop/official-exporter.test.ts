import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeverityNumber, type Logger } from '@opentelemetry/api';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { GrpcLogExporter } from '../../src/exporter/GrpcLogExporter.ts';
import { buildResource } from '../../src/sdk/resource.ts';
import { queryRows, startTestCollector, tempDir, waitForCount } from '../helpers/collector.ts';

// Issue 3, proof 2: a client we did not write (the official OTLP/gRPC exporter) lands the same
// rows in ClickHouse as logq's exporter.

const tmp = tempDir();
let collector: Awaited<ReturnType<typeof startTestCollector>>;

beforeAll(async () => {
  collector = await startTestCollector(tmp.dir);
});
afterAll(async () => {
  await collector.stop();
  tmp.cleanup();
});

const resource = buildResource({ serviceName: 'interop-svc', resourceAttributes: { 'k8s.pod.name': 'pod-1', n: 3 } });
const SECONDS = Math.floor(Date.now() / 1000) - 5;

function emitAll(logger: Logger, client: string): void {
  logger.emit({
    timestamp: [SECONDS, 111_222_333],
    observedTimestamp: [SECONDS, 444_555_666],
    severityNumber: SeverityNumber.WARN,
    severityText: 'WARN',
    body: 'disk almost full',
    eventName: 'disk.pressure',
    attributes: { client, 'disk.free_bytes': 1024, ratio: 0.93, mounted: true, tags: ['a', 'b'], detail: { dev: 'sda1' } },
  });
  logger.emit({
    timestamp: [SECONDS, 111_222_334],
    observedTimestamp: [SECONDS, 444_555_667],
    severityNumber: SeverityNumber.FATAL,
    severityText: 'FATAL',
    body: { k: 'v', list: [1, 2] },
    attributes: { client },
  });
}

async function sendWith(exporter: LogRecordExporter, client: string): Promise<void> {
  const provider = new LoggerProvider({ resource, processors: [new BatchLogRecordProcessor({ exporter })] });
  emitAll(provider.getLogger('interop.scope', '0.1.0', { attributes: { lib: 'x' } }), client);
  await provider.forceFlush();
  await provider.shutdown();
}

describe('official @opentelemetry/exporter-logs-otlp-grpc → logq collector', () => {
  it('stores the same rows as logq’s own exporter', async () => {
    await sendWith(new OTLPLogExporter({ url: collector.grpcEndpoint }), 'official');
    await sendWith(new GrpcLogExporter({ endpoint: collector.grpcEndpoint }), 'logq');

    const cols = `toString(toUnixTimestamp64Nano(Timestamp)) AS ts, toString(toUnixTimestamp64Nano(ObservedTimestamp)) AS observed,
      TraceId, SpanId, TraceFlags, SeverityText, SeverityNumber, ServiceName, Body, ResourceSchemaUrl, ResourceAttributes,
      ScopeSchemaUrl, ScopeName, ScopeVersion, ScopeAttributes, mapFilter((k, v) -> k != 'client', LogAttributes) AS attrs, EventName`;
    const get = (client: string) =>
      queryRows(collector, `SELECT ${cols} FROM otel.otel_logs WHERE LogAttributes['client'] = {c:String} ORDER BY Timestamp`, { c: client });
    await waitForCount(collector, "LogAttributes['client'] IN ('official', 'logq')", 4);
    const official = await get('official');
    const ours = await get('logq');
    expect(official).toHaveLength(2);
    expect(official[0]).toMatchObject({
      ts: `${SECONDS}111222333`,
      observed: `${SECONDS}444555666`,
      SeverityText: 'WARN',
      SeverityNumber: 13,
      ServiceName: 'interop-svc',
      Body: 'disk almost full',
      EventName: 'disk.pressure',
      ScopeName: 'interop.scope',
      ScopeVersion: '0.1.0',
      ScopeAttributes: { lib: 'x' },
      attrs: { 'disk.free_bytes': '1024', ratio: '0.93', mounted: 'true', tags: '["a","b"]', detail: '{"dev":"sda1"}' },
    });
    expect(JSON.parse(official[1].Body as string)).toEqual({ k: 'v', list: [1, 2] });
    expect(ours).toEqual(official);
  });
});
