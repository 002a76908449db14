import { afterAll, describe, expect, it } from 'vitest';
import { SeverityNumber } from '@opentelemetry/api';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { GrpcLogExporter } from '../../src/exporter/GrpcLogExporter.ts';
import { buildResource } from '../../src/sdk/resource.ts';
import { parseRetention } from '../../src/storage/RetentionPolicy.ts';
import { queryRows, startTestCollector, tempDir, waitForDrain } from '../helpers/collector.ts';

// Issue 3, proof 4: per-level retention expires whole parts on the real engine, and a changed
// --retention takes effect (for new rows) on restart.

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const DAY = 86_400;
const now = Math.floor(Date.now() / 1000);

async function send(c: Awaited<ReturnType<typeof startTestCollector>>, records: { ageDays: number; severity: SeverityNumber; tag: string }[]): Promise<void> {
  const provider = new LoggerProvider({
    resource: buildResource({ serviceName: 'retention-svc' }),
    processors: [new BatchLogRecordProcessor({ exporter: new GrpcLogExporter({ endpoint: c.grpcEndpoint }) })],
  });
  const logger = provider.getLogger('retention');
  for (const r of records) {
    logger.emit({
      timestamp: [now - r.ageDays * DAY, 0],
      severityNumber: r.severity,
      body: r.tag,
      attributes: { tag: r.tag },
    });
  }
  await provider.shutdown();
  await waitForDrain(c);
}

async function expireNow(c: Awaited<ReturnType<typeof startTestCollector>>): Promise<void> {
  await c.store.client.command({ query: 'ALTER TABLE otel.otel_logs MATERIALIZE TTL', clickhouse_settings: { mutations_sync: '2' } });
  await c.store.client.command({ query: 'OPTIMIZE TABLE otel.otel_logs FINAL' });
}

async function tags(c: Awaited<ReturnType<typeof startTestCollector>>): Promise<Record<string, number>> {
  const rows = await queryRows<{ tag: string; n: string; days: number }>(
    c,
    "SELECT LogAttributes['tag'] AS tag, count() AS n, any(RetentionDays) AS days FROM otel.otel_logs GROUP BY tag",
  );
  return Object.fromEntries(rows.map((r) => [r.tag, Number(r.n)]));
}

describe('per-level retention', () => {
  it('drops 12-day-old INFO, keeps 12-day-old ERROR and fresh INFO; a new policy applies after restart', async () => {
    const first = await startTestCollector(tmp.dir);
    await send(first, [
      { ageDays: 12, severity: SeverityNumber.INFO, tag: 'old-info' },
      { ageDays: 12, severity: SeverityNumber.ERROR, tag: 'old-error' },
      { ageDays: 12, severity: SeverityNumber.WARN, tag: 'old-warn' },
      { ageDays: 0, severity: SeverityNumber.INFO, tag: 'fresh-info' },
      { ageDays: 2, severity: SeverityNumber.DEBUG, tag: 'young-debug' },
      { ageDays: 4, severity: SeverityNumber.DEBUG, tag: 'old-debug' },
    ]);
    // Each row got its level's retention at insert.
    const days = await queryRows<{ tag: string; RetentionDays: number }>(
      first,
      "SELECT LogAttributes['tag'] AS tag, RetentionDays FROM otel.otel_logs ORDER BY tag",
    );
    for (const d of days) {
      const expected = { 'old-error': 15, 'fresh-info': 10, 'old-info': 10, 'old-warn': 10, 'young-debug': 3, 'old-debug': 3 }[d.tag];
      expect(d.RetentionDays, d.tag).toBe(expected);
    }
    await expireNow(first);
    expect(await tags(first)).toEqual({ 'old-error': 1, 'fresh-info': 1, 'young-debug': 1 });
    // Expiry drops whole parts: the partitions left are (date, RetentionDays) pairs of survivors only.
    const parts = await queryRows<{ partition: string }>(
      first,
      "SELECT DISTINCT partition FROM system.parts WHERE database = 'otel' AND table = 'otel_logs' AND active AND rows > 0 ORDER BY partition",
    );
    expect(parts.length).toBe(3);
    await first.stop();

    // Restart with INFO kept 20 days: new INFO rows of the same age now survive expiry.
    const second = await startTestCollector(tmp.dir, { retention: parseRetention('INFO=20d') });
    const comment = await queryRows<{ comment: string; default_expression: string }>(
      second,
      "SELECT comment, default_expression FROM system.columns WHERE database = 'otel' AND table = 'otel_logs' AND name = 'RetentionDays'",
    );
    expect(comment[0].comment).toContain('INFO=20d');
    expect(comment[0].default_expression).toContain('20');
    await send(second, [
      { ageDays: 12, severity: SeverityNumber.INFO, tag: 'old-info-after-change' },
      { ageDays: 12, severity: SeverityNumber.WARN, tag: 'old-warn-after-change' },
    ]);
    await expireNow(second);
    expect(await tags(second)).toEqual({ 'old-error': 1, 'fresh-info': 1, 'young-debug': 1, 'old-info-after-change': 1 });
    await second.stop();
  });
});
