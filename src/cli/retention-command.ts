import { parseArgs } from 'node:util';
import { COLLECTOR_POLICY_NOTE, EXISTING_ROWS_NOTE, retentionReport, setRetention } from '../storage/retention-admin.ts';
import { formatRetention, RetentionSpecError } from '../storage/RetentionPolicy.ts';
import { formatTable } from './format.ts';
import { processIo, type CliIo } from './io.ts';
import { openStoreFrom, STORE_HELP, STORE_OPTIONS, storeFlags, UsageError } from './store-flags.ts';

/** `logq retention --help` text. */
export const RETENTION_HELP = `Usage: logq retention show [--format table|json]
       logq retention set LEVEL=<days>d ... [DEFAULT=<days>d]

show  the policy per level (days kept for rows inserted from now on) and what the table holds per
      level: rows, uncompressed bytes, oldest record, and the retentions stored rows were written with.
set   changes the policy on the live table (ALTER … MODIFY COLUMN RetentionDays DEFAULT …).
      Levels: TRACE, DEBUG, INFO, WARN (WARNING), ERROR, FATAL (CRITICAL); DEFAULT covers every
      level not named; without DEFAULT, levels not named keep their current value.
      ${EXISTING_ROWS_NOTE}
${STORE_HELP}`;

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i ? v.toFixed(1) : v} ${units[i]}`;
}

/** `logq retention show|set`; returns the exit code. */
export async function retentionCommand(argv: string[], env: NodeJS.ProcessEnv = process.env, io: CliIo = processIo()): Promise<number> {
  let values;
  let positionals;
  let flags;
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...STORE_OPTIONS, format: { type: 'string', default: 'table' }, help: { type: 'boolean' } },
    }));
    if (values.help) {
      io.out(RETENTION_HELP + '\n');
      return 0;
    }
    const [sub, ...rest] = positionals;
    if (sub !== 'show' && sub !== 'set') throw new UsageError(`expected "show" or "set", got ${sub === undefined ? 'nothing' : `"${sub}"`}`);
    if (sub === 'show' && rest.length) throw new UsageError(`show takes no arguments, got "${rest[0]}"`);
    if (sub === 'set' && rest.length === 0) throw new UsageError('set needs LEVEL=<days>d pairs, e.g. logq retention set INFO=7d ERROR=30d DEFAULT=14d');
    if (values.format !== 'table' && values.format !== 'json') throw new UsageError(`--format "${values.format}" is not valid: expected table or json`);
    flags = storeFlags(values, env);
  } catch (error) {
    io.err(`logq retention: ${(error as Error).message}\n`);
    return 2;
  }
  const store = openStoreFrom(flags);
  try {
    if (positionals[0] === 'show') {
      const report = await retentionReport(store.client);
      if (values.format === 'json') {
        io.out(JSON.stringify(report, null, 2) + '\n');
        return 0;
      }
      io.out(`policy: ${formatRetention(report.policy)} (unspecified severity follows INFO)\n`);
      io.out(
        formatTable(
          ['level', 'keep', 'rows', 'bytes', 'oldest', 'stored with'],
          report.levels.map((l) => ({
            level: l.level,
            keep: `${l.policyDays}d`,
            rows: l.rows,
            bytes: bytes(l.bytes),
            oldest: l.oldest ?? '',
            'stored with': l.storedRetentionDays.map((d) => `${d}d`).join(', '),
          })),
        ) + '\n',
      );
      return 0;
    }
    const change = await setRetention(store.client, positionals.slice(1), { cluster: flags.cluster });
    if (change.statements.length === 0) {
      io.out(`retention unchanged: ${formatRetention(change.after)}\n`);
      return 0;
    }
    io.out(`retention was: ${formatRetention(change.before)}\nretention now: ${formatRetention(change.after)}\n${EXISTING_ROWS_NOTE}\n${COLLECTOR_POLICY_NOTE}\n`);
    return 0;
  } catch (error) {
    const usage = error instanceof RetentionSpecError;
    io.err(`logq retention: ${(error as Error).message.trim()}\n`);
    return usage ? 2 : 1;
  } finally {
    await store.close();
  }
}
