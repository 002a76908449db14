import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { machine } from './proc.ts';

export const BENCH_DIR = resolve(import.meta.dirname, '..');
/** The machine as the scenario's process found it on start (its load average before the scenario's own load). */
const MACHINE_AT_START = machine();
export const RESULTS_DIR = resolve(BENCH_DIR, 'results');
export const CHARTS_DIR = resolve(BENCH_DIR, 'charts');

/** A results table: column headers and rows of cells. */
export interface Table {
  title: string;
  headers: string[];
  rows: (string | number)[][];
}

/** Formats a number for a table: fixed decimals, thousands separated. */
export function fmt(n: number, decimals = 0): string {
  if (!Number.isFinite(n)) return String(n);
  return n.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** Renders a table as GitHub markdown (also readable on a terminal). */
export function markdownTable(t: Table): string {
  const lines = [`| ${t.headers.join(' | ')} |`, `| ${t.headers.map(() => '---').join(' | ')} |`];
  for (const r of t.rows) lines.push(`| ${r.join(' | ')} |`);
  return `**${t.title}**\n\n${lines.join('\n')}\n`;
}

/**
 * The command that reproduces a scenario's run: the knobs it was given (`BENCH_*`, `LOGQ_BENCH_*`
 * environment variables, sorted, values shell-quoted when they need it) in front of
 * `npm run bench -- <scenario>`. BENCHMARKS.md quotes it, so a run with `BENCH_REPEATS=5` does
 * not read as a run with the defaults.
 */
export function benchCommand(scenario: string, env: NodeJS.ProcessEnv = process.env): string {
  const knobs = Object.keys(env)
    .filter((k) => /^(LOGQ_)?BENCH_[A-Z0-9_]+$/.test(k) && env[k] !== undefined)
    .sort()
    .map((k) => {
      const v = env[k]!;
      return `${k}=${/^[\w.,:/@%+=-]+$/.test(v) ? v : `'${v.replaceAll("'", `'\\''`)}'`}`;
    });
  return [...knobs, `npm run bench -- ${scenario}`].join(' ');
}

/**
 * Prints the tables, writes `bench/results/<scenario>.json` (the latest run) and a timestamped
 * copy, plus `bench/results/<scenario>.md` with the tables for BENCHMARKS.md.
 */
export function publish(scenario: string, tables: Table[], data: unknown, notes: string[] = []): void {
  const md = tables.map(markdownTable).join('\n') + (notes.length ? `\n${notes.map((n) => `- ${n}`).join('\n')}\n` : '');
  process.stdout.write(`\n${md}\n`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const doc = {
    scenario,
    date: new Date().toISOString(),
    command: benchCommand(scenario),
    machine: MACHINE_AT_START,
    data,
    tables,
    notes,
  };
  const json = JSON.stringify(doc, null, 2);
  writeFileSync(resolve(RESULTS_DIR, `${scenario}.json`), json);
  writeFileSync(resolve(RESULTS_DIR, `${scenario}-${doc.date.replace(/[:.]/g, '-')}.json`), json);
  writeFileSync(resolve(RESULTS_DIR, `${scenario}.md`), md);
}
