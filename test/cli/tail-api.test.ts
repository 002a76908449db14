import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/collector.ts';
import { CLI, spawnCollector, spawnNode } from '../helpers/process.ts';

// Child processes end to end: a collector holds the embedded store; `logq tail -f` and
// `logq query` read through its REST API (--api), as users do in embedded mode.
const tmp = tempDir('logq-tail-api-');
const dataDir = `${tmp.dir}/store`;
const TOKEN = 'tail-api-token';
afterAll(() => tmp.cleanup());

describe('logq tail -f / logq query --api against a running collector', () => {
  it('tail -f sees a record sent after it started; query --api finds it; query --sql after stop', async () => {
    const collector = await spawnCollector(['--data-dir', dataDir, '--auth-token', TOKEN]);
    const api = `http://127.0.0.1:${collector.httpPort}`;
    try {
      const tail = spawnNode([CLI, 'tail', '-f', '--service', 'e2e', '--format', 'jsonl', '--interval', '200ms', '--api', api], {
        LOGQ_API_TOKEN: TOKEN,
      });
      await tail.waitFor(/following new records/);
      expect(tail.stdout()).toBe('');
      const res = await fetch(`${api}/api/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify([
          { level: 'ERROR', message: 'sent after tail started', service: 'e2e', attributes: { 'request.id': 'rq-1' } },
          { level: 'ERROR', message: 'other service', service: 'elsewhere' },
        ]),
      });
      expect(res.status).toBeLessThan(300);
      await tail.waitFor(/sent after tail started/);
      tail.child.kill('SIGINT');
      expect(await tail.exited).toBe(0);
      const lines = tail.stdout().trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.map((l) => l.body)).toEqual(['sent after tail started']);
      expect(lines[0].logAttributes['request.id']).toBe('rq-1');

      const q = spawnNode([CLI, 'query', '--api', api, '--token', TOKEN, '--request-id', 'rq-1', '--format', 'json']);
      expect(await q.exited).toBe(0);
      expect(JSON.parse(q.stdout()).map((r: { body: string }) => r.body)).toEqual(['sent after tail started']);

      const unauth = spawnNode([CLI, 'query', '--api', api, '--service', 'e2e']);
      expect(await unauth.exited).toBe(1);
      expect(unauth.stderr()).toContain('API 401');
      const bad = spawnNode([CLI, 'query', '--api', api, '--token', TOKEN, '--level', 'LOUD']);
      expect(await bad.exited).toBe(2);
      expect(bad.stderr()).toContain('--level');
    } finally {
      collector.child.kill('SIGTERM');
      await collector.exited;
    }
    const sql = spawnNode([CLI, 'query', '--sql', "SELECT Body FROM otel.otel_logs WHERE ServiceName = 'e2e'", '--format', 'jsonl', '--data-dir', dataDir]);
    expect(await sql.exited).toBe(0);
    expect(JSON.parse(sql.stdout())).toEqual({ Body: 'sent after tail started' });
  });
});
