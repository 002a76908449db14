import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import type { ChildConfig, ChildResult } from './app-export-child.ts';

const CHILD = resolve(import.meta.dirname, 'app-export-child.ts');

/**
 * Runs one app contender in its own process (bench/lib/app-export-child.ts): calls `onReady` once
 * it has warmed up (reset counters there), starts it, resolves with what it measured and the pid.
 */
export function runAppChild(cfg: ChildConfig, onReady: (pid: number) => void, timeoutMs = 180_000): Promise<ChildResult & { pid: number }> {
  return new Promise((res, rej) => {
    const child = fork(CHILD, [JSON.stringify(cfg)], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const kill = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`${cfg.contender} at ${cfg.rate}/s did not finish in ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.on('message', (m: { type: string; result?: ChildResult }) => {
      if (m.type === 'ready') {
        onReady(child.pid!);
        child.send('go');
      } else if (m.type === 'result' && m.result) {
        res({ ...m.result, pid: child.pid! });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(kill);
      if (code !== 0) rej(new Error(`${cfg.contender} child exited with ${code}`));
    });
  });
}
