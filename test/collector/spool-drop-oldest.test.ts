import { afterAll, describe, expect, it } from 'vitest';
import type { BatchSink } from '../../src/collector/Shipper.ts';
import { queryRows, startTestCollector, tempDir, waitForDrain } from '../helpers/collector.ts';
import { encodeRequest, RawOtlpClient } from './otlp-client.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('spool full with --spool-when-full drop-oldest', () => {
  it('keeps accepting, deletes the oldest batches and counts every dropped record', async () => {
    let down = true;
    const wrapSink = (sink: BatchSink): BatchSink => async (batch, token) => {
      if (down) throw new Error('injected outage');
      await sink(batch, token);
    };
    const c = await startTestCollector(tmp.dir, { batchMaxRows: 100, batchMaxDelayMs: 5, spoolMaxBytes: 30_000, spoolWhenFull: 'drop-oldest' }, { wrapSink });
    try {
      const client = new RawOtlpClient(`127.0.0.1:${c.grpcPort}`);
      const sent = 40;
      for (let b = 0; b < sent; b++) {
        const records = Array.from({ length: 100 }, (_, k) => ({ body: `drop ${b} ${k}`, severityNumber: 9, attributes: { batch: String(b) } }));
        const r = await client.export(encodeRequest('drop-svc', records));
        expect(r.ok).toBe(true); // never refused under this policy
      }
      client.close();
      const dropped = c.spool.stats.droppedRows;
      expect(dropped).toBeGreaterThan(0);
      expect(dropped % 100).toBe(0);
      expect(c.spool.bytes).toBeLessThanOrEqual(30_000 + 10_000);
      expect(await c.metrics.metrics()).toContain(`logq_spool_dropped_log_records_total ${dropped}`);

      down = false;
      await waitForDrain(c, 30_000);
      const rows = await queryRows<{ batch: string }>(c, "SELECT DISTINCT LogAttributes['batch'] AS batch FROM otel.otel_logs WHERE ServiceName = 'drop-svc'");
      const kept = rows.map((r) => Number(r.batch)).sort((a, b) => a - b);
      // Stored + dropped = sent, and what was dropped is the oldest (the newest batch survived).
      expect(kept.length * 100 + dropped).toBe(sent * 100);
      expect(kept).toContain(sent - 1);
      expect(kept[0]).toBeGreaterThan(0);
    } finally {
      await c.stop();
    }
  });
});
