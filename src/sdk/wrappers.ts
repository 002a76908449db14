import { flattenAttributes } from './attributes.ts';
import { logContextStorage, type LogContext } from './context.ts';
import { getLogger, type Logger, type LogAttributes } from './logger.ts';
import type { LevelName } from './levels.ts';

/** Options of {@link logCall}. */
export interface LogCallOptions {
  /** Level of the success record (failures are logged at ERROR). @default 'debug' */
  level?: LevelName;
  /** Logger used. @default getLogger('logq.calls') */
  logger?: Logger;
  /** Name in the records. @default the function's name, else 'anonymous' */
  name?: string;
}

/** Options of {@link logPerformance}. */
export interface LogPerformanceOptions {
  /** Calls slower than this (ms) are logged; faster ones write nothing. @default 1000 */
  thresholdMs?: number;
  /** Level of the slow-call record. @default 'warn' */
  level?: LevelName;
  /** Logger used. @default getLogger('logq.performance') */
  logger?: Logger;
  /** Name in the records. @default the function's name, else 'anonymous' */
  name?: string;
}

const elapsedMs = (start: bigint) => Math.round(Number(process.hrtime.bigint() - start) / 1e3) / 1e3;

const isPromiseLike = (v: unknown): v is PromiseLike<unknown> =>
  v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as PromiseLike<unknown>).then === 'function';

/**
 * Observes one call of `fn` (sync or async): `onDone(durationMs)` on success, `onError(err,
 * durationMs)` on failure; the result and the error reach the caller unchanged.
 */
function observe<T>(run: () => T, onDone: (ms: number) => void, onError: (err: unknown, ms: number) => void): T {
  const start = process.hrtime.bigint();
  let result: T;
  try {
    result = run();
  } catch (err) {
    onError(err, elapsedMs(start));
    throw err;
  }
  if (isPromiseLike(result)) {
    return Promise.resolve(result).then(
      (value) => {
        onDone(elapsedMs(start));
        return value;
      },
      (err: unknown) => {
        onError(err, elapsedMs(start));
        throw err;
      },
    ) as T;
  }
  onDone(elapsedMs(start));
  return result;
}

/**
 * Wraps `fn` so every call writes one record (the seed's `log_function_call`): the function
 * name (`code.function.name`), `duration_ms` and `outcome` (`success` at `level`, `error` at
 * ERROR with the exception). Works for sync and async functions and keeps `this`.
 */
export function logCall<A extends unknown[], R>(fn: (...args: A) => R, options: LogCallOptions = {}): (...args: A) => R {
  const logger = options.logger ?? getLogger('logq.calls');
  const name = options.name ?? (fn.name || 'anonymous');
  const level = options.level ?? 'debug';
  return function (this: unknown, ...args: A): R {
    return observe(
      () => fn.apply(this, args),
      (ms) => logger[level](`call ${name} succeeded`, { 'code.function.name': name, duration_ms: ms, outcome: 'success' }),
      (err, ms) => logger.exception(err, `call ${name} failed`, { 'code.function.name': name, duration_ms: ms, outcome: 'error' }),
    );
  };
}

/**
 * Wraps `fn` so a call slower than `thresholdMs` writes one record (the seed's
 * `log_performance`) with `duration_ms` and `threshold_ms`; fast calls write nothing. A failed
 * call that was also slow is logged too, with `outcome: error`.
 */
export function logPerformance<A extends unknown[], R>(fn: (...args: A) => R, options: LogPerformanceOptions = {}): (...args: A) => R {
  const logger = options.logger ?? getLogger('logq.performance');
  const name = options.name ?? (fn.name || 'anonymous');
  const threshold = options.thresholdMs ?? 1000;
  const level = options.level ?? 'warn';
  const report = (ms: number, outcome: string) => {
    if (ms > threshold) {
      logger[level](`slow call ${name}: ${ms}ms > ${threshold}ms`, { 'code.function.name': name, duration_ms: ms, threshold_ms: threshold, outcome });
    }
  };
  return function (this: unknown, ...args: A): R {
    return observe(() => fn.apply(this, args), (ms) => report(ms, 'success'), (_err, ms) => report(ms, 'error'));
  };
}

/**
 * Runs `fn` as a named block (the seed's `LogContext`): logs `<name> started`, then `<name>
 * completed` with `duration_ms`, or `<name> failed` with the exception, and returns what `fn`
 * returns (a promise for async functions). Every record logged inside the block — at any depth of
 * calls and awaits — carries `attributes` and `log.context = name`.
 */
export function withLogContext<R>(name: string, fn: () => R, attributes?: LogAttributes, logger: Logger = getLogger('logq.context')): R {
  const parent = logContextStorage.getStore();
  const ctx: LogContext = {
    requestId: parent?.requestId,
    spanContext: parent?.spanContext,
    shared: parent?.shared ?? {},
    attributes: { ...parent?.attributes, ...flattenAttributes(attributes), 'log.context': name },
  };
  return logContextStorage.run(ctx, () => {
    logger.info(`${name} started`);
    return observe(
      fn,
      (ms) => logger.info(`${name} completed`, { duration_ms: ms, outcome: 'success' }),
      (err, ms) => logger.exception(err, `${name} failed`, { duration_ms: ms, outcome: 'error' }),
    );
  });
}
