import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { IngestClientConfig, IngestClientResult } from './ingest-client.ts';

const CLIENT = resolve(import.meta.dirname, 'ingest-client.ts');

/** Forks load clients, waits until all are ready, starts them together; resolves with their results. */
export async function runIngestClients(configs: IngestClientConfig[], onStart?: () => void): Promise<IngestClientResult[]> {
  const children: ChildProcess[] = configs.map((c) => fork(CLIENT, [JSON.stringify(c)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const results = children.map(
    (child, i) =>
      new Promise<IngestClientResult>((res, rej) => {
        child.on('message', (m: { type: string; result?: IngestClientResult }) => {
          if (m.type === 'result') res(m.result!);
        });
        child.on('exit', (code) => {
          if (code !== 0) rej(new Error(`ingest client ${i} exited with ${code}`));
        });
      }),
  );
  await Promise.all(children.map((child) => new Promise<void>((res) => child.once('message', () => res()))));
  onStart?.();
  for (const child of children) child.send('go');
  return Promise.all(results);
}
