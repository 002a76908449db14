import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The Node that runs the project (node_modules/.bin/node, Node 24), for child processes. */
export const NODE = process.execPath;
export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = resolve(ROOT, 'src/cli/main.ts');

export interface Spawned {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the process ends. */
  exited: Promise<number | string>;
  /** Resolves when `pattern` appears on stderr or stdout; rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

/** Spawns `node <args>` with captured output. */
export function spawnNode(args: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): Spawned {
  const child = spawn(NODE, args, { cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (d) => {
    out += d;
    for (const l of listeners) l();
  });
  child.stderr!.on('data', (d) => {
    err += d;
    for (const l of listeners) l();
  });
  const exited = new Promise<number | string>((res) => child.on('exit', (code, sig) => res(code ?? sig ?? -1)));
  const waitFor = (pattern: RegExp, timeoutMs = 30_000) =>
    new Promise<RegExpExecArray>((res, rej) => {
      const check = () => {
        const m = pattern.exec(err) ?? pattern.exec(out);
        if (m) {
          listeners.delete(check);
          clearTimeout(t);
          res(m);
        }
      };
      const t = setTimeout(() => {
        listeners.delete(check);
        rej(new Error(`timed out waiting for ${pattern}; stderr:\n${err}\nstdout:\n${out}`));
      }, timeoutMs);
      listeners.add(check);
      void exited.then(() => setTimeout(() => {
        if (listeners.has(check)) {
          listeners.delete(check);
          clearTimeout(t);
          rej(new Error(`process exited before ${pattern}; stderr:\n${err}\nstdout:\n${out}`));
        }
      }, 50));
      check();
    });
  return { child, stdout: () => out, stderr: () => err, exited, waitFor };
}

/**
 * `npm start`'s command as node arguments (flags and script, then `collector`), read from package.json,
 * so benchmarks measure the collector exactly as it is started.
 */
export function npmStartArgs(): string[] {
  const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [node, ...rest] = pkg.scripts.start.trim().split(/\s+/);
  if (node !== 'node' || rest.at(-1) !== 'collector') throw new Error(`npm start is not "node … collector": ${pkg.scripts.start}`);
  return rest;
}

/**
 * Spawns `logq collector` on free ports and waits until it listens; returns its ports. Tests run the
 * TypeScript sources (src/cli/main.ts); `asNpmStart` runs `npm start`'s command instead (the built
 * dist/ and its node flags: what benchmarks measure).
 */
export async function spawnCollector(args: string[], env: NodeJS.ProcessEnv = {}, opts: { asNpmStart?: boolean } = {}) {
  const command = opts.asNpmStart ? npmStartArgs() : [CLI, 'collector'];
  const p = spawnNode([...command, '--grpc-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0', ...args], {
    LOGQ_LOG_LEVEL: 'info',
    ...env,
  });
  const m = await p.waitFor(/"msg":"collector listening".*?"grpcPort":(\d+).*?"httpPort":(\d+)/);
  return Object.assign(p, { grpcPort: Number(m[1]), httpPort: Number(m[2]), grpcEndpoint: `http://127.0.0.1:${m[1]}` });
}
