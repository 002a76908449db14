#!/usr/bin/env node
import { cleanCommand, CLEAN_HELP } from './clean-command.ts';
import { collectorCommand } from './collector-command.ts';
import { MIGRATE_HELP, migrateCommand } from './migrate-command.ts';
import { QUERY_HELP, queryCommand } from './query-command.ts';
import { RETENTION_HELP, retentionCommand } from './retention-command.ts';
import { TAIL_HELP, tailCommand } from './tail-command.ts';

const USAGE = `Usage: logq <command> [options]

Commands:
  collector   run the OTLP collector (gRPC :4317, HTTP :4318) writing to ClickHouse
  query       find records with filters, or run a read-only SQL query against the store
  tail        print the latest records; -f follows new ones
  clean       delete old records (--days, --level, --service, --dry-run)
  retention   show or set the per-level retention policy
  migrate     apply pending schema migrations (--dry-run prints the DDL)

Run "logq <command> --help" for a command's options.`;

const HELP: Record<string, string> = {
  query: QUERY_HELP,
  tail: TAIL_HELP,
  clean: CLEAN_HELP,
  retention: RETENTION_HELP,
  migrate: MIGRATE_HELP,
};

/** Runs the `logq` command line; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'collector':
      return collectorCommand(rest);
    case 'query':
      return queryCommand(rest);
    case 'tail':
      return tailCommand(rest);
    case 'clean':
      return cleanCommand(rest);
    case 'retention':
      return retentionCommand(rest);
    case 'migrate':
      return migrateCommand(rest);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE + '\n' + (command === 'help' && HELP[rest[0]] ? HELP[rest[0]] + '\n' : ''));
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`logq: unknown command "${command}"\n\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`logq: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
