import { afterAll, describe, expect, it } from 'vitest';
import { SeverityNumber } from '@opentelemetry/api';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { GrpcLogExporter } from '../../src/exporter/GrpcLogExporter.ts';
import { buildResource } from '../../src/sdk/resource.ts';
import { openStore } from '../../src/storage/client.ts';
import { eventually, tempDir } from '../helpers/collector.ts';
import { CLI, spawnCollector, spawnNode } from '../helpers/process.ts';

// Issue 3, proofs 5 and 6: SIGTERM flushes the batcher; start-up is idempotent; bad flags are
// refused with a message naming the flag and the expected form. Real `logq collector` processes.

const tmp = tempDir();
afterAll(() => tmp.cleanup());

async function countRows(dataDir: string, where = '1'): Promise<number> {
  const store = openStore({ dataDir });
  try {
    const rs = await store.client.query({ query: `SELECT count() AS n FROM otel.otel_logs WHERE ${where}`, format: 'JSONEachRow' });
    const [row] = await rs.json<{ n: string }>();
    return Number(row.n);
  } finally {
    await store.close();
  }
}

describe('logq collector process', () => {
  it('on SIGTERM writes every record still in its batcher, answers the client, exits 0', async () => {
    const dataDir = `${tmp.dir}/sigterm`;
    // Batches would wait 60 s: the records are still in memory when SIGTERM arrives.
    const collector = await spawnCollector(['--data-dir', dataDir, '--batch-max-delay', '60s', '--batch-max-rows', '1000000'], {
      LOGQ_LOG_LEVEL: 'debug',
    });
    const provider = new LoggerProvider({
      resource: buildResource({ serviceName: 'sigterm-svc' }),
      processors: [
        new BatchLogRecordProcessor({
          exporter: new GrpcLogExporter({ endpoint: collector.grpcEndpoint, timeoutMillis: 120_000 }),
          maxQueueSize: 10_000,
          maxExportBatchSize: 2500, // one Export call carrying every record
          exportTimeoutMillis: 120_000,
        }),
      ],
    });
    const logger = provider.getLogger('sigterm');
    for (let i = 0; i < 2500; i++) logger.emit({ severityNumber: SeverityNumber.INFO, body: `record ${i}`, attributes: { i } });
    const flushed = provider.forceFlush();
    // Wait until all 2500 records sit in the collector's in-memory batch (batches wait 60 s).
    await eventually(async () => {
      const metrics = await fetch(`http://127.0.0.1:${collector.httpPort}/metrics`).then((r) => r.text());
      return /^logq_buffer_log_records 2500$/m.test(metrics);
    }, 30_000, 'the batch to hold 2500 records');
    expect(collector.stderr()).not.toMatch(/"msg":"collector stopped"/);

    collector.child.kill('SIGTERM');
    expect(await collector.exited).toBe(0);
    await flushed; // the client got its acknowledgements
    await provider.shutdown();
    expect(await countRows(dataDir)).toBe(2500);
    expect(await countRows(dataDir, "ServiceName = 'sigterm-svc' AND Body = 'record 2499'")).toBe(1);
  });

  it('starts twice on the same data dir without changing the schema or losing rows', async () => {
    const dataDir = `${tmp.dir}/twice`;
    const first = await spawnCollector(['--data-dir', dataDir]);
    expect(first.stderr()).toMatch(/"tableCreated":true/);
    const provider = new LoggerProvider({
      processors: [new BatchLogRecordProcessor({ exporter: new GrpcLogExporter({ endpoint: first.grpcEndpoint }) })],
    });
    provider.getLogger('twice').emit({ severityNumber: SeverityNumber.INFO, body: 'kept across restarts' });
    await provider.shutdown();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await spawnCollector(['--data-dir', dataDir]);
    expect(second.stderr()).toMatch(/"tableCreated":false/);
    expect(second.stderr()).toMatch(/"retentionChanged":false/);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
    expect(await countRows(dataDir, "Body = 'kept across restarts'")).toBe(1);
  });

  it.each([
    [['--grpc-listen', 'localhost'], /--grpc-listen.*"localhost".*host:port/],
    [['--http-listen', '127.0.0.1:99999'], /--http-listen.*host:port/],
    [['--retention', 'INFO=ten'], /--retention.*INFO=ten.*LEVEL=<days>d/],
    [['--retention', 'VERBOSE=3d'], /--retention.*unknown level "VERBOSE"/],
    [['--clickhouse-url', 'ftp://x'], /--clickhouse-url.*http:\/\/ or https:\/\//],
    [['--batch-max-rows', '0'], /--batch-max-rows.*integer from 1/],
    [['--no-such-flag', 'x'], /unknown option "--no-such-flag"/],
  ])('refuses %j with a message naming the flag and the expected form', async (args, message) => {
    const p = spawnNode([CLI, 'collector', '--data-dir', `${tmp.dir}/never`, ...args]);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toMatch(message);
  });

  it('refuses a bad env twin the same way', async () => {
    const p = spawnNode([CLI, 'collector'], { LOGQ_GRPC_LISTEN: 'nope', LOGQ_DATA_DIR: `${tmp.dir}/never` });
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toMatch(/--grpc-listen \(LOGQ_GRPC_LISTEN\): "nope" is not valid: expected host:port/);
  });
});
