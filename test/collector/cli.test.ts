import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OPTIONS } from '../../src/collector/config.ts';
import { tempDir } from '../helpers/collector.ts';
import { CLI, spawnCollector, spawnNode } from '../helpers/process.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('logq collector (child process)', () => {
  it('--help lists every option with its env var and default, and exits 0', async () => {
    const p = spawnNode([CLI, 'collector', '--help']);
    expect(await p.exited).toBe(0);
    for (const o of OPTIONS) expect(p.stdout()).toMatch(new RegExp(`${o.flag}\\s+${o.env}\\s.*\\[default: ${o.defaultText.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\]`));
  });

  it('refuses to start on a bad config file, naming the key, and exits 2', async () => {
    const file = join(tmp.dir, 'bad.yaml');
    writeFileSync(file, 'spool-when-full: block\n');
    const p = spawnNode([CLI, 'collector', '--config', file]);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toMatch(/key "spool-when-full".*"block" is not valid: expected refuse or drop-oldest/);
  });

  it('runs from a YAML file, logs JSON on stderr, serves /metrics and exits 0 on SIGTERM', async () => {
    const file = join(tmp.dir, 'ok.yaml');
    writeFileSync(file, `data-dir: ${join(tmp.dir, 'data')}\nspool-max-bytes: 64MiB\nauth-token: s3cr3t-token\n`);
    const c = await spawnCollector(['--config', file]);
    const res = await fetch(`http://127.0.0.1:${c.httpPort}/metrics`);
    expect(await res.text()).toContain('logq_spool_max_bytes 67108864');
    c.child.kill('SIGTERM');
    expect(await c.exited).toBe(0);
    const lines = c.stderr().trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(expect.arrayContaining(['storage ready', 'collector listening', 'collector stopped']));
    expect(c.stderr()).not.toContain('s3cr3t-token');
  });
});
