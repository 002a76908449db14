import * as grpc from '@grpc/grpc-js';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { GrpcLogExporter } from '../../src/exporter/GrpcLogExporter.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchSink } from '../../src/collector/Shipper.ts';
import { queryRows, startTestCollector, tempDir } from '../helpers/collector.ts';
import { encodeRequest, RawOtlpClient } from './otlp-client.ts';

/**
 * Storage outage: a wrapper around the real ClickHouse writer throws for a while (a real outage:
 * every insert attempt fails) while clients keep sending. The outage length is
 * LOGQ_TEST_OUTAGE_MS (the 60 s: LOGQ_TEST_OUTAGE_MS=60000), 3 s by default.
 */
const OUTAGE_MS = Number(process.env.LOGQ_TEST_OUTAGE_MS ?? 3000);

type Mode = 'ok' | 'down' | 'insert-then-throw';
let mode: Mode = 'ok';
let failedAfterInsert = 0;
const wrapSink = (sink: BatchSink): BatchSink => async (batch, token) => {
  if (mode === 'down') throw new Error('injected outage: ClickHouse unreachable');
  await sink(batch, token);
  if (mode === 'insert-then-throw') {
    // The insert landed but the answer was "lost": the shipper must retry with the same token.
    failedAfterInsert++;
    mode = 'ok';
    throw new Error('injected: connection reset after insert');
  }
};

const tmp = tempDir();
let c: Awaited<ReturnType<typeof startTestCollector>>;

beforeAll(async () => {
  c = await startTestCollector(
    tmp.dir,
    { batchMaxRows: 500, batchMaxDelayMs: 20, spoolMaxBytes: 400_000, retryDelayMs: 50, maxPendingRows: 5_000 },
    { wrapSink },
  );
});
afterAll(async () => {
  await c?.stop();
  tmp.cleanup();
});

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Sends one request until it is acknowledged, honouring RetryInfo; returns the refusals seen. */
async function sendUntilAcked(client: RawOtlpClient, payload: Buffer, seen: { unavailable: number; retryInfo: number; delays: number[] }) {
  for (;;) {
    const r = await client.export(payload);
    if (r.ok) return;
    expect(r.code).toBe(grpc.status.UNAVAILABLE);
    seen.unavailable++;
    if (r.retryDelayMs !== undefined) {
      seen.retryInfo++;
      seen.delays.push(r.retryDelayMs);
    }
    await new Promise((res) => setTimeout(res, Math.min(r.retryDelayMs ?? 100, 250)));
  }
}

describe('storage outage', () => {
  it('loses and duplicates nothing; clients get UNAVAILABLE + RetryInfo once the spool bound is reached', async () => {
    const service = 'outage-svc';
    const clients = [0, 1, 2, 3].map(() => new RawOtlpClient(`127.0.0.1:${c.grpcPort}`));
    const seen = { unavailable: 0, retryInfo: 0, delays: [] as number[] };
    let acked = 0;
    let outageOver = false;
    let sentAfterOutage = 0;
    const outage = (async () => {
      await waitFor(() => acked >= 1000);
      mode = 'down';
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
      mode = 'ok';
      outageOver = true;
    })();
    // logq's own exporter sends alongside: it must ride out the outage by honouring RetryInfo.
    const exporter = new GrpcLogExporter({ endpoint: c.grpcEndpoint, timeoutMillis: OUTAGE_MS + 60_000 });
    const resource = resourceFromAttributes({ 'service.name': service });
    let exporterFailures = 0;
    const viaExporter = (async () => {
      for (let n = 0; !outageOver || n < 5; n++) {
        const records = Array.from({ length: 50 }, (_, k) => ({
          hrTime: [Math.floor(Date.now() / 1000), k],
          hrTimeObserved: [Math.floor(Date.now() / 1000), k],
          severityNumber: 9,
          body: `exporter record ${n}-${k}`,
          attributes: { uid: `x-${n}-${k}` },
          droppedAttributesCount: 0,
          resource,
          instrumentationScope: { name: 'outage' },
        })) as unknown as ReadableLogRecord[];
        const result = await new Promise<{ code: number }>((r) => exporter.export(records, r));
        if (result.code === ExportResultCode.SUCCESS) acked += records.length;
        else exporterFailures++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await Promise.all(
      clients.map(async (client, ci) => {
        for (let n = 0; !outageOver || sentAfterOutage < 40; n++) {
          const records = Array.from({ length: 50 }, (_, k) => ({
            body: `outage record ${ci}-${n}-${k}`,
            severityNumber: 9,
            attributes: { uid: `${ci}-${n}-${k}` },
          }));
          await sendUntilAcked(client, encodeRequest(service, records), seen);
          acked += records.length;
          if (outageOver) sentAfterOutage++;
        }
      }),
    );
    await outage;
    await viaExporter;
    await exporter.shutdown();
    expect(exporterFailures).toBe(0);
    for (const client of clients) client.close();

    // Everything acknowledged reaches ClickHouse once the spool drains.
    await waitFor(() => c.spool.entries.length === 0 && c.stats.pendingRows === 0);
    const [row] = await queryRows<{ n: string; u: string }>(
      c,
      "SELECT count() AS n, uniqExact(LogAttributes['uid']) AS u FROM otel.otel_logs WHERE ServiceName = {s:String}",
      { s: service },
    );
    expect(Number(row.u)).toBe(acked);
    expect(Number(row.n)).toBe(acked);

    // Clients were pushed back with a RetryInfo delay, longer while ClickHouse was failing.
    expect(seen.unavailable).toBeGreaterThan(0);
    expect(seen.retryInfo).toBe(seen.unavailable);
    expect(Math.max(...seen.delays)).toBe(250);
    expect(c.shipperStats.insertFailures).toBeGreaterThan(0);
    expect(c.shipperStats.replayedRows).toBeGreaterThan(0);
    const metrics = await c.metrics.metrics();
    expect(metrics).toMatch(/logq_receiver_refused_log_records_total [1-9]/);
    expect(metrics).toMatch(/logq_spool_replayed_log_records_total [1-9]/);
    expect(metrics).toMatch(/logq_exporter_send_failed_requests_total [1-9]/);
  }, OUTAGE_MS + 120_000);

  it('a batch whose insert landed but whose answer was lost is retried with the same token and stored once', async () => {
    const service = 'dedup-svc';
    const client = new RawOtlpClient(`127.0.0.1:${c.grpcPort}`);
    mode = 'insert-then-throw';
    const records = Array.from({ length: 300 }, (_, k) => ({ body: `dedup ${k}`, severityNumber: 17, attributes: { uid: String(k) } }));
    const r = await client.export(encodeRequest(service, records));
    client.close();
    expect(r.ok).toBe(true);
    await waitFor(() => c.spool.entries.length === 0);
    expect(failedAfterInsert).toBe(1);
    const [row] = await queryRows<{ n: string }>(c, 'SELECT count() AS n FROM otel.otel_logs WHERE ServiceName = {s:String}', { s: service });
    expect(Number(row.n)).toBe(300);
  });

  it('a client resending a request it already got acknowledged (its answer was lost) is answered without storing it twice', async () => {
    const client = new RawOtlpClient(`127.0.0.1:${c.grpcPort}`);
    const payload = encodeRequest('resend-svc', Array.from({ length: 40 }, (_, k) => ({ body: `resend ${k}`, severityNumber: 9 })));
    const before = (await c.metrics.getSingleMetricAsString('logq_receiver_duplicate_requests_total')).match(/ (\d+)$/m)![1];
    // A resend while the first copy is still being batched waits for it...
    const [a, b] = await Promise.all([client.export(payload), client.export(payload)]);
    expect(a.ok && b.ok).toBe(true);
    // ...and one after it is durable is answered from the journal.
    expect((await client.export(payload)).ok).toBe(true);
    client.close();
    const after = (await c.metrics.getSingleMetricAsString('logq_receiver_duplicate_requests_total')).match(/ (\d+)$/m)![1];
    expect(Number(after) - Number(before)).toBe(2);
    await waitFor(() => c.spool.entries.length === 0 && c.stats.pendingRows === 0);
    const [row] = await queryRows<{ n: string }>(c, "SELECT count() AS n FROM otel.otel_logs WHERE ServiceName = 'resend-svc'");
    expect(Number(row.n)).toBe(40);
  });

  it('/readyz reports the reason while inserts fail, and recovers', async () => {
    mode = 'down';
    const client = new RawOtlpClient(`127.0.0.1:${c.grpcPort}`);
    const r = await client.export(encodeRequest('readyz-svc', [{ body: 'x', severityNumber: 9 }]));
    client.close();
    expect(r.ok).toBe(true); // durable in the spool although ClickHouse is down
    await waitFor(() => c.shipperStats.failingSince !== 0);
    const down = await fetch(`${c.httpBase}/readyz`);
    expect(down.status).toBe(503);
    expect(((await down.json()) as { reason: string }).reason).toMatch(/ClickHouse inserts failing since .*injected outage/);
    mode = 'ok';
    await waitFor(() => c.spool.entries.length === 0);
    expect((await fetch(`${c.httpBase}/readyz`)).status).toBe(200);
  });
});
