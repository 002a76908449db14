import { startCollector } from '../collector/Collector.ts';
import { collectorHelp, loadCollectorConfig } from '../collector/config.ts';
import { LogqError } from '../collector/errors.ts';
import { collectorLog } from '../collector/log.ts';

/**
 * `logq collector [flags]`: runs until SIGTERM/SIGINT, then stops accepting, writes every
 * accepted record to ClickHouse and exits 0.
 */
export async function collectorCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(collectorHelp() + '\n');
    return 0;
  }
  let config;
  try {
    config = loadCollectorConfig(argv, env);
  } catch (error) {
    if (error instanceof LogqError) {
      process.stderr.write(`logq collector: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  // Signal handlers go in before start-up, so a SIGTERM that arrives while the store opens is not
  // fatal: the collector finishes starting, then stops cleanly.
  let signalled: NodeJS.Signals | undefined;
  let onStopRequest: (() => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    collectorLog('info', 'signal received', { signal });
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    signalled = signal;
    onStopRequest?.();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  let collector;
  try {
    collector = await startCollector(config);
  } catch (error) {
    collectorLog('error', 'collector failed to start', { error });
    return 1;
  }
  const running = collector;
  return new Promise<number>((resolve) => {
    onStopRequest = () =>
      running.stop().then(
        () => resolve(0),
        (error: unknown) => {
          collectorLog('error', 'flush on shutdown failed', { error });
          resolve(1);
        },
      );
    if (signalled) onStopRequest();
  });
}
