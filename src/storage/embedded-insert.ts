import type { Readable } from 'node:stream';
import { parseError } from '@clickhouse/client';
import type { RawInsertFormat, Session } from 'chdb';

/** The insert half of the client's Connection contract (what `@clickhouse/client` hands a connection). */
export interface InsertParams {
  query: string;
  values: string | Readable;
  clickhouse_settings?: Record<string, unknown>;
  abort_signal?: AbortSignal;
  query_id?: string;
}

/** Settings that only mean something to the HTTP server (chDB's own adapter drops them too). */
const HTTP_ONLY = /^(wait_end_of_query|send_progress_in_http_headers|enable_http_compression|http_\w+)$/;

/** Formats chDB's raw insert accepts (`RawInsertFormat`). */
const RAW_FORMATS: ReadonlySet<string> = new Set<RawInsertFormat>(['JSONEachRow', 'JSONCompactEachRow', 'CSV', 'CSVWithNames', 'TSV', 'TabSeparated', 'TSVWithNames', 'TabSeparatedWithNames']);

/** The statement `@clickhouse/client` builds for `insert()`: `INSERT INTO t (a, b) FORMAT F`. */
const INSERT_SQL = /^INSERT INTO (\S+)(?: \(([^()]*)\))? FORMAT (\w+)$/;

/** `otel`.`otel_logs` → otel.otel_logs (chDB's raw insert takes plain dotted identifiers). */
function plainIdent(raw: string): string | undefined {
  const plain = raw.replace(/`/g, '').trim();
  return /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(plain) ? plain : undefined;
}

/** Collects a byte or text stream into one Buffer without building a JS string of the whole body. */
export async function collectBytes(values: string | Readable): Promise<Buffer> {
  if (typeof values === 'string') return Buffer.from(values, 'utf8');
  const parts: Buffer[] = [];
  for await (const chunk of values as AsyncIterable<unknown>) {
    if (typeof chunk === 'string') parts.push(Buffer.from(chunk, 'utf8'));
    else if (chunk instanceof Uint8Array) parts.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    else throw new Error(`insert: unsupported chunk type ${typeof chunk}: expected a string or bytes`);
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

/** An engine error in the client adapter's shape: ClickHouseError with the engine's code as a string. */
export function engineError(err: unknown): Error {
  const msg = err instanceof Error ? err.message : String(err);
  const at = msg.indexOf('Code: ');
  const mapped = parseError(at >= 0 ? msg.slice(at) : msg);
  if (mapped !== err && err instanceof Error) (mapped as Error).cause = err;
  return mapped as Error;
}

/**
 * An `insert` for the embedded engine that hands the payload to chDB as one Buffer (its raw insert:
 * zero-copy, the engine's parser) instead of chDB's client adapter, which decodes the body into a JS
 * string and concatenates it with the statement (two copies of every batch on the V8 heap, measured
 * in bench/store-memory.ts). Settings go into the statement's SETTINGS clause, so they apply to
 * this insert only. Returns undefined for a statement it does not recognise (the caller falls back).
 */
export function rawInsertFor(session: Session): (params: InsertParams) => Promise<{ rowsWritten: number; bytesWritten: number; elapsed: number }> | undefined {
  return (params) => {
    const m = INSERT_SQL.exec(params.query.trim());
    const table = m && plainIdent(m[1]);
    const columns = m?.[2]?.split(',').map((c) => plainIdent(c));
    if (!m || !table || !RAW_FORMATS.has(m[3]) || columns?.some((c) => c === undefined)) return undefined;
    const format = m[3] as RawInsertFormat;
    const settings: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(params.clickhouse_settings ?? {})) {
      if (v === undefined || HTTP_ONLY.test(k)) continue;
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return undefined;
      settings[k] = v;
    }
    return (async () => {
      const values = await collectBytes(params.values);
      try {
        const r = await session.insert({ table, values, format, columns: columns as string[] | undefined, settings, signal: params.abort_signal });
        return { rowsWritten: r.rowsWritten, bytesWritten: r.bytesWritten, elapsed: r.elapsed };
      } catch (err) {
        throw engineError(err);
      }
    })();
  };
}
