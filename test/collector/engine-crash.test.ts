import { afterAll, describe, expect, it } from 'vitest';
import { queryRows, startTestCollector, tempDir, waitForCount } from '../helpers/collector.ts';
import { encodeRequest, RawOtlpClient } from './otlp-client.ts';

/**
 * The collector's default embedded store runs the engine in a process of its own. Killing that
 * process mid-stream (an engine crash) must cost nothing: clients keep being acknowledged (the spool
 * is the durable copy), the failed inserts are retried on a new engine process, and every record
 * lands exactly once.
 */
const tmp = tempDir();
afterAll(() => tmp.cleanup());

const BATCHES = 60;
const PER_BATCH = 200;

describe('engine process crash under load', () => {
  it('keeps acknowledging, restarts the engine, and stores every record exactly once', async () => {
    const c = await startTestCollector(tmp.dir, { batchMaxRows: 1000, batchMaxDelayMs: 10, insertMaxDelayMs: 0, retryDelayMs: 50 });
    const client = new RawOtlpClient(`127.0.0.1:${c.grpcPort}`);
    try {
      const first = c.store.engine?.pid;
      expect(first).toBeGreaterThan(0);
      const failures: string[] = [];
      for (let b = 0; b < BATCHES; b++) {
        const records = Array.from({ length: PER_BATCH }, (_, k) => ({ body: `r ${b * PER_BATCH + k}`, attributes: { uid: String(b * PER_BATCH + k) } }));
        const out = await client.export(encodeRequest('engine-crash', records));
        if (!out.ok) failures.push(`${out.code} ${out.details}`);
        if (b === BATCHES / 2) process.kill(first!, 'SIGKILL');
      }
      expect(failures).toEqual([]);
      await waitForCount(c, "ServiceName = 'engine-crash'", BATCHES * PER_BATCH, {}, 60_000);
      const [dups] = await queryRows<{ n: string }>(c, "SELECT count() AS n FROM (SELECT LogAttributes['uid'] AS u FROM otel.otel_logs WHERE ServiceName = 'engine-crash' GROUP BY u HAVING count() > 1)");
      expect(Number(dups.n)).toBe(0);
      const [total] = await queryRows<{ n: string }>(c, "SELECT uniqExact(LogAttributes['uid']) AS n FROM otel.otel_logs WHERE ServiceName = 'engine-crash'");
      expect(Number(total.n)).toBe(BATCHES * PER_BATCH);
      expect(c.store.engine?.pid).not.toBe(first);
      const metrics = await (await fetch(`${c.httpBase}/metrics`)).text();
      expect(metrics).toMatch(/^logq_engine_process_crashes_total 1$/m);
      expect(metrics).toMatch(/^logq_engine_process_starts_total 2$/m);
      expect(Number(/^logq_engine_process_resident_memory_bytes (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(50 * 1024 * 1024);
    } finally {
      client.close();
      await c.stop();
    }
  }, 120_000);
});
