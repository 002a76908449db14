/** Options of {@link installExitFlush}. */
export interface ExitFlushOptions {
  /** Longest wait for the flush on exit, in ms. @default 5000 */
  timeoutMillis?: number;
  /** Signals that trigger a flush. @default ['SIGTERM', 'SIGINT'] */
  signals?: NodeJS.Signals[];
}

/**
 * Flushes buffered records on SIGTERM, SIGINT and `beforeExit`, within a bounded time, then lets
 * the app's own signal handling proceed: when the app has its own listeners for the signal they
 * decide what happens; when it has none we re-raise the signal after the flush so the process
 * ends as it would have without us (exit by signal). Returns a function that uninstalls.
 */
export function installExitFlush(flush: () => Promise<void>, hasNewRecords: () => boolean, options: ExitFlushOptions = {}): () => void {
  const timeout = options.timeoutMillis ?? 5000;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let flushing: Promise<void> | undefined;

  const boundedFlush = (): Promise<void> => {
    flushing ??= new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeout);
      flush()
        .catch(() => {})
        .finally(() => {
          clearTimeout(timer);
          flushing = undefined;
          resolve();
        });
    });
    return flushing;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    const othersListen = process.listenerCount(signal) > 1;
    void boundedFlush().then(() => {
      if (othersListen) return;
      uninstall();
      process.kill(process.pid, signal);
    });
  };
  // beforeExit fires again whenever the loop drains: flush only when something new was logged.
  const onBeforeExit = () => {
    if (!flushing && hasNewRecords()) void boundedFlush();
  };

  for (const s of signals) process.on(s, onSignal);
  process.on('beforeExit', onBeforeExit);
  const uninstall = () => {
    for (const s of signals) process.off(s, onSignal);
    process.off('beforeExit', onBeforeExit);
  };
  return uninstall;
}
