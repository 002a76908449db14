import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { parseFilter, type RawFilter } from '../storage/LogFilter.ts';
import { LogFollower, type FetchAfter } from '../storage/LogFollower.ts';
import { searchLogs, type LogRecordView, type SearchPage } from '../storage/search.ts';
import { parseDuration } from '../storage/time-spec.ts';
import type { Store } from '../storage/client.ts';
import { ApiError, fetchApiPage } from './api-source.ts';
import { FILTER_HELP, FILTER_OPTIONS, rawFilterFromFlags } from './filter-flags.ts';
import { processIo, type CliIo } from './io.ts';
import { apiTarget, describeError, recordFormat, SOURCE_OPTIONS } from './query-command.ts';
import { formatRecords, type RecordFormat } from './records-output.ts';
import { openStoreFrom, STORE_HELP, storeFlags, UsageError } from './store-flags.ts';

/** `logq tail --help` text. */
export const TAIL_HELP = `Usage: logq tail [filters] [-n N] [-f] [--interval 1s] [--format table|json|jsonl] [--api URL]

Prints the last N matching records, oldest first; with -f keeps printing new ones until Ctrl-C.
${FILTER_HELP}
  -n, --lines N           records printed first (0-10000, default 10)
  -f, --follow            keep printing records as they arrive
  --interval D            how often -f polls (100ms-60s as 500ms, 1s, 5s; default 1s)
  --format F              table (default, one line per record), json or jsonl (one object per line)
  --api URL, --token T    read through a running collector (LOGQ_API_URL, LOGQ_API_TOKEN)
${STORE_HELP}`;

function line(r: LogRecordView, format: RecordFormat): string {
  if (format !== 'table') return formatRecords([r], 'jsonl');
  const level = (r.severityText || String(r.severityNumber)).padEnd(5);
  const extra = [r.traceId && `trace=${r.traceId}`, r.logAttributes['request.id'] && `request=${r.logAttributes['request.id']}`].filter(Boolean);
  return `${r.timestamp} ${level} ${r.serviceName} ${r.body.replace(/\n/g, '\\n')}${extra.length ? '  ' + extra.join(' ') : ''}\n`;
}

function parseInterval(raw: string): number {
  const ms = /^\d+ms$/.test(raw) ? Number(raw.slice(0, -2)) : parseDuration(raw);
  if (ms === undefined || ms < 100 || ms > 60_000) throw new UsageError(`--interval "${raw}" is not valid: expected 100ms to 60s, e.g. 500ms, 1s`);
  return ms;
}

/** `logq tail [-f]`; returns the exit code (0 after Ctrl-C). */
export async function tailCommand(argv: string[], env: NodeJS.ProcessEnv = process.env, io: CliIo = processIo(true)): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        ...SOURCE_OPTIONS,
        ...FILTER_OPTIONS,
        lines: { type: 'string', short: 'n', default: '10' },
        follow: { type: 'boolean', short: 'f' },
        interval: { type: 'string', default: '1s' },
      },
    });
  } catch (error) {
    io.err(`logq tail: ${(error as Error).message}\n`);
    return 2;
  }
  const { values } = parsed;
  if (values.help) {
    io.out(TAIL_HELP + '\n');
    return 0;
  }
  let store: Store | undefined;
  try {
    const format = recordFormat(values.format);
    if (!/^\d+$/.test(values.lines) || Number(values.lines) > 10_000) {
      throw new UsageError(`--lines "${values.lines}" is not valid: expected an integer from 0 to 10000`);
    }
    const intervalMs = parseInterval(values.interval);
    const raw: RawFilter = rawFilterFromFlags(values);
    const filter = parseFilter(raw);
    const api = apiTarget(values, env);
    const startNs = BigInt(Date.now()) * 1_000_000n;
    let page: (o: { limit: number; cursor?: string; after?: string }, r: RawFilter) => Promise<SearchPage>;
    if (api) page = (o, r) => fetchApiPage(api, r, o);
    else {
      const open = openStoreFrom(storeFlags(values, env));
      store = open;
      page = (o, r) => searchLogs(open.client, parseFilter(r), o);
    }
    const n = Number(values.lines);
    if (n > 0) {
      // The last N records before start, printed oldest first; the follower takes over from start.
      const untilBound = filter.untilNs !== undefined && filter.untilNs < startNs ? raw.until : String(Number(startNs / 1_000_000n));
      const first = await page({ limit: n }, { ...raw, until: untilBound });
      for (const r of first.records.reverse()) io.out(line(r, format));
    }
    if (!values.follow) return 0;
    const fetchAfter: FetchAfter = (after, limit) => page({ after, limit }, raw);
    const follower = new LogFollower(fetchAfter, { startNs });
    io.err(`following new records every ${values.interval} (Ctrl-C to stop)\n`);
    while (!io.signal?.aborted) {
      for (const r of await follower.poll()) io.out(line(r, format));
      await sleep(intervalMs, undefined, { signal: io.signal }).catch(() => {});
    }
    return 0;
  } catch (error) {
    const known = describeError(error);
    io.err(`logq tail: ${known ?? (error as Error).message.trim()}\n`);
    return known && !(error instanceof ApiError) ? 2 : 1;
  } finally {
    await store?.close();
  }
}
