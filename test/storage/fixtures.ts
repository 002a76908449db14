import type { ClickHouseClient } from '@clickhouse/client';
import { levelOfSeverity } from '../../src/otlp/severity.ts';

/** A record to insert in tests; unnamed columns take their defaults. */
export interface TestRecord {
  /** ms since epoch. */
  ts: number;
  severity?: number;
  service?: string;
  body?: string;
  traceId?: string;
  attrs?: Record<string, string>;
}

function ns(ms: number): string {
  return (BigInt(Math.round(ms)) * 1_000_000n).toString();
}

/** Inserts records straight into otel_logs (RetentionDays from the column DEFAULT, as the collector's inserts). */
export async function insertRecords(client: ClickHouseClient, records: TestRecord[], table = 'otel.otel_logs'): Promise<void> {
  await client.insert({
    table,
    format: 'JSONEachRow',
    values: records.map((r) => ({
      Timestamp: ns(r.ts),
      ObservedTimestamp: ns(r.ts),
      SeverityNumber: r.severity ?? 9,
      SeverityText: levelOfSeverity(r.severity ?? 9) ?? '',
      ServiceName: r.service ?? 'svc',
      Body: r.body ?? 'hello',
      TraceId: r.traceId ?? '',
      LogAttributes: r.attrs ?? {},
    })),
    clickhouse_settings: { date_time_input_format: 'best_effort' },
  });
}

/** count() of otel_logs with an optional WHERE. */
export async function countRows(client: ClickHouseClient, where = '1'): Promise<number> {
  const rs = await client.query({ query: `SELECT count() AS n FROM otel.otel_logs WHERE ${where}`, format: 'JSONEachRow' });
  return Number((await rs.json<{ n: string }>())[0].n);
}

export const DAY = 86_400_000;
