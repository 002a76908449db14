import { parseArgs } from 'node:util';
import { LEVELS, parseLevel } from '../otlp/severity.ts';
import { planClean, runClean, type CleanOptions, type CleanPlan } from '../storage/clean.ts';
import { processIo, type CliIo } from './io.ts';
import { openStoreFrom, STORE_HELP, STORE_OPTIONS, storeFlags, UsageError } from './store-flags.ts';

/** `logq clean --help` text. */
export const CLEAN_HELP = `Usage: logq clean [--days N] [--level L] [--service S] [--dry-run] [--yes]

Deletes records older than N days. Partitions (one per day and retention) in which every row
qualifies are dropped whole; other matching rows are removed with a lightweight DELETE.
  --days N        remove records older than N days (default 30)
  --level L       only level L and the levels below it (INFO: TRACE, DEBUG, INFO and unspecified)
  --service S     only this service
  --dry-run       print how many rows and which partitions would go; delete nothing
  --yes           do not ask for confirmation (asked only on a terminal)
${STORE_HELP}`;

function describe(plan: CleanPlan, o: CleanOptions): string {
  const scope = [o.level ? `level ${o.level} and below` : 'all levels', o.service !== undefined ? `service "${o.service}"` : 'all services'];
  const drops = plan.partitions.filter((p) => p.action === 'drop').length;
  const lines = [
    `${plan.rows} row${plan.rows === 1 ? '' : 's'} older than ${plan.cutoff} (${scope.join(', ')}) in ${plan.partitions.length} partition${plan.partitions.length === 1 ? '' : 's'}: ` +
      `${drops} dropped whole, ${plan.partitions.length - drops} with DELETE`,
  ];
  for (const p of plan.partitions) {
    lines.push(`  partition ${p.partitionId}: ${p.matching} of ${p.rows} rows → ${p.action === 'drop' ? 'DROP PARTITION' : 'DELETE'}`);
  }
  return lines.join('\n') + '\n';
}

/** `logq clean`; returns the exit code. */
export async function cleanCommand(argv: string[], env: NodeJS.ProcessEnv = process.env, io: CliIo = processIo()): Promise<number> {
  let options: CleanOptions;
  let dryRun = false;
  let yes = false;
  let flags;
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        ...STORE_OPTIONS,
        days: { type: 'string', default: '30' },
        level: { type: 'string' },
        service: { type: 'string' },
        'dry-run': { type: 'boolean' },
        yes: { type: 'boolean', short: 'y' },
        help: { type: 'boolean' },
      },
    });
    if (values.help) {
      io.out(CLEAN_HELP + '\n');
      return 0;
    }
    if (!/^\d+$/.test(values.days) || Number(values.days) > 100_000) {
      throw new UsageError(`--days "${values.days}" is not valid: expected a whole number of days, e.g. 30`);
    }
    const level = values.level === undefined ? undefined : parseLevel(values.level);
    if (values.level !== undefined && !level) {
      throw new UsageError(`--level "${values.level}" is not valid: expected one of ${LEVELS.join(', ')}`);
    }
    if (values.service === '') throw new UsageError('--service: empty: expected a service name');
    flags = storeFlags(values, env);
    options = { days: Number(values.days), level, service: values.service, cluster: flags.cluster };
    dryRun = values['dry-run'] ?? false;
    yes = values.yes ?? false;
  } catch (error) {
    io.err(`logq clean: ${(error as Error).message}\n`);
    return 2;
  }
  const store = openStoreFrom(flags);
  try {
    const plan = await planClean(store.client, options);
    io.out(describe(plan, options));
    if (dryRun) {
      io.out('dry run: nothing deleted\n');
      return 0;
    }
    if (plan.rows === 0) return 0;
    if (io.interactive && !yes && !(await io.confirm(`Delete ${plan.rows} rows?`))) {
      io.out('cancelled: nothing deleted\n');
      return 1;
    }
    const done = await runClean(store.client, options, (p) => {
      const what = p.partition.action === 'drop' ? 'dropped partition' : 'deleted from partition';
      io.err(`[${p.done}/${p.total}] ${what} ${p.partition.partitionId} (${p.partition.matching} rows)\n`);
    });
    io.out(`deleted ${done.rows} row${done.rows === 1 ? '' : 's'}\n`);
    return 0;
  } catch (error) {
    io.err(`logq clean: ${(error as Error).message.trim()}\n`);
    return 1;
  } finally {
    await store.close();
  }
}
