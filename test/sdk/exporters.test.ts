import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { getLogger } from '../../src/sdk/logger.ts';
import { tempDir } from '../helpers/collector.ts';
import { registerInMemory } from './memory-pipeline.ts';

let handle: ReturnType<typeof registerInMemory> | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
});
const tmp = tempDir('logq-sdk-exporters-');
afterAll(() => tmp.cleanup());

function capture(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  stream.on('data', (d) => (text += d));
  return { stream, text: () => text };
}

describe('ConsoleLogExporter', () => {
  it('writes JSON lines when the stream is not a TTY', async () => {
    const out = capture(false);
    handle = registerInMemory({ console: { stream: out.stream }, serviceName: 'shop' });
    getLogger('con').warn('low stock', { sku: 'A1' });
    await handle.forceFlush();
    const line = JSON.parse(out.text().trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'WARN', severity: 13, logger: 'con', body: 'low stock', attributes: { sku: 'A1' }, service: 'shop' });
    expect(String(line.time)).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('pretty-prints with colour on a TTY, without colour when asked', async () => {
    const tty = capture(true);
    handle = registerInMemory({ console: { stream: tty.stream } });
    getLogger('con').error('payment failed', { id: 1 });
    await handle.forceFlush();
    expect(tty.text()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} \u001b\[31mERROR\u001b\[0m con: payment failed \{"id":1\}\n$/);
    await handle.shutdown();
    const plain = capture(true);
    handle = registerInMemory({ console: { stream: plain.stream, colors: false } });
    getLogger('con').info('hello');
    await handle.forceFlush();
    expect(plain.text()).toMatch(/ INFO  con: hello\n$/);
  });
});

describe('RotatingFileExporter', () => {
  it('creates its folder, writes JSON lines and rotates by size keeping maxFiles', async () => {
    const path = join(tmp.dir, 'nested', 'deeper', 'app.log');
    handle = registerInMemory({ file: { path, maxBytes: 2000, maxFiles: 2 } });
    const log = getLogger('file');
    for (let i = 0; i < 60; i++) {
      log.info(`record ${i}`, { pad: 'x'.repeat(60) });
      if (i % 5 === 4) await handle.forceFlush(); // batches of 5 records (~700 bytes)
    }
    await handle.forceFlush();
    const files = readdirSync(join(tmp.dir, 'nested', 'deeper')).sort();
    expect(files).toEqual(['app.log', 'app.log.1', 'app.log.2']);
    const lines = (f: string) => readFileSync(join(tmp.dir, 'nested', 'deeper', f), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { body: string });
    for (const f of files) expect(readFileSync(join(tmp.dir, 'nested', 'deeper', f)).length).toBeLessThanOrEqual(2000);
    // The live file holds the newest records, .1 the ones before, and the last record is 59.
    const live = lines('app.log');
    expect(live.at(-1)!.body).toBe('record 59');
    const older = lines('app.log.1');
    const firstLive = Number(live[0].body.split(' ')[1]);
    expect(Number(older.at(-1)!.body.split(' ')[1])).toBe(firstLive - 1);
    expect(existsSync(`${path}.3`)).toBe(false);
  });
});
