/**
 * The benchmark runner: `npm run bench` runs every scenario; `npm run bench -- <scenario>` runs one.
 * Each scenario runs in its own Node process (chDB binds one data directory per process, and a
 * fresh process keeps one scenario's heap and JIT state out of the next one's numbers).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { updateBenchmarksMd } from './lib/benchmarks-md.ts';

/** Scenarios in the order `npm run bench` runs them (their tables are generated into BENCHMARKS.md). */
export const SCENARIOS = ['app-export', 'app-breakdown', 'collector-ingest', 'end-to-end', 'storage-ceiling', 'store-memory'] as const;

/**
 * Scenarios of the other features, run after the core ones: the SDK's logger costs, pino through
 * logq's transport (needs `npm run build`: pino's worker loads the built package), and query
 * latency with and without skip indexes over 10M rows (the longest, ~10 min).
 */
export const FEATURE_SCENARIOS = ['sdk-logger', 'bridge-pino', 'insert-cost', 'query-indexes'] as const;
const ALL: readonly string[] = [...SCENARIOS, ...FEATURE_SCENARIOS];

const wanted = process.argv.slice(2).filter((a) => a !== '--');
for (const name of wanted) {
  if (!ALL.includes(name)) {
    process.stderr.write(`bench: unknown scenario "${name}"; expected one of: ${ALL.join(', ')}\n`);
    process.exit(2);
  }
}
let failed = 0;
/** Scenarios that completed in this run: only their sections of BENCHMARKS.md are rewritten. */
const ran: string[] = [];
for (const name of wanted.length ? wanted : ALL) {
  const file = resolve(import.meta.dirname, `${name}.ts`);
  if (!existsSync(file)) {
    process.stderr.write(`bench: ${name}: ${file} is missing\n`);
    failed++;
    continue;
  }
  process.stderr.write(`\n=== bench ${name} ===\n`);
  const r = spawnSync(process.execPath, [file], { stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`bench: ${name} failed (exit ${r.status ?? r.signal})\n`);
    failed++;
  } else {
    ran.push(name);
  }
}
// BENCHMARKS.md shows the latest completed run of every core scenario (with its own date and command).
updateBenchmarksMd(SCENARIOS, ran);
process.exit(failed ? 1 : 0);
