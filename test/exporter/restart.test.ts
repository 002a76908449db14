import { afterAll, describe, expect, it } from 'vitest';
import { GrpcLogExporter, type RetryEvent } from '../../src/exporter/GrpcLogExporter.ts';
import { getLogger } from '../../src/sdk/logger.ts';
import { registerLogging } from '../../src/sdk/register.ts';
import { queryRows, startTestCollector, tempDir } from '../helpers/collector.ts';

const tmp = tempDir('logq-exporter-restart-');
afterAll(() => tmp.cleanup());

async function countRows(c: Awaited<ReturnType<typeof startTestCollector>>, expected: number): Promise<number> {
  const now = async () => {
    const [row] = await queryRows<{ n: string }>(c, "SELECT count() AS n FROM otel.otel_logs WHERE ScopeName = 'restart'");
    return Number(row.n);
  };
  let n = await now();
  for (let i = 0; i < 100 && n < expected; i++) {
    await new Promise((r) => setTimeout(r, 100));
    n = await now();
  }
  return n;
}

describe('collector restart', () => {
  it('the exporter retries while the collector is down, reconnects when it is back, and loses nothing', async () => {
    let collector = await startTestCollector(tmp.dir);
    const port = collector.grpcPort;
    const retries: RetryEvent[] = [];
    const exporter = new GrpcLogExporter({ endpoint: collector.grpcEndpoint, timeoutMillis: 60_000, onRetry: (e) => retries.push(e) });
    const handle = registerLogging({ exporter, flushOnExit: false, batch: { scheduledDelayMillis: 50 } });
    const log = getLogger('restart');
    try {
      for (let i = 0; i < 10; i++) log.info(`before ${i}`);
      await handle.forceFlush();
      expect(await countRows(collector, 10)).toBe(10);

      await collector.stop();
      for (let i = 0; i < 25; i++) log.info(`during ${i}`);
      const flushed = handle.forceFlush();
      // Wait until the exporter has actually failed against the stopped collector and is retrying.
      while (retries.length < 2) await new Promise((r) => setTimeout(r, 20));
      expect(retries.every((r) => r.code === 14)).toBe(true); // UNAVAILABLE

      collector = await startTestCollector(tmp.dir, { grpcListen: `127.0.0.1:${port}` });
      await flushed;
      for (let i = 0; i < 5; i++) log.info(`after ${i}`);
      await handle.forceFlush();
      expect(await countRows(collector, 40)).toBe(40);
      const [dups] = await queryRows<{ n: string }>(collector, "SELECT count() - uniqExact(Body) AS n FROM otel.otel_logs WHERE ScopeName = 'restart'");
      expect(Number(dups.n)).toBe(0);
      expect(exporter.stats).toMatchObject({ exported: 40, failed: 0 });
      expect(handle.stats()).toMatchObject({ exported: 40, dropped: 0, failed: 0 });
    } finally {
      await handle.shutdown();
      await collector.stop();
    }
  });
});
