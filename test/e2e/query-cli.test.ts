import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeverityNumber } from '@opentelemetry/api';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { GrpcLogExporter } from '../../src/exporter/GrpcLogExporter.ts';
import { buildResource } from '../../src/sdk/resource.ts';
import { tempDir } from '../helpers/collector.ts';
import { CLI, spawnCollector, spawnNode } from '../helpers/process.ts';

// Issue 3: `logq query "<SQL>"` runs a read-only query against the embedded store (while no
// collector holds it) and prints a table or JSON.

const tmp = tempDir();
const dataDir = `${tmp.dir}/store`;

beforeAll(async () => {
  const collector = await spawnCollector(['--data-dir', dataDir]);
  const provider = new LoggerProvider({
    resource: buildResource({ serviceName: 'cli-svc' }),
    processors: [new BatchLogRecordProcessor({ exporter: new GrpcLogExporter({ endpoint: collector.grpcEndpoint }) })],
  });
  const logger = provider.getLogger('cli');
  logger.emit({ severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: 'payment failed', attributes: { order: 'A1' } });
  logger.emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: 'payment ok', attributes: { order: 'A2' } });
  await provider.shutdown();
  collector.child.kill('SIGTERM');
  expect(await collector.exited).toBe(0);
});
afterAll(() => tmp.cleanup());

async function logq(args: string[]) {
  const p = spawnNode([CLI, ...args]);
  const code = await p.exited;
  return { code, out: p.stdout(), err: p.stderr() };
}

describe('logq query', () => {
  it('prints a table', async () => {
    const r = await logq(['query', "SELECT SeverityText, Body, LogAttributes['order'] AS ord FROM otel.otel_logs ORDER BY ord", '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(/^SeverityText\s+│ Body\s+│ ord$/);
    expect(lines[2]).toMatch(/^ERROR\s+│ payment failed │ A1$/);
    expect(lines[3]).toMatch(/^INFO\s+│ payment ok\s+│ A2$/);
    expect(lines[4]).toBe('(2 rows)');
  });

  it('prints JSON with --format json, reading the store dir from LOGQ_DATA_DIR', async () => {
    const p = spawnNode([CLI, 'query', 'SELECT ServiceName, count() AS n FROM otel.otel_logs GROUP BY ServiceName', '--format', 'json'], {
      LOGQ_DATA_DIR: dataDir,
    });
    expect(await p.exited).toBe(0);
    expect(JSON.parse(p.stdout())).toEqual([{ ServiceName: 'cli-svc', n: '2' }]);
  });

  it('is read-only: writes and DDL are refused and change nothing', async () => {
    const ins = await logq(['query', "INSERT INTO otel.otel_logs (Body) VALUES ('sneaky')", '--data-dir', dataDir]);
    expect(ins.code).toBe(1);
    expect(ins.err).toMatch(/readonly/i);
    const drop = await logq(['query', 'DROP TABLE otel.otel_logs', '--data-dir', dataDir]);
    expect(drop.code).toBe(1);
    const count = await logq(['query', 'SELECT count() AS n FROM otel.otel_logs', '--data-dir', dataDir, '--format', 'json']);
    expect(JSON.parse(count.out)).toEqual([{ n: '2' }]);
  });

  it('explains usage errors', async () => {
    const r = await logq(['query', '--format', 'xml', 'SELECT 1', '--data-dir', dataDir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--format "xml" is not valid: expected table or json/);
  });
});
