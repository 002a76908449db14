import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { openStore, type Store } from '../../src/storage/client.ts';
import { isDataError } from '../../src/collector/Shipper.ts';
import { tempDir } from '../helpers/collector.ts';

// Real engine (chDB), one data directory for this file. The embedded store sends inserts to the
// engine as one Buffer with their settings in the statement (src/storage/embedded-insert.ts).
const tmp = tempDir('logq-embedded-insert-');
let store: Store;

const ids = async (table: string) =>
  (await (await store.client.query({ query: `SELECT id FROM ${table} ORDER BY id`, format: 'JSONEachRow' })).json<{ id: number }>()).map((r) => r.id);

beforeAll(async () => {
  store = openStore({ dataDir: tmp.dir });
  await store.client.command({ query: 'CREATE DATABASE IF NOT EXISTS t' });
  await store.client.command({
    query: 'CREATE TABLE t.dedup (id UInt32, s String) ENGINE = MergeTree ORDER BY id SETTINGS non_replicated_deduplication_window = 100',
  });
  await store.client.command({ query: 'CREATE TABLE t.plain (id UInt32, s String) ENGINE = MergeTree ORDER BY id' });
});

afterAll(async () => {
  await store?.close();
  tmp.cleanup();
});

describe('embedded store inserts', () => {
  it('applies an insert setting to that insert only (a dedup token does not stick to later inserts)', async () => {
    const insert = (id: number, token?: string) =>
      store.client.insert({
        table: 't.dedup',
        values: [{ id, s: `row ${id}` }],
        format: 'JSONEachRow',
        ...(token ? { clickhouse_settings: { insert_deduplication_token: token } } : {}),
      });
    await insert(1, 'batch-a');
    await insert(2); // no token: must be stored, not taken for a replay of batch-a
    await insert(3, 'batch-a'); // same token again: a replay, skipped
    expect(await ids('t.dedup')).toEqual([1, 2]);
  });

  it('stores a byte stream as sent (TabSeparated escapes and UTF-8 across chunk boundaries)', async () => {
    const text = '10\ttab\\there ✓ 日本\n11\tnew\\nline\n';
    const bytes = Buffer.from(text, 'utf8');
    const cut = bytes.indexOf(Buffer.from('日')) + 1; // split inside a multi-byte character
    await store.client.insert({
      table: 't.plain',
      values: Readable.from([bytes.subarray(0, cut), bytes.subarray(cut)], { objectMode: false }),
      format: 'TabSeparated',
      columns: ['id', 's'],
    });
    const rows = await (await store.client.query({ query: 'SELECT id, s FROM t.plain WHERE id >= 10 ORDER BY id', format: 'JSONEachRow' })).json();
    expect(rows).toEqual([
      { id: 10, s: 'tab\there ✓ 日本' },
      { id: 11, s: 'new\nline' },
    ]);
  });

  it('rejects bad data with the engine error code the collector classifies as a data error', async () => {
    const err = await store.client
      .insert({ table: 't.plain', values: [{ id: 'not a number', s: 'x' }], format: 'JSONEachRow' })
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(String((err as Error).message)).toMatch(/not a number|Cannot parse|UInt32/i);
    expect(isDataError(err)).toBe(true);
    expect(await ids('t.plain')).toEqual([10, 11]);
  });
});
