import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import type { LogRow } from './rows.ts';
import { DEFAULT_TABLE, INSERT_COLUMNS, qualified, type TableRef } from './schema.ts';
import { rowsToTabSeparated } from './tab-separated.ts';

/** Input formats the writer can send (both go through `@clickhouse/client`, server or chDB). */
export type LogWriterFormat = 'TabSeparated' | 'JSONCompactEachRow';

/** Options of {@link LogWriter}. */
export interface LogWriterOptions {
  /**
   * Insert format. `JSONCompactEachRow`: the client serializes each row with JSON.stringify
   * (native, ~1 µs/row). `TabSeparated`: logq builds one string (~1.8 µs/row in JS) that the engine
   * parses without a JSON step. bench/storage-ceiling compares both; on this shared machine the
   * end-to-end difference was within noise, so the default stays the established format.
   * @default 'JSONCompactEachRow'
   */
  format?: LogWriterFormat;
}

/** Per-insert settings. */
export interface WriteOptions {
  /** `insert_deduplication_token` of this batch (a replayed batch is stored once). @default undefined */
  dedupToken?: string;
}

/** The ClickHouse sink: inserts rows into otel_logs. */
export class LogWriter {
  private readonly client: ClickHouseClient;
  private readonly table: string;
  private readonly format: LogWriterFormat;

  constructor(client: ClickHouseClient, ref: TableRef = DEFAULT_TABLE, options: LogWriterOptions = {}) {
    this.client = client;
    this.table = qualified(ref);
    this.format = options.format ?? 'JSONCompactEachRow';
  }

  /** Inserts `rows`; rejects if ClickHouse did not take them. */
  async write(rows: readonly LogRow[], options: WriteOptions = {}): Promise<void> {
    if (rows.length === 0) return;
    if (this.format === 'TabSeparated') {
      await this.writeTabSeparated(rowsToTabSeparated(rows), options);
      return;
    }
    await this.client.insert({
      table: this.table,
      values: rows as LogRow[],
      format: 'JSONCompactEachRow',
      columns: [...INSERT_COLUMNS] as [string, ...string[]],
      ...settings(options),
    });
  }

  /**
   * Inserts rows already serialized as TabSeparated (one line per row, INSERT_COLUMNS order), as
   * text or UTF-8 bytes (e.g. from `otlpToTabSeparatedBytes`).
   */
  async writeTabSeparated(text: string | Uint8Array, options: WriteOptions = {}): Promise<void> {
    if (text.length === 0) return;
    await this.client.insert({
      table: this.table,
      // Raw formats go to the client as a stream; one chunk, the engine parses it in one pass.
      values: Readable.from([text], { objectMode: false }),
      format: 'TabSeparated',
      columns: [...INSERT_COLUMNS] as [string, ...string[]],
      ...settings(options),
    });
  }
}

function settings(options: WriteOptions): { clickhouse_settings?: { insert_deduplication_token: string } } {
  return options.dedupToken ? { clickhouse_settings: { insert_deduplication_token: options.dedupToken } } : {};
}
