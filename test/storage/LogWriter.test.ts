import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/storage/client.ts';
import { LogWriter, type LogWriterFormat } from '../../src/storage/LogWriter.ts';
import type { LogRow } from '../../src/storage/rows.ts';
import { createDatabaseSql, createLogsTableStatements } from '../../src/storage/schema.ts';
import { DEFAULT_RETENTION } from '../../src/storage/RetentionPolicy.ts';
import { tempDir } from '../helpers/collector.ts';
import { makeRequestBytes } from '../../bench/lib/log-data.ts';
import { decodeExportLogsRequest } from '../../src/otlp/decode-logs.ts';
import { otlpToTabSeparatedBytes } from '../../src/storage/otlp-tab-separated.ts';
import { requestToRows } from '../../src/storage/rows.ts';

// Real engine (chDB), one data directory for this file.
const tmp = tempDir('logq-logwriter-');
let store: Store;

beforeAll(async () => {
  store = openStore({ dataDir: tmp.dir });
  await store.client.command({ query: createDatabaseSql() });
  for (const query of createLogsTableStatements(DEFAULT_RETENTION)) await store.client.command({ query });
});

afterAll(async () => {
  await store?.close();
  tmp.cleanup();
});

const TRICKY = [
  'plain',
  '',
  'tab\there',
  'new\nline and \r carriage',
  'back\\slash \\t not a tab',
  "single ' quote and \\' both",
  'unicode ünïcödé ✓ 日本 𝄞',
  '{"json":"looking","a":[1,2]}',
  '\\N',
  'x'.repeat(5000),
];

function row(i: number, body: string, ts: string): LogRow {
  return [
    ts,
    i % 2 ? '0102030405060708090a0b0c0d0e0f10' : '',
    i % 2 ? '65666768696a6b6c' : '',
    i % 2,
    'INFO',
    9,
    `svc-${i % 3}`,
    body,
    '',
    { 'service.name': `svc-${i % 3}`, "we'ird\tkey": body },
    'https://schema/1',
    'scope',
    '1.0.0',
    {},
    { 'order.id': String(i), note: body, '': 'empty key' },
    i % 4 ? '' : 'event.name',
    ts,
  ];
}

async function readBack(format: LogWriterFormat): Promise<Record<string, unknown>[]> {
  const rs = await store.client.query({
    query: `SELECT toString(Timestamp) AS ts, TraceId, SpanId, TraceFlags, SeverityText, SeverityNumber, ServiceName, Body,
              ResourceAttributes, ScopeSchemaUrl, ScopeName, ScopeVersion, ScopeAttributes, LogAttributes, EventName,
              toString(ObservedTimestamp) AS ots
            FROM otel.otel_logs WHERE ScopeVersion = '1.0.0' AND ServiceName LIKE {p:String} ORDER BY LogAttributes['order.id']`,
    query_params: { p: `svc-%` },
    format: 'JSONEachRow',
  });
  void format;
  return rs.json();
}

async function readAll(): Promise<Record<string, unknown>[]> {
  const rs = await store.client.query({
    query: `SELECT * EXCEPT (TimestampTime) FROM otel.otel_logs ORDER BY Timestamp, Body`,
    format: 'JSONEachRow',
  });
  return rs.json();
}

describe('LogWriter', () => {
  it('stores every value unchanged in TabSeparated and JSONCompactEachRow alike', async () => {
    const seen: Record<string, Record<string, unknown>[]> = {};
    // One timestamp base for both formats, so their rows can be compared whole.
    const now = Math.floor(Date.now() / 1000);
    for (const format of ['TabSeparated', 'JSONCompactEachRow'] as const) {
      await store.client.command({ query: 'TRUNCATE TABLE otel.otel_logs' });
      const rows = TRICKY.map((body, i) => row(i, body, `${now}.${String(123_456_789 + i).padStart(9, '0')}`));
      await new LogWriter(store.client, undefined, { format }).write(rows);
      const back = await readBack(format);
      expect(back).toHaveLength(TRICKY.length);
      back.forEach((b, i) => {
        const r = rows.find((x) => x[14]['order.id'] === (b.LogAttributes as Record<string, string>)['order.id'])!;
        expect(b.Body).toBe(r[7]);
        expect(b.ResourceAttributes).toEqual(r[9]);
        expect(b.LogAttributes).toEqual(r[14]);
        expect(b.TraceId).toBe(r[1]);
        expect(b.SpanId).toBe(r[2]);
        expect(b.TraceFlags).toBe(r[3]);
        expect(b.EventName).toBe(r[15]);
        expect(b.ScopeSchemaUrl).toBe('https://schema/1');
        expect(b.ts).toBe(new Date(Number(r[0].split('.')[0]) * 1000).toISOString().replace('T', ' ').slice(0, 19) + '.' + r[0].split('.')[1]);
        void i;
      });
      seen[format] = back;
    }
    expect(seen.TabSeparated).toEqual(seen.JSONCompactEachRow);
  });

  it('stores the bytes of otlpToTabSeparatedBytes as the rows the object path would', async () => {
    await store.client.command({ query: 'TRUNCATE TABLE otel.otel_logs' });
    const buf = makeRequestBytes(50, 0, Date.now());
    await new LogWriter(store.client).writeTabSeparated(otlpToTabSeparatedBytes(buf).bytes);
    const viaBytes = await readAll();
    await store.client.command({ query: 'TRUNCATE TABLE otel.otel_logs' });
    await new LogWriter(store.client).write(requestToRows(decodeExportLogsRequest(buf)));
    const viaRows = await readAll();
    expect(viaBytes).toHaveLength(50);
    expect(viaBytes).toEqual(viaRows);
  });

  it('writes nothing for an empty batch', async () => {
    await store.client.command({ query: 'TRUNCATE TABLE otel.otel_logs' });
    await new LogWriter(store.client).write([]);
    await new LogWriter(store.client).writeTabSeparated('');
    const rs = await store.client.query({ query: 'SELECT count() AS n FROM otel.otel_logs', format: 'JSONEachRow' });
    expect(Number((await rs.json<{ n: string }>())[0].n)).toBe(0);
  });
});
