import { logCall, logPerformance, type LogCallOptions, type LogPerformanceOptions } from './wrappers.ts';

type Method<This, A extends unknown[], R> = (this: This, ...args: A) => R;

/**
 * Decorator form of {@link logCall} (TC39/TypeScript 5 standard decorators): `@LogCall({ level: 'info' })`
 * on a method logs each call with its duration and outcome. The record name is the method's name.
 */
export function LogCall(options: LogCallOptions = {}) {
  return function <This, A extends unknown[], R>(method: Method<This, A, R>, context: ClassMethodDecoratorContext<This, Method<This, A, R>>) {
    return logCall(method, { ...options, name: options.name ?? qualified(context) }) as Method<This, A, R>;
  };
}

/** Decorator form of {@link logPerformance}: `@LogPerformance({ thresholdMs: 200 })` logs slow calls only. */
export function LogPerformance(options: LogPerformanceOptions = {}) {
  return function <This, A extends unknown[], R>(method: Method<This, A, R>, context: ClassMethodDecoratorContext<This, Method<This, A, R>>) {
    return logPerformance(method, { ...options, name: options.name ?? qualified(context) }) as Method<This, A, R>;
  };
}

function qualified(context: { name: string | symbol }): string {
  return String(context.name);
}
