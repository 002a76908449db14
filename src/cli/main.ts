#!/usr/bin/env node
import { collectorCommand } from './collector-command.ts';
import { QUERY_HELP, queryCommand } from './query-command.ts';

const USAGE = `Usage: logq <command> [options]

Commands:
  collector   run the OTLP collector (gRPC :4317, HTTP :4318) writing to ClickHouse
  query       run a read-only SQL query against the store

Run "logq <command> --help" for a command's options.`;

/** Runs the `logq` command line; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'collector':
      return collectorCommand(rest);
    case 'query':
      return queryCommand(rest);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE + '\n' + (command === 'help' && rest[0] === 'query' ? QUERY_HELP + '\n' : ''));
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
