import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, type Store } from '../../src/storage/client.ts';
import { ensureSchema, INSERT_COLUMNS, qualified, DEFAULT_TABLE } from '../../src/storage/schema.ts';
import { DEFAULT_RETENTION } from '../../src/storage/RetentionPolicy.ts';
import { mergeNativeBlocks, NativeOut, nativeToRows, rowsToNative } from '../../src/storage/native-format.ts';
import type { LogRow } from '../../src/storage/rows.ts';
import { createClickHouseSink, enableInsertDeduplication, rowsBatch } from '../../src/collector/clickhouse-sink.ts';
import { isDataError } from '../../src/collector/Shipper.ts';
import { tempDir } from '../helpers/collector.ts';

// Real engine (chDB): rows written as Native blocks must read back exactly as the JSON path stores them.
const tmp = tempDir('logq-native-');
let store: Store;
const table = qualified(DEFAULT_TABLE);

// Timestamps an hour ago: rows older than their level's retention (INFO: 10 days) can be dropped at
// insert (TTL), so fixed dates in the past made these tests fail once the date moved on.
const BASE = Math.floor(Date.now() / 1000) - 3600;
/** A Unix second as the engine prints a DateTime64 in UTC, without the fraction. */
const utcSecond = (sec: number) => new Date(sec * 1000).toISOString().slice(0, 19).replace('T', ' ');

function row(i: number, over: Partial<Record<number, unknown>> = {}): LogRow {
  const r: LogRow = [
    `${BASE}.${String(i).padStart(9, '0')}`,
    i % 2 ? '0102030405060708090a0b0c0d0e0f10' : '',
    i % 2 ? '65666768696a6b6c' : '',
    i % 2,
    'INFO',
    9,
    'svc-native',
    `body ${i}`,
    '',
    { 'service.name': 'svc-native', 'host.name': 'h1' },
    '',
    'scope',
    '1.0.0',
    {},
    { 'order.id': String(i), 'customer.id': 'c-4711' },
    '',
    `${BASE}.${String(i + 500).padStart(9, '0')}`,
  ];
  for (const [k, v] of Object.entries(over)) (r as unknown[])[Number(k)] = v;
  return r;
}

const stored = async (where: string) =>
  (await (await store.client.query({ query: `SELECT ${INSERT_COLUMNS.join(', ')} FROM ${table} WHERE ${where} ORDER BY Timestamp, Body`, format: 'JSONCompactEachRow' })).json<unknown[]>());

beforeAll(async () => {
  store = openStore({ dataDir: tmp.dir });
  await ensureSchema(store.client, DEFAULT_RETENTION);
  await enableInsertDeduplication(store.client);
});

afterAll(async () => {
  await store?.close();
  tmp.cleanup();
});

describe('Native blocks (rowsToNative / nativeToRows)', () => {
  const tricky: LogRow[] = [
    row(1),
    // Non-ASCII within the short-string path (64 units, 3 bytes each: a 2-byte length), long text, escapes, empty maps.
    row(2, { 7: '日'.repeat(64), 12: 'ü', 14: { 'ключ': 'значение', 'k\tab': 'line\nbreak', '': 'empty key' } }),
    row(3, { 7: 'x'.repeat(70_000) + ' ✓', 9: {}, 4: '', 15: 'user.login' }),
    row(4, { 0: `${BASE + 11}.000000001`, 16: '4102444800.999999999', 8: 'https://opentelemetry.io/schemas/1.26.0' }),
    row(5, { 7: 'emoji 🚀 and \u0000 nul' }),
  ];

  it('round-trips rows exactly in JS', () => {
    expect(nativeToRows(rowsToNative(tricky))).toEqual(tricky);
    expect(nativeToRows(Buffer.concat([rowsToNative(tricky.slice(0, 2)), rowsToNative(tricky.slice(2))]))).toEqual(tricky);
    expect(nativeToRows(rowsToNative([]))).toEqual([]);
  });

  it('lands in otel_logs exactly as the JSONCompactEachRow path stores the same rows', async () => {
    const asJson = tricky.map((r) => { const c = [...r] as LogRow; c[6] = 'svc-json'; return c; });
    await createClickHouseSink(store, undefined, 'JSONCompactEachRow')(rowsBatch(asJson));
    await createClickHouseSink(store)(rowsBatch(tricky));
    const viaNative = await stored(`ServiceName = 'svc-native'`);
    const viaJson = await stored(`ServiceName = 'svc-json'`);
    expect(viaNative).toHaveLength(tricky.length);
    expect(viaNative.map((r) => { const c = [...r]; c[6] = 'svc-json'; return c; })).toEqual(viaJson);
    expect(viaNative.find((r) => String(r[7]).startsWith('emoji'))?.[7]).toBe('emoji 🚀 and \u0000 nul');
    // Nanosecond precision survives.
    expect(viaNative.map((r) => r[0])).toContain(`${utcSecond(BASE + 11)}.000000001`);
    // The engine's scratch file is removed after the insert.
    const spill = join(tmp.dir, 'logq-insert');
    expect(existsSync(spill) ? readdirSync(spill) : []).toEqual([]);
  });

  it('stores a replayed block once (insert_deduplication_token)', async () => {
    const rows = [row(10, { 6: 'svc-dedup' }), row(11, { 6: 'svc-dedup' })];
    const sink = createClickHouseSink(store);
    await sink(rowsBatch(rows), 'native-token-1');
    await sink(rowsBatch(rows), 'native-token-1');
    await sink(rowsBatch([row(12, { 6: 'svc-dedup' })]));
    expect((await stored(`ServiceName = 'svc-dedup'`)).map((r) => r[7])).toEqual(['body 10', 'body 11', 'body 12']);
  });

  it('reports a row it cannot encode as a data error naming the row and column, and stores nothing of that batch', async () => {
    const err = await Promise.resolve().then(() => rowsBatch([row(20, { 6: 'svc-bad' }), row(21, { 6: 'svc-bad', 0: 'yesterday' })])).then(() => undefined, (e: unknown) => e);
    expect(isDataError(err)).toBe(true);
    expect(String((err as Error).message)).toMatch(/row 1, Timestamp: timestamp "yesterday" is not seconds\.nanoseconds/);
    expect(await stored(`ServiceName = 'svc-bad'`)).toEqual([]);
  });

  it('merges blocks into one, column by column, with the Map offsets rebased', async () => {
    const parts = [tricky.slice(0, 1), tricky.slice(1, 3), [], tricky.slice(3)].map((r) => rowsToNative(r));
    const merged = mergeNativeBlocks(parts);
    expect(nativeToRows(merged)).toEqual(tricky);
    // One block: its header counts every row, and the bytes equal a block written in one go.
    expect(merged.equals(rowsToNative(tricky))).toBe(true);
    expect(() => mergeNativeBlocks([parts[0], parts[1].subarray(0, parts[1].length - 2)])).toThrow(/Native block: .*past the end/);
    const many = Array.from({ length: 300 }, (_, i) => row(100 + i, { 6: 'svc-merged' }));
    await store.insertNative(table, INSERT_COLUMNS, mergeNativeBlocks(many.map((r) => rowsToNative([r]))));
    expect((await stored(`ServiceName = 'svc-merged'`)).map((r) => r[7])).toEqual(many.map((r) => r[7]));
  });

  it('writes 43-64-unit strings of 3-byte characters whole, even when the buffer ends at the reserve', () => {
    for (const len of [42, 43, 50, 64]) {
      const text = '中'.repeat(len);
      const out = new NativeOut(1 + len * 3);
      out.string(text);
      out.string('tail');
      const b = out.bytes();
      const n = len * 3;
      const head = n < 0x80 ? 1 : 2;
      expect(b.length).toBe(head + n + 5);
      expect(b.toString('utf8', head, head + n)).toBe(text);
      expect(b.toString('utf8', head + n + 1)).toBe('tail');
    }
  });

  it('keeps a map key named __proto__ as an ordinary entry when reading blocks back', () => {
    const attrs = JSON.parse('{"__proto__":"p","2":"two","b":"bee"}') as Record<string, string>;
    const back = nativeToRows(rowsToNative([row(1, { 14: attrs })]));
    expect(Object.entries(back[0][14])).toEqual(Object.entries(attrs));
  });

  it('inserts from a data directory whose path ClickHouse would read as a glob', async () => {
    // Runs in a child: chDB binds one data directory per process.
    const dir = join(tmp.dir, 'glob-{a,b}*');
    const code = `
      const { openStore } = await import(${JSON.stringify(new URL('../../src/storage/client.ts', import.meta.url).href)});
      const { ensureSchema, INSERT_COLUMNS, qualified, DEFAULT_TABLE } = await import(${JSON.stringify(new URL('../../src/storage/schema.ts', import.meta.url).href)});
      const { DEFAULT_RETENTION } = await import(${JSON.stringify(new URL('../../src/storage/RetentionPolicy.ts', import.meta.url).href)});
      const { rowsToNative } = await import(${JSON.stringify(new URL('../../src/storage/native-format.ts', import.meta.url).href)});
      const s = openStore({ dataDir: process.argv[1] });
      await ensureSchema(s.client, DEFAULT_RETENTION);
      await s.insertNative(qualified(DEFAULT_TABLE), INSERT_COLUMNS, rowsToNative(JSON.parse(process.argv[2])));
      const r = await (await s.client.query({ query: 'SELECT count() AS n FROM otel.otel_logs', format: 'JSONEachRow' })).json();
      console.log(JSON.stringify(r));
      await s.close();`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', code, dir, JSON.stringify([row(1), row(2)])], { encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual([{ n: 2 }]);
  });

  it('refuses a damaged block with a clear error', () => {
    const block = rowsToNative([row(1)]);
    expect(() => nativeToRows(block.subarray(0, block.length - 3))).toThrow(/Native block: .*past the end|truncated/);
  });
});
