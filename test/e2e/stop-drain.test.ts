import { afterAll, describe, expect, it } from 'vitest';
import { SeverityNumber } from '@opentelemetry/api';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { GrpcLogExporter } from '../../src/exporter/GrpcLogExporter.ts';
import { openStore } from '../../src/storage/client.ts';
import { startTestCollector, tempDir } from '../helpers/collector.ts';

// Issue 3: on stop the collector writes every accepted record to ClickHouse, however long the
// backlog takes while inserts make progress (it gives up only when ClickHouse stalls).

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('collector stop with a spooled backlog', () => {
  it('drains a backlog that takes far longer than the stall timeout', async () => {
    const c = await startTestCollector(
      tmp.dir,
      { batchMaxRows: 100, batchMaxDelayMs: 5 },
      {
        // Slow but healthy ClickHouse: every insert takes 120 ms.
        wrapSink: (sink) => async (batch, token) => {
          await new Promise((r) => setTimeout(r, 120));
          await sink(batch, token);
        },
        drainTimeoutMs: 400,
      },
    );
    const provider = new LoggerProvider({
      processors: [
        new BatchLogRecordProcessor({
          exporter: new GrpcLogExporter({ endpoint: c.grpcEndpoint }),
          maxQueueSize: 5000,
          maxExportBatchSize: 500,
          scheduledDelayMillis: 10,
        }),
      ],
    });
    const logger = provider.getLogger('drain');
    for (let i = 0; i < 3000; i++) logger.emit({ severityNumber: SeverityNumber.INFO, body: `r${i}` });
    await provider.shutdown(); // every record acknowledged: durable in the spool
    const backlog = c.spool.rows;
    expect(backlog).toBeGreaterThan(1000); // ~30 batches x 120 ms ≫ the 400 ms stall timeout
    await c.stop();

    const store = openStore({ dataDir: tmp.dir });
    try {
      const rs = await store.client.query({ query: "SELECT count() AS n, uniqExact(Body) AS u FROM otel.otel_logs WHERE ScopeName = 'drain'", format: 'JSONEachRow' });
      expect((await rs.json<{ n: string; u: string }>()).map((r) => [Number(r.n), Number(r.u)])).toEqual([[3000, 3000]]);
    } finally {
      await store.close();
    }
  });
});
