import { formatWithOptions } from 'node:util';
import { getLogger, type Logger, type LogAttributes } from '../sdk/logger.ts';
import { exceptionAttributes } from './exception-attributes.ts';

/** Options of {@link captureConsole}. */
export interface CaptureConsoleOptions {
  /** Name of the logq logger the console records go through. @default 'console' */
  loggerName?: string;
  /** Also print to the terminal as before (the original console methods). @default false */
  print?: boolean;
}

/** The console methods captured, and the logq level each one logs at. */
const METHODS = { debug: 'debug', log: 'info', info: 'info', warn: 'warn', error: 'error' } as const;
type Method = keyof typeof METHODS;

let originals: Partial<Record<Method, (...args: unknown[]) => void>> | undefined;
let inside = false;

/**
 * Routes `console.debug/log/info/warn/error` through a logq logger (so records get the levels,
 * correlation, redaction and exporter of `registerLogging`): the arguments are formatted like the
 * console does (`util.format`) into the body, and the first Error argument also gives
 * `exception.type/message/stacktrace`. With `print: true` the original methods still print.
 * Calling it again replaces the previous capture; {@link restoreConsole} undoes it.
 */
export function captureConsole(options: CaptureConsoleOptions = {}): void {
  restoreConsole();
  const logger: Logger = getLogger(options.loggerName ?? 'console');
  const print = options.print ?? false;
  const saved: Partial<Record<Method, (...args: unknown[]) => void>> = {};
  for (const method of Object.keys(METHODS) as Method[]) {
    const original = console[method] as (...args: unknown[]) => void;
    saved[method] = original;
    const level = METHODS[method];
    console[method] = function captured(...args: unknown[]): void {
      // Anything the pipeline itself prints (warnings, a console exporter) goes straight out.
      if (inside) return original.apply(console, args);
      inside = true;
      try {
        if (print) original.apply(console, args);
        if (logger.isLevelEnabled(level)) {
          const error = args.find((a): a is Error => a instanceof Error);
          const attributes: LogAttributes | undefined = error ? (exceptionAttributes(error) as LogAttributes) : undefined;
          logger[level](formatWithOptions({ colors: false }, ...args), attributes);
        }
      } catch {
        // The logging path never throws into the application.
      } finally {
        inside = false;
      }
    };
  }
  originals = saved;
}

/** Puts back the console methods {@link captureConsole} replaced. Safe to call when not capturing. */
export function restoreConsole(): void {
  if (!originals) return;
  for (const [method, fn] of Object.entries(originals)) console[method as Method] = fn as never;
  originals = undefined;
}
