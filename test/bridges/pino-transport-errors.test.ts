import { describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { spawnNode } from '../helpers/process.ts';

// Issue 9: the logq/pino transport never crashes the app: bad options and an unreachable
// collector are named on stderr, the app runs on and exits normally, and the loss is counted.

const APP = resolve(import.meta.dirname, 'fixtures/pino-unreachable-app.ts');
const DOWN_APP = resolve(import.meta.dirname, 'fixtures/pino-collector-down-app.ts');

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('logq/pino transport errors', () => {
  it('names a bad endpoint and what was expected, keeps the app running, counts the dropped records', async () => {
    const app = spawnNode([APP], { ENDPOINT: 'ftp://logs.example:21' });
    expect(await app.exited).toBe(0);
    expect(app.stdout()).toBe('app still running\n');
    expect(app.stderr()).toContain('logq/pino: cannot start: invalid OTLP endpoint "ftp://logs.example:21": scheme must be http or https');
    expect(app.stderr()).toContain('logq/pino: 10 record(s) dropped: the transport could not start');
  });

  it('gives up exporting at exit after exitTimeoutMillis when the collector is unreachable, and says how many records were lost', async () => {
    const app = spawnNode([APP], { ENDPOINT: `http://127.0.0.1:${await closedPort()}` });
    expect(await app.exited).toBe(0);
    expect(app.stdout()).toBe('app still running\n');
    expect(app.stderr()).toContain('logq/pino: gave up exporting at exit after 300 ms: 10 record(s) not delivered');
    expect(app.stderr()).not.toMatch(/took too long|Error:/);
  });

  it('while the collector is down, stops waiting and lets the bounded queue drop, counting every record', async () => {
    const app = spawnNode([DOWN_APP], { ENDPOINT: `http://127.0.0.1:${await closedPort()}`, TOTAL: '20000' });
    expect(await app.exited).toBe(0);
    expect(app.stdout()).toBe('logged 20000\n');
    const m = /logq\/pino: (\d+) record\(s\) dropped \(queue full\), (\d+) failed to export/.exec(app.stderr());
    expect(m, app.stderr()).not.toBeNull();
    // Every record is accounted for: dropped by the full queue or failed in an export.
    expect(Number(m![1]) + Number(m![2])).toBe(20000);
    expect(Number(m![1])).toBeGreaterThan(0);
  });
});
