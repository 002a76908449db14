import { parseArgs } from 'node:util';
import { openStore } from '../storage/client.ts';
import { runUserQuery } from '../storage/query.ts';
import { formatTable } from './format.ts';

export const QUERY_HELP = `Usage: logq query "<SQL>" [--format table|json] [--data-dir DIR | --clickhouse-url URL]

Runs one read-only SQL statement (readonly=1) against the store and prints the result.
  --format          table (default) or json
  --data-dir        embedded store directory (LOGQ_DATA_DIR, default ./data); only while no collector holds it
  --clickhouse-url  ClickHouse server URL (LOGQ_CLICKHOUSE_URL)`;

/** `logq query "<SQL>"`: prints a table or JSON; returns the exit code. */
export async function queryCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'table' },
      'data-dir': { type: 'string' },
      'clickhouse-url': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(QUERY_HELP + '\n');
    return 0;
  }
  if (positionals.length !== 1) {
    process.stderr.write('logq query: expected exactly one SQL argument, e.g. logq query "SELECT count() FROM otel.otel_logs"\n');
    return 2;
  }
  if (values.format !== 'table' && values.format !== 'json') {
    process.stderr.write(`logq query: --format "${values.format}" is not valid: expected table or json\n`);
    return 2;
  }
  const store = openStore({
    dataDir: values['data-dir'] ?? env.LOGQ_DATA_DIR,
    clickhouseUrl: values['clickhouse-url'] ?? env.LOGQ_CLICKHOUSE_URL,
  });
  try {
    const result = await runUserQuery(store.client, positionals[0]);
    if (values.format === 'json') process.stdout.write(JSON.stringify(result.rows, null, 2) + '\n');
    else process.stdout.write(formatTable(result.columns.map((c) => c.name), result.rows) + '\n');
    return 0;
  } catch (error) {
    process.stderr.write(`logq query: ${(error as Error).message.trim()}\n`);
    return 1;
  } finally {
    await store.close();
  }
}
