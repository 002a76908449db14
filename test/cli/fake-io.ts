import type { CliIo } from '../../src/cli/io.ts';

/** A CliIo that records output and answers confirmations as told. */
export function fakeIo(options: { interactive?: boolean; answer?: boolean } = {}) {
  let out = '';
  let err = '';
  const questions: string[] = [];
  const controller = new AbortController();
  const listeners = new Set<() => void>();
  const io: CliIo = {
    out: (t) => {
      out += t;
      for (const l of listeners) l();
    },
    err: (t) => {
      err += t;
      for (const l of listeners) l();
    },
    interactive: options.interactive ?? false,
    confirm: async (q) => {
      questions.push(q);
      return options.answer ?? false;
    },
    signal: controller.signal,
  };
  const waitFor = (re: RegExp, timeoutMs = 20_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (re.test(out) || re.test(err)) {
          listeners.delete(check);
          clearTimeout(t);
          resolve();
        }
      };
      const t = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`timed out waiting for ${re}; out:\n${out}\nerr:\n${err}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  return { io, out: () => out, err: () => err, questions, abort: () => controller.abort(), waitFor };
}
