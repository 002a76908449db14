import { createInterface } from 'node:readline/promises';

/** Where a command writes and how it asks; tests pass their own. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True when a person can answer a confirmation prompt. */
  interactive: boolean;
  /** Asks a yes/no question; resolves true for "y"/"yes". */
  confirm(question: string): Promise<boolean>;
  /** Aborted when the command should stop (SIGINT/SIGTERM for `tail -f`). @default undefined */
  signal?: AbortSignal;
}

/**
 * The process's stdout/stderr/stdin. With `handleSignals` (long-running commands such as
 * `tail -f`), SIGINT and SIGTERM abort {@link CliIo.signal} so the command ends cleanly.
 */
export function processIo(handleSignals = false): CliIo {
  const controller = new AbortController();
  if (handleSignals) {
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    confirm: async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
      } finally {
        rl.close();
      }
    },
    signal: controller.signal,
  };
}
