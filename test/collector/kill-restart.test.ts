import { createServer } from 'node:net';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { afterAll, describe, expect, it } from 'vitest';
import { GrpcLogExporter } from '../../src/exporter/GrpcLogExporter.ts';
import { openStore } from '../../src/storage/client.ts';
import { tempDir } from '../helpers/collector.ts';
import { spawnCollector } from '../helpers/process.ts';

const TOTAL = 100_000;
const BATCH = 1000;
const CONCURRENCY = 4;
const KILL_AFTER_ACKED = 30_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const resource = resourceFromAttributes({ 'service.name': 'kill-test' });
function record(uid: number): ReadableLogRecord {
  const now = Date.now();
  return {
    hrTime: [Math.floor(now / 1000), (now % 1000) * 1e6 + (uid % 1e6)],
    hrTimeObserved: [Math.floor(now / 1000), (now % 1000) * 1e6],
    severityNumber: 9,
    severityText: 'INFO',
    body: `record ${uid}`,
    attributes: { uid: String(uid) },
    droppedAttributesCount: 0,
    resource,
    instrumentationScope: { name: 'kill-test' },
  } as unknown as ReadableLogRecord;
}

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('kill -9 mid-stream', () => {
  it('every acknowledged record is stored exactly once after a restart', async () => {
    const port = await freePort();
    const args = ['--data-dir', tmp.dir, '--grpc-listen', `127.0.0.1:${port}`, '--batch-max-delay', '20ms', '--batch-max-rows', '5000'];
    let collector = await spawnCollector(args);
    const exporter = new GrpcLogExporter({ endpoint: `http://127.0.0.1:${port}`, timeoutMillis: 120_000 });
    const acked = new Set<number>();
    const failed: string[] = [];
    let next = 0;
    let killed = false;
    let restarting: Promise<void> | undefined;

    const worker = async () => {
      while (next < TOTAL) {
        const start = next;
        next += BATCH;
        const records = Array.from({ length: BATCH }, (_, k) => record(start + k));
        const result = await new Promise<{ code: number; error?: Error }>((r) => exporter.export(records, r));
        if (result.code === ExportResultCode.SUCCESS) for (let k = 0; k < BATCH; k++) acked.add(start + k);
        else failed.push(String(result.error));
        if (!killed && acked.size >= KILL_AFTER_ACKED) {
          killed = true;
          // Mid-stream: other exports are in flight right now.
          collector.child.kill('SIGKILL');
          restarting = (async () => {
            await collector.exited;
            collector = await spawnCollector(args);
          })();
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await restarting;
    await exporter.shutdown();
    expect(killed).toBe(true);
    expect(failed).toEqual([]);
    // Acknowledged means durable, not yet inserted: wait until the spool has drained into ClickHouse
    // (a SIGTERM ships for at most 10 s; what is left would replay at the next start).
    const drainedBy = Date.now() + 180_000;
    for (;;) {
      const text = await (await fetch(`http://127.0.0.1:${collector.httpPort}/metrics`)).text();
      if (/^logq_spool_log_records 0$/m.test(text) && /^logq_buffer_log_records 0$/m.test(text)) break;
      if (Date.now() > drainedBy) throw new Error('spool did not drain');
      await new Promise((r) => setTimeout(r, 200));
    }
    collector.child.kill('SIGTERM');
    expect(await collector.exited).toBe(0);
    // What the restarted collector did (replayed spool batches, retried requests answered once).
    console.log(collector.stderr().split('\n').filter((l) => /spool recovered|collector stopped/.test(l)).join('\n'));
    expect(collector.stderr()).toMatch(/"msg":"collector stopped".*"leftInSpool":0/);

    // The collector is gone: open its store here and count by the unique attribute.
    const store = openStore({ dataDir: tmp.dir });
    try {
      const rs = await store.client.query({
        query: "SELECT LogAttributes['uid'] AS uid, count() AS n FROM otel.otel_logs WHERE ServiceName = 'kill-test' GROUP BY uid",
        format: 'JSONCompactEachRow',
      });
      const counts = new Map<number, number>();
      for (const [uid, n] of await rs.json<[string, string | number]>()) counts.set(Number(uid), Number(n));
      const missing = [...acked].filter((u) => !counts.has(u));
      const duplicated = [...counts].filter(([, n]) => n !== 1);
      expect(missing.length).toBe(0);
      expect(duplicated).toEqual([]);
      expect(acked.size).toBe(TOTAL);
      expect(counts.size).toBe(TOTAL);
    } finally {
      await store.close();
    }
  }, 300_000);
});
