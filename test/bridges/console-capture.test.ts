import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { queryRows, startTestCollector, tempDir } from '../helpers/collector.ts';
import { spawnNode, type Spawned } from '../helpers/process.ts';

// Issue 9: captureConsole() routes console.debug/log/info/warn/error of a real app (child
// process) through a logq logger into a live collector; restoreConsole() undoes it.

type Row = { Body: string; SeverityNumber: number; ScopeName: string; LogAttributes: Record<string, string> };

const APP = resolve(import.meta.dirname, 'fixtures/console-app.ts');
const tmp = tempDir();
let collector: Awaited<ReturnType<typeof startTestCollector>>;

async function runApp(run: string, print: boolean): Promise<{ app: Spawned; rows: Row[] }> {
  const app = spawnNode([APP], { LOGQ_ENDPOINT: collector.grpcEndpoint, RUN: run, PRINT: print ? '1' : '0' });
  expect(await app.exited, app.stderr()).toBe(0);
  let rows: Row[] = [];
  for (let i = 0; i < 200 && rows.length < 6; i++) {
    if (i) await new Promise((res) => setTimeout(res, 100));
    rows = await queryRows<Row>(
      collector,
      `SELECT Body, SeverityNumber, ScopeName, LogAttributes FROM otel.otel_logs WHERE ResourceAttributes['run'] = {run:String} ORDER BY Timestamp`,
      { run },
    );
  }
  return { app, rows };
}

beforeAll(async () => {
  collector = await startTestCollector(tmp.dir);
});
afterAll(async () => {
  await collector.stop();
  tmp.cleanup();
});

describe('captureConsole', () => {
  it('logs each console method at its level, formatted like the console, through the named logger', async () => {
    const { app, rows } = await runApp('quiet', false);
    expect(rows.map((r) => [r.Body, r.SeverityNumber])).toEqual([
      ['dbg 1', 5],
      ['plain log { a: 1 }', 9],
      ['info line', 9],
      ['careful', 13],
      [expect.stringMatching(/^it failed: SyntaxError: bad token\n\s+at /), 17],
      ['in request', 9],
    ]);
    expect(new Set(rows.map((r) => r.ScopeName))).toEqual(new Set(['legacy.console']));
    const err = rows[4].LogAttributes;
    expect(err['exception.type']).toBe('SyntaxError');
    expect(err['exception.message']).toBe('bad token');
    expect(err['exception.stacktrace']).toMatch(/^SyntaxError: bad token/);
    expect(rows[5].LogAttributes['request.id']).toBe('req-c1');
    // Not printed while captured; printed again after restoreConsole(), and not logged then.
    expect(app.stdout()).toBe('after restore\n');
    expect(app.stderr()).not.toMatch(/careful|it failed/);
  });

  it('still prints to the terminal with print: true', async () => {
    const { app, rows } = await runApp('loud', true);
    expect(rows).toHaveLength(6);
    expect(app.stdout()).toMatch(/^dbg 1\nplain log \{ a: 1 \}\ninfo line\nin request\nafter restore\n$/);
    expect(app.stderr()).toMatch(/careful\nit failed: SyntaxError: bad token/);
  });
});
