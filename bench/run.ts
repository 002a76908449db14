/**
 * The benchmark runner: `npm run bench` runs every scenario; `npm run bench -- <scenario>` runs one.
 * Each scenario runs in its own Node process (chDB binds one data directory per process, and a
 * fresh process keeps one scenario's heap and JIT state out of the next one's numbers).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { updateBenchmarksMd } from './lib/benchmarks-md.ts';

/** Scenarios in the order `npm run bench` runs them. */
export const SCENARIOS = ['app-export', 'app-breakdown', 'collector-ingest', 'end-to-end', 'storage-ceiling'] as const;

const wanted = process.argv.slice(2).filter((a) => a !== '--');
for (const name of wanted) {
  if (!(SCENARIOS as readonly string[]).includes(name)) {
    process.stderr.write(`bench: unknown scenario "${name}"; expected one of: ${SCENARIOS.join(', ')}\n`);
    process.exit(2);
  }
}
let failed = 0;
for (const name of wanted.length ? wanted : SCENARIOS) {
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
  }
}
// BENCHMARKS.md always shows the latest result of every scenario (with its own date and command).
updateBenchmarksMd(SCENARIOS);
process.exit(failed ? 1 : 0);
