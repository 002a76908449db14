import { parseArgs } from 'node:util';
import { detectEngine } from '../storage/engine-version.ts';
import { pendingMigrations } from '../storage/migrations.ts';
import { DEFAULT_RETENTION, parseRetention, policyFromComment } from '../storage/RetentionPolicy.ts';
import { DEFAULT_TABLE, ensureSchema, readRetentionComment } from '../storage/schema.ts';
import { processIo, type CliIo } from './io.ts';
import { openStoreFrom, STORE_HELP, STORE_OPTIONS, storeFlags } from './store-flags.ts';

/** `logq migrate --help` text. */
export const MIGRATE_HELP = `Usage: logq migrate [--dry-run] [--retention SPEC]

Applies pending schema migrations (recorded in otel.logq_schema_migrations); the collector does
the same at start-up. Creates otel_logs when missing.
  --dry-run          print the DDL that would run; change nothing
  --retention SPEC   policy for a table created now (LOGQ_RETENTION; default ${'DEBUG=3d,INFO=10d,WARN=10d,ERROR=15d,FATAL=30d'});
                     an existing table keeps its policy (change it with logq retention set)
${STORE_HELP}`;

/** `logq migrate`; returns the exit code. */
export async function migrateCommand(argv: string[], env: NodeJS.ProcessEnv = process.env, io: CliIo = processIo()): Promise<number> {
  let values;
  let flags;
  let requested;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { ...STORE_OPTIONS, 'dry-run': { type: 'boolean' }, retention: { type: 'string' }, help: { type: 'boolean' } },
    }));
    if (values.help) {
      io.out(MIGRATE_HELP + '\n');
      return 0;
    }
    flags = storeFlags(values, env);
    const spec = values.retention ?? (env.LOGQ_RETENTION || undefined);
    requested = spec === undefined ? undefined : parseRetention(spec);
  } catch (error) {
    io.err(`logq migrate: ${(error as Error).message}\n`);
    return 2;
  }
  const store = openStoreFrom(flags);
  try {
    const existing = policyFromComment(await readRetentionComment(store.client));
    const policy = existing ?? requested ?? DEFAULT_RETENTION;
    const engine = await detectEngine(store.client);
    io.out(`ClickHouse ${engine.version}: ${engine.textIndex ? 'text indexes' : 'bloom/token filter indexes'}${flags.cluster ? `, cluster ${flags.cluster}` : ''}\n`);
    if (values['dry-run']) {
      const pending = await pendingMigrations(store.client, { policy, ref: DEFAULT_TABLE, engine, cluster: flags.cluster });
      if (pending.length === 0) io.out('schema is current: no pending migrations\n');
      for (const m of pending) {
        io.out(`-- migration ${m.version}: ${m.name}\n`);
        io.out(m.statements.length ? m.statements.map((s) => s + ';\n').join('\n') : '-- (nothing to run on this engine)\n');
        io.out('\n');
      }
      io.out('dry run: nothing changed\n');
      return 0;
    }
    const r = await ensureSchema(store.client, policy, DEFAULT_TABLE, { cluster: flags.cluster });
    const applied = r.migrationsApplied ?? [];
    io.out(applied.length ? `applied migrations: ${applied.join(', ')}\n` : 'schema is current: no pending migrations\n');
    return 0;
  } catch (error) {
    io.err(`logq migrate: ${(error as Error).message.trim()}\n`);
    return 1;
  } finally {
    await store.close();
  }
}
