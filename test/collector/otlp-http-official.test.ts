import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeverityNumber, type Logger } from '@opentelemetry/api';
import { OTLPLogExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as OtlpHttpProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { GrpcLogExporter } from '../../src/exporter/GrpcLogExporter.ts';
import { buildResource } from '../../src/sdk/resource.ts';
import { queryRows, startTestCollector, tempDir, waitForCount } from '../helpers/collector.ts';

// Issue 5: the official OTLP/HTTP exporters (JSON and protobuf, one of them gzip) land the same
// rows through POST /v1/logs as logq's gRPC exporter does through LogsService/Export.

const tmp = tempDir();
let collector: Awaited<ReturnType<typeof startTestCollector>>;
beforeAll(async () => {
  collector = await startTestCollector(tmp.dir);
});
afterAll(async () => {
  await collector.stop();
  tmp.cleanup();
});

const resource = buildResource({ serviceName: 'http-interop', resourceAttributes: { 'k8s.pod.name': 'pod-9', n: 3 } });
const SECONDS = Math.floor(Date.now() / 1000) - 5;

function emitAll(logger: Logger, client: string): void {
  logger.emit({
    timestamp: [SECONDS, 111_222_333],
    observedTimestamp: [SECONDS, 444_555_666],
    severityNumber: SeverityNumber.ERROR,
    severityText: 'ERROR',
    body: 'payment failed',
    eventName: 'payment.failed',
    attributes: { client, amount: 1999, ratio: 0.5, retried: false, tags: ['x', 'y'], detail: { code: 'E42' } },
  });
  logger.emit({
    timestamp: [SECONDS, 111_222_334],
    observedTimestamp: [SECONDS, 444_555_667],
    severityNumber: SeverityNumber.DEBUG,
    body: { k: 'v', n: [1, 2] },
    attributes: { client },
  });
}

async function sendWith(exporter: LogRecordExporter, client: string): Promise<void> {
  const provider = new LoggerProvider({ resource, processors: [new BatchLogRecordProcessor({ exporter })] });
  emitAll(provider.getLogger('http.scope', '2.0.0', { attributes: { lib: 'y' } }), client);
  await provider.forceFlush();
  await provider.shutdown();
}

describe('official OTLP/HTTP exporters → POST /v1/logs', () => {
  it('store the same rows as logq’s gRPC exporter', async () => {
    const url = `${collector.httpBase}/v1/logs`;
    await sendWith(new OtlpHttpJsonExporter({ url }), 'http-json');
    await sendWith(new OtlpHttpProtoExporter({ url, compression: 'gzip' as never }), 'http-proto-gzip');
    await sendWith(new GrpcLogExporter({ endpoint: collector.grpcEndpoint }), 'grpc-logq');

    const cols = `toString(toUnixTimestamp64Nano(Timestamp)) AS ts, toString(toUnixTimestamp64Nano(ObservedTimestamp)) AS observed,
      TraceId, SpanId, TraceFlags, SeverityText, SeverityNumber, ServiceName, Body, ResourceSchemaUrl, ResourceAttributes,
      ScopeSchemaUrl, ScopeName, ScopeVersion, ScopeAttributes, mapFilter((k, v) -> k != 'client', LogAttributes) AS attrs, EventName`;
    const get = (client: string) =>
      queryRows(collector, `SELECT ${cols} FROM otel.otel_logs WHERE LogAttributes['client'] = {c:String} ORDER BY Timestamp`, { c: client });
    await waitForCount(collector, "ServiceName = 'http-interop'", 6);
    const ours = await get('grpc-logq');
    expect(ours).toHaveLength(2);
    expect(ours[0]).toMatchObject({
      ts: `${SECONDS}111222333`,
      observed: `${SECONDS}444555666`,
      SeverityText: 'ERROR',
      SeverityNumber: 17,
      ServiceName: 'http-interop',
      Body: 'payment failed',
      EventName: 'payment.failed',
      ScopeName: 'http.scope',
      ScopeVersion: '2.0.0',
      ScopeAttributes: { lib: 'y' },
      attrs: { amount: '1999', ratio: '0.5', retried: 'false', tags: '["x","y"]', detail: '{"code":"E42"}' },
    });
    expect(await get('http-json')).toEqual(ours);
    expect(await get('http-proto-gzip')).toEqual(ours);
  });
});
