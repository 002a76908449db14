import { parseArgs } from 'node:util';
import { FilterError, parseFilter, type RawFilter } from '../storage/LogFilter.ts';
import { runUserQuery } from '../storage/query.ts';
import { CursorError, searchLogs, type SearchPage } from '../storage/search.ts';
import { ApiError, fetchApiPage, type ApiTarget } from './api-source.ts';
import { FILTER_HELP, FILTER_OPTIONS, flagOf, rawFilterFromFlags } from './filter-flags.ts';
import { formatTable } from './format.ts';
import { processIo, type CliIo } from './io.ts';
import { formatRecords, RECORD_FORMATS, type RecordFormat } from './records-output.ts';
import { openStoreFrom, STORE_HELP, STORE_OPTIONS, storeFlags, UsageError } from './store-flags.ts';

/** `logq query --help` text. */
export const QUERY_HELP = `Usage: logq query [filters] [--limit N] [--cursor C] [--format table|json|jsonl] [--api URL]
       logq query "<SQL>" | --sql "<SQL>" [--format table|json|jsonl]

Finds records with filters (newest first), or runs one read-only SQL statement (readonly=1).
${FILTER_HELP}
Output:
  --limit N               records per page (1-10000, default 100)
  --cursor C              continue after the page that printed this cursor
  --format F              table (default), json or jsonl
Source:
  --api URL               read through a running collector's REST API (LOGQ_API_URL), e.g. http://127.0.0.1:4318;
                          needed in embedded mode while the collector holds the store
  --token T               bearer token for --api (LOGQ_API_TOKEN)
${STORE_HELP}`;

/** Options of `logq query` and `logq tail` beyond the filters. */
export const SOURCE_OPTIONS = {
  ...STORE_OPTIONS,
  api: { type: 'string' },
  token: { type: 'string' },
  format: { type: 'string', default: 'table' },
  help: { type: 'boolean' },
} as const;

/** Reads the --format flag. */
export function recordFormat(raw: string | undefined): RecordFormat {
  const f = raw ?? 'table';
  if (!(RECORD_FORMATS as readonly string[]).includes(f)) {
    throw new UsageError(`--format "${f}" is not valid: expected table or json or jsonl`);
  }
  return f as RecordFormat;
}

/** The API target from --api/--token or LOGQ_API_URL/LOGQ_API_TOKEN; undefined when not given. */
export function apiTarget(values: { api?: string; token?: string }, env: NodeJS.ProcessEnv): ApiTarget | undefined {
  const baseUrl = values.api ?? (env.LOGQ_API_URL || undefined);
  if (!baseUrl) return undefined;
  try {
    if (!/^https?:$/.test(new URL(baseUrl).protocol)) throw new Error('protocol');
  } catch {
    throw new UsageError(`--api (LOGQ_API_URL): "${baseUrl.slice(0, 80)}" is not valid: expected an http:// or https:// URL`);
  }
  return { baseUrl, token: values.token ?? (env.LOGQ_API_TOKEN || undefined) };
}

/** Turns the errors a filter or a source can raise into a message naming the flag. */
export function describeError(error: unknown): string | undefined {
  if (error instanceof FilterError) return `${flagOf(error.param)}: ${error.message.replace(/^\w+: /, '')}`;
  if (error instanceof CursorError) return `--cursor: ${error.message}`;
  if (error instanceof ApiError) return `API ${error.status}: ${error.param ? `${flagOf(error.param)}: ` : ''}${error.message}`;
  if (error instanceof UsageError) return error.message;
  return undefined;
}

/** `logq query`: filters or SQL; returns the exit code. */
export async function queryCommand(argv: string[], env: NodeJS.ProcessEnv = process.env, io: CliIo = processIo()): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...SOURCE_OPTIONS, ...FILTER_OPTIONS, sql: { type: 'string' }, limit: { type: 'string' }, cursor: { type: 'string' } },
    });
  } catch (error) {
    io.err(`logq query: ${(error as Error).message}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(QUERY_HELP + '\n');
    return 0;
  }
  try {
    const format = recordFormat(values.format);
    if (positionals.length > 1 || (positionals.length === 1 && values.sql !== undefined)) {
      throw new UsageError('expected one SQL statement: logq query "<SQL>" or logq query --sql "<SQL>"');
    }
    const sql = values.sql ?? positionals[0];
    const raw = rawFilterFromFlags(values);
    const limitRaw = values.limit ?? '100';
    if (!/^\d+$/.test(limitRaw) || Number(limitRaw) < 1 || Number(limitRaw) > 10_000) {
      throw new UsageError(`--limit "${limitRaw}" is not valid: expected an integer from 1 to 10000`);
    }
    if (sql !== undefined) {
      const used = Object.entries(raw).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0));
      if (used.length) throw new UsageError('filters and SQL cannot be combined: put the conditions in the SQL');
      return await runSql(sql, format, storeFlags(values, env), io);
    }
    const api = apiTarget(values, env);
    const page = await fetchPage(raw, { limit: Number(limitRaw), cursor: values.cursor }, api, values, env);
    io.out(formatRecords(page.records, format));
    if (page.nextCursor) io.err(`more records: add --cursor ${page.nextCursor}\n`);
    return 0;
  } catch (error) {
    const known = describeError(error);
    io.err(`logq query: ${known ?? (error as Error).message.trim()}\n`);
    return known && !(error instanceof ApiError) ? 2 : 1;
  }
}

async function fetchPage(
  raw: RawFilter,
  opts: { limit: number; cursor?: string },
  api: ApiTarget | undefined,
  values: Parameters<typeof storeFlags>[0],
  env: NodeJS.ProcessEnv,
): Promise<SearchPage> {
  // Validated here too, so a bad value is a usage error naming the flag in either mode.
  const filter = parseFilter(raw);
  if (api) return fetchApiPage(api, raw, opts);
  const store = openStoreFrom(storeFlags(values, env));
  try {
    return await searchLogs(store.client, filter, opts);
  } finally {
    await store.close();
  }
}

async function runSql(sql: string, format: RecordFormat, flags: ReturnType<typeof storeFlags>, io: CliIo): Promise<number> {
  const store = openStoreFrom(flags);
  try {
    const result = await runUserQuery(store.client, sql);
    if (format === 'json') io.out(JSON.stringify(result.rows, null, 2) + '\n');
    else if (format === 'jsonl') io.out(result.rows.map((r) => JSON.stringify(r) + '\n').join(''));
    else io.out(formatTable(result.columns.map((c) => c.name), result.rows) + '\n');
    return 0;
  } catch (error) {
    io.err(`logq query: ${(error as Error).message.trim()}\n`);
    return 1;
  } finally {
    await store.close();
  }
}
