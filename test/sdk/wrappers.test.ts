import { afterAll, describe, expect, it } from 'vitest';
import { LogCall, LogPerformance } from '../../src/sdk/decorators.ts';
import { getLogger } from '../../src/sdk/logger.ts';
import { logCall, logPerformance } from '../../src/sdk/wrappers.ts';
import { registerInMemory } from './memory-pipeline.ts';

const handle = registerInMemory({ level: 'debug' });
afterAll(() => handle.shutdown());

async function fresh() {
  await handle.forceFlush();
  handle.exporter.reset();
}

/** Busy-waits `ms` so a call is slow without timers (deterministic "slower than"). */
function spin(ms: number) {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe('logCall', () => {
  it('logs name, duration and outcome of sync and async calls, keeps results and this', async () => {
    await fresh();
    const obj = {
      factor: 3,
      times(n: number) {
        return n * this.factor;
      },
    };
    obj.times = logCall(obj.times, { level: 'info' });
    expect(obj.times(2)).toBe(6);
    const fetchUser = logCall(async function fetchUser(id: number) {
      await new Promise((r) => setTimeout(r, 2));
      return { id };
    });
    expect(await fetchUser(5)).toEqual({ id: 5 });
    const recs = await handle.records();
    expect(recs.map((r) => [r.body, r.severityText, r.attributes['code.function.name'], r.attributes.outcome])).toEqual([
      ['call times succeeded', 'INFO', 'times', 'success'],
      ['call fetchUser succeeded', 'DEBUG', 'fetchUser', 'success'],
    ]);
    expect(recs[1].attributes.duration_ms as number).toBeGreaterThan(0);
  });

  it('logs failures at ERROR with the exception and rethrows (sync and async)', async () => {
    await fresh();
    const parse = logCall(function parse(s: string) {
      return JSON.parse(s) as unknown;
    });
    expect(() => parse('{')).toThrow(SyntaxError);
    const load = logCall(async function load() {
      throw new Error('db down');
    });
    await expect(load()).rejects.toThrow('db down');
    const recs = await handle.records();
    expect(recs.map((r) => [r.body, r.severityText, r.attributes.outcome, r.attributes['exception.type']])).toEqual([
      ['call parse failed', 'ERROR', 'error', 'SyntaxError'],
      ['call load failed', 'ERROR', 'error', 'Error'],
    ]);
  });
});

describe('logPerformance', () => {
  it('logs only calls slower than the threshold', async () => {
    await fresh();
    const quick = logPerformance(function quick() {
      return 1;
    }, { thresholdMs: 50 });
    const slow = logPerformance(function slow() {
      spin(30);
      return 2;
    }, { thresholdMs: 10 });
    const slowAsync = logPerformance(async function slowAsync() {
      await new Promise((r) => setTimeout(r, 30));
    }, { thresholdMs: 10, level: 'error' });
    expect(quick()).toBe(1);
    expect(slow()).toBe(2);
    await slowAsync();
    const recs = await handle.records();
    expect(recs.map((r) => [r.attributes['code.function.name'], r.severityText, r.attributes.threshold_ms])).toEqual([
      ['slow', 'WARN', 10],
      ['slowAsync', 'ERROR', 10],
    ]);
    expect(recs[0].attributes.duration_ms as number).toBeGreaterThan(10);
  });
});

describe('decorators', () => {
  /**
   * Applies a standard (TC39) method decorator as TypeScript's emitted code does. Decorator syntax
   * itself needs a compile step (tsc); Node's type stripping and vitest's transform do not lower it.
   */
  function decorate<T extends object>(cls: { prototype: T }, name: keyof T & string, decorator: (m: never, c: never) => unknown) {
    const proto = cls.prototype as Record<string, unknown>;
    const context = { kind: 'method', name, static: false, private: false, metadata: {}, addInitializer() {}, access: { has: () => true, get: (o: T) => (o as Record<string, unknown>)[name] } };
    proto[name] = decorator(proto[name] as never, context as never);
  }

  it('@LogCall and @LogPerformance wrap methods', async () => {
    await fresh();
    class OrderService {
      rate = 2;
      total(n: number) {
        return n * this.rate;
      }
      heavy() {
        spin(20);
        return 'ok';
      }
      light() {
        return 'fast';
      }
    }
    decorate(OrderService, 'total', LogCall({ level: 'info', logger: getLogger('orders') }) as never);
    decorate(OrderService, 'heavy', LogPerformance({ thresholdMs: 5 }) as never);
    decorate(OrderService, 'light', LogPerformance({ thresholdMs: 1000 }) as never);
    const s = new OrderService();
    expect(s.total(4)).toBe(8);
    expect(s.heavy()).toBe('ok');
    expect(s.light()).toBe('fast');
    const recs = await handle.records();
    expect(recs.map((r) => [r.instrumentationScope.name, r.attributes['code.function.name'], r.severityText])).toEqual([
      ['orders', 'total', 'INFO'],
      ['logq.performance', 'heavy', 'WARN'],
    ]);
  });
});
