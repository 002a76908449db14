import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { queryRows, startTestCollector, tempDir } from '../helpers/collector.ts';
import { spawnNode } from '../helpers/process.ts';

const FIXTURE = resolve(import.meta.dirname, 'fixtures/log-then-wait.ts');
const tmp = tempDir('logq-sdk-exit-');
let collector: Awaited<ReturnType<typeof startTestCollector>>;
beforeAll(async () => {
  collector = await startTestCollector(tmp.dir);
});
afterAll(async () => {
  await collector.stop();
  tmp.cleanup();
});

/** Rows of a mode once the collector has shipped them (it acks on spool fsync, then inserts). */
async function rowsOf(mode: string, expected: number): Promise<{ n: number; distinct: number }> {
  let last = await countOf(mode);
  for (let i = 0; i < 100 && last.n < expected; i++) {
    await new Promise((r) => setTimeout(r, 100));
    last = await countOf(mode);
  }
  return last;
}

async function countOf(mode: string): Promise<{ n: number; distinct: number }> {
  const [row] = await queryRows<{ n: string; d: string }>(
    collector,
    "SELECT count() AS n, uniqExact(LogAttributes['i']) AS d FROM otel.otel_logs WHERE ResourceAttributes['test.mode'] = {mode:String}",
    { mode },
  );
  return { n: Number(row.n), distinct: Number(row.d) };
}

function spawnApp(mode: string, count: number) {
  return spawnNode([FIXTURE], {
    MODE: mode,
    COUNT: String(count),
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.grpcEndpoint,
    OTEL_RESOURCE_ATTRIBUTES: `test.mode=${mode}`,
    // Hold everything in the queue: only the exit flush can deliver it.
    OTEL_BLRP_MAX_QUEUE_SIZE: '10000',
    OTEL_BLRP_SCHEDULE_DELAY: '600000',
  });
}

describe('flush on exit (child processes, live collector)', () => {
  it('a process that logs 10k records and receives SIGTERM delivers all 10k, then ends by the signal', async () => {
    const app = spawnApp('keepalive', 10_000);
    await app.waitFor(/logged 10000/);
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe('SIGTERM');
    expect(await rowsOf('keepalive', 10_000)).toEqual({ n: 10_000, distinct: 10_000 });
    expect(app.stderr()).not.toMatch(/queue full/);
  });

  it("SIGINT with the app's own handler: records are flushed and the app's handling decides (here: a clean exit)", async () => {
    const app = spawnApp('app-handler', 3_000);
    await app.waitFor(/logged 3000/);
    app.child.kill('SIGINT');
    expect(await app.exited).toBe(0);
    expect(app.stdout()).toContain('app handler ran');
    expect(await rowsOf('app-handler', 3_000)).toEqual({ n: 3_000, distinct: 3_000 });
  });

  it('a process whose event loop drains flushes on beforeExit and exits 0', async () => {
    const app = spawnApp('natural', 2_000);
    expect(await app.exited).toBe(0);
    expect(await rowsOf('natural', 2_000)).toEqual({ n: 2_000, distinct: 2_000 });
  });

  it('the exit flush is bounded: with the collector unreachable, SIGTERM still ends the process after the timeout', async () => {
    const app = spawnNode([FIXTURE], {
      MODE: 'keepalive',
      COUNT: '100',
      FLUSH_TIMEOUT_MS: '300',
      // Nothing listens on port 1; exporter and batch deadlines are 10 min, so only our bound can end the wait.
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1',
      OTEL_EXPORTER_OTLP_TIMEOUT: '600000',
      OTEL_BLRP_EXPORT_TIMEOUT: '600000',
    });
    await app.waitFor(/logged 100/);
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe('SIGTERM');
  });
});
