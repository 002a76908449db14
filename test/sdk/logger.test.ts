import { afterEach, describe, expect, it } from 'vitest';
import { logs } from '@opentelemetry/api';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type LogRecordProcessor, type ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { configureLoggers, getLogger } from '../../src/sdk/logger.ts';
import { registerInMemory } from './memory-pipeline.ts';

let handle: ReturnType<typeof registerInMemory> | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  delete process.env.LOG_LEVEL;
});

describe('logger surface', () => {
  it('emits every level with OTel severity numbers and texts; critical is fatal', async () => {
    handle = registerInMemory({ level: 'trace' });
    const log = getLogger('surface');
    log.trace('t');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    log.fatal('f');
    log.critical('c');
    const recs = await handle.records();
    expect(recs.map((r) => [r.body, r.severityNumber, r.severityText])).toEqual([
      ['t', 1, 'TRACE'],
      ['d', 5, 'DEBUG'],
      ['i', 9, 'INFO'],
      ['w', 13, 'WARN'],
      ['e', 17, 'ERROR'],
      ['f', 21, 'FATAL'],
      ['c', 21, 'FATAL'],
    ]);
    expect(recs.every((r) => r.instrumentationScope.name === 'surface')).toBe(true);
  });

  it('timestamps are sub-millisecond and keep call order (no ties within a millisecond)', async () => {
    handle = registerInMemory();
    const log = getLogger('order');
    for (let i = 0; i < 200; i++) log.info(`n${i}`);
    const recs = await handle.records();
    const nanos = recs.map((r) => BigInt(r.hrTime[0]) * 1_000_000_000n + BigInt(r.hrTime[1]));
    for (let i = 1; i < nanos.length; i++) expect(nanos[i] > nanos[i - 1]).toBe(true);
    const wall = Number(nanos[0] / 1_000_000n);
    expect(Math.abs(wall - Date.now())).toBeLessThan(60_000); // still wall-clock time
  });

  it('exception() records exception.type/message/stacktrace at ERROR', async () => {
    handle = registerInMemory();
    class PaymentDeclined extends Error {
      override name = 'PaymentDeclined';
    }
    getLogger('exc').exception(new PaymentDeclined('card refused'), 'checkout failed', { order: { id: 7 } });
    getLogger('exc').exception('plain string');
    const [a, b] = await handle.records();
    expect(a.severityNumber).toBe(17);
    expect(a.body).toBe('checkout failed');
    expect(a.attributes['exception.type']).toBe('PaymentDeclined');
    expect(a.attributes['exception.message']).toBe('card refused');
    expect(String(a.attributes['exception.stacktrace'])).toContain('PaymentDeclined: card refused');
    expect(a.attributes['order.id']).toBe(7);
    expect(b.body).toBe('plain string');
    expect(b.attributes['exception.type']).toBe('string');
  });

  it('an Error passed as attributes becomes exception attributes; a non-object is kept, never iterated', async () => {
    handle = registerInMemory();
    const log = getLogger('slips');
    log.error('failed', new RangeError('too big') as never);
    log.info('odd', 'just a string' as never);
    const [a, b] = await handle.records();
    expect(a.attributes).toMatchObject({ 'exception.type': 'RangeError', 'exception.message': 'too big' });
    expect(b.attributes).toEqual({ 'log.argument': 'just a string' });
  });

  it('event() sets the OTLP event name', async () => {
    handle = registerInMemory();
    getLogger('ev').event('user.signup', { plan: 'pro' });
    const [r] = await handle.records();
    expect(r.eventName).toBe('user.signup');
    expect(r.attributes.plan).toBe('pro');
    expect(r.severityNumber).toBe(9);
  });

  it('child() binds attributes once; call attributes win; children of children merge', async () => {
    handle = registerInMemory();
    const base = getLogger('kids');
    const child = base.child({ tenant: 'acme', db: { name: 'main' } });
    const grandchild = child.child({ job: 'import' });
    child.info('one', { tenant: 'override' });
    grandchild.info('two');
    base.info('three');
    const [one, two, three] = await handle.records();
    expect(one.attributes).toMatchObject({ tenant: 'override', 'db.name': 'main' });
    expect(two.attributes).toMatchObject({ tenant: 'acme', 'db.name': 'main', job: 'import' });
    expect(three.attributes).not.toHaveProperty('tenant');
    expect(child.name).toBe('kids');
  });

  it('flattens nested attributes to dotted keys; arrays stay arrays; cycles are cut', async () => {
    handle = registerInMemory();
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    getLogger('flat').info('nested', {
      user: { id: 42, address: { city: 'Oslo' } },
      tags: ['a', 'b'],
      when: new Date('2026-01-02T03:04:05Z'),
      big: 10n,
      cyclic,
      skip: undefined,
    });
    const [r] = await handle.records();
    expect(r.attributes).toEqual({
      'user.id': 42,
      'user.address.city': 'Oslo',
      tags: ['a', 'b'],
      when: '2026-01-02T03:04:05.000Z',
      big: '10',
      'cyclic.a': 1,
      'cyclic.self': '[Circular]',
    });
  });

  it('code location is off by default and on for ERROR+ when enabled', async () => {
    handle = registerInMemory({ codeLocation: true });
    const log = getLogger('where');
    function placeOrder() {
      log.info('no location');
      log.error('with location');
    }
    placeOrder();
    const [info, error] = await handle.records();
    expect(info.attributes).not.toHaveProperty('code.line.number');
    expect(error.attributes['code.function.name']).toBe('placeOrder');
    expect(String(error.attributes['code.file.path'])).toMatch(/logger\.test\.ts$/);
    expect(typeof error.attributes['code.line.number']).toBe('number');
    await handle.shutdown();
    handle = registerInMemory();
    log.error('off by default');
    const [off] = await handle.records();
    expect(off.attributes).not.toHaveProperty('code.function.name');
  });
});

describe('levels', () => {
  it('without settings nothing is filtered (OTel SDK default, issue 3 contract)', async () => {
    handle = registerInMemory();
    const log = getLogger('lv.open');
    log.trace('t');
    log.debug('d');
    expect(log.isLevelEnabled('trace')).toBe(true);
    expect((await handle.records()).map((r) => r.body)).toEqual(['t', 'd']);
  });

  it('at info, lower levels are the shared no-op and emit nothing', async () => {
    handle = registerInMemory({ level: 'info' });
    const log = getLogger('lv.default');
    log.debug('hidden');
    log.trace('hidden');
    log.info('shown');
    expect(log.isLevelEnabled('debug')).toBe(false);
    expect(log.isLevelEnabled('info')).toBe(true);
    expect(log.debug).toBe(log.trace); // both the same no-op function
    expect(log.debug.name).toBe('noop');
    expect((await handle.records()).map((r) => r.body)).toEqual(['shown']);
  });

  it('LOG_LEVEL sets the overall level and prefix levels; options win over it', async () => {
    process.env.LOG_LEVEL = 'warn,app.db=debug';
    handle = registerInMemory();
    getLogger('app').info('no');
    getLogger('app').warn('app warn');
    getLogger('app.db').debug('db debug');
    getLogger('app.db.pool').debug('pool debug (inherits app.db)');
    getLogger('app.dbx').info('no: app.dbx is not under app.db');
    expect((await handle.records()).map((r) => r.body)).toEqual(['app warn', 'db debug', 'pool debug (inherits app.db)']);
    await handle.shutdown();
    handle = registerInMemory({ level: 'error', levels: { 'app.db': 'warn', 'noisy.lib': 'silent' } });
    getLogger('app').warn('no');
    getLogger('app.db.pool').debug('no');
    getLogger('app.db.pool').warn('pool warn');
    getLogger('noisy.lib.x').fatal('no: silent');
    expect((await handle.records()).map((r) => r.body)).toEqual(['pool warn']);
  });

  it('loggers made before registration are re-levelled by it; children follow their root', async () => {
    const early = getLogger('early.bird');
    const kid = early.child({ k: 1 });
    handle = registerInMemory({ levels: { early: 'debug' } });
    early.debug('root debug');
    kid.debug('child debug');
    const recs = await handle.records();
    expect(recs.map((r) => r.body)).toEqual(['root debug', 'child debug']);
  });

  it('a bad level setting warns and keeps the default instead of throwing', async () => {
    const warnings: string[] = [];
    const onWarn = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarn);
    process.env.LOG_LEVEL = 'info';
    handle = registerInMemory({ level: 'loud' });
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarn);
    expect(warnings.join('\n')).toMatch(/option "level" has level "loud": expected one of trace, debug, info/);
    getLogger('bad').debug('no: LOG_LEVEL=info applies');
    getLogger('bad').info('still info');
    expect((await handle.records()).map((r) => r.body)).toEqual(['still info']);
  });
});

describe("logq's loggers write straight into registerLogging's processors (intake.ts)", () => {
  const adder = (key: string): LogRecordProcessor => ({
    onEmit: (r) => void r.setAttribute(key, 'added'),
    forceFlush: async () => {},
    shutdown: async () => {},
  });

  it('scalar attributes reach filters, processors and exporters as the SDK would store them', async () => {
    handle = registerInMemory({ filter: (r) => r.attributes.keep === true, processors: [adder('later')] });
    const log = getLogger('intake');
    log.info('kept', { keep: true, n: 1, s: 'x', none: null });
    log.info('filtered', { keep: false });
    const recs = await handle.records();
    expect(recs.map((r) => [r.body, r.attributes, r.droppedAttributesCount])).toEqual([
      ['kept', { keep: true, n: 1, s: 'x', none: null, later: 'added' }, 0],
    ]);
    expect(handle.stats().emitted).toBe(1); // behind a filter, only what passed it
  });

  it("flat scalar attributes are copied, never adopted: processors' writes do not reach the caller's object", async () => {
    handle = registerInMemory({ processors: [adder('later')] });
    const log = getLogger('intake');
    const attrs = { card: '4111 1111 1111 1111', n: 1, ok: true, none: null };
    log.info('flat', attrs);
    // Inherited enumerable keys are flattened as before (for…in), not dropped by the clone.
    const inherited = Object.assign(Object.create({ fromProto: 'p' }) as Record<string, unknown>, { own: 'o' });
    log.info('inherited', inherited);
    // With bound and context attributes the same call merges them in the documented order.
    log.child({ bound: 'b', n: 0 }).info('bound', { n: 2 });
    const recs = await handle.records();
    expect(recs.map((r) => r.attributes)).toEqual([
      { card: '[REDACTED]', n: 1, ok: true, none: null, later: 'added' },
      { own: 'o', fromProto: 'p', later: 'added' },
      { bound: 'b', n: 2, later: 'added' },
    ]);
    expect(attrs).toEqual({ card: '4111 1111 1111 1111', n: 1, ok: true, none: null });
    expect(recs[0].attributes).not.toBe(attrs);
  });

  it('a request body with a __proto__ key is logged without it (never as the prototype); a getter is read once', async () => {
    handle = registerInMemory();
    const log = getLogger('intake');
    log.info('scalar', JSON.parse('{"__proto__":"x","a":1}'));
    log.info('object', JSON.parse('{"__proto__":{"polluted":"yes"},"a":2}'));
    let reads = 0;
    log.info('getter', {
      get v() {
        reads++;
        return reads === 1 ? 'first' : { nested: 'second' };
      },
    });
    const recs = await handle.records();
    expect(recs.map((r) => ({ ...r.attributes }))).toEqual([{ a: 1 }, { a: 2 }, { v: 'first' }]);
    expect(recs.every((r) => !('polluted' in r.attributes) && Object.getPrototypeOf(r.attributes) === Object.prototype)).toBe(true);
    expect(reads).toBe(1);
  });

  it('non-scalar values go through the SDK: arrays are copied, invalid values dropped', async () => {
    handle = registerInMemory();
    const tags = ['a'];
    getLogger('intake').info('arrays', { tags, bad: [() => 1] as never, ok: 1 });
    tags.push('mutated after the call');
    const [r] = await handle.records();
    expect(r.attributes).toEqual({ tags: ['a'], ok: 1 });
  });

  it('the attribute count limit (128) holds for handed-off attributes and for processors adding more', async () => {
    handle = registerInMemory({ processors: [adder('one.more')] });
    const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
    getLogger('intake').info('130', many(130));
    getLogger('intake').info('128', many(128));
    getLogger('intake').info('127', many(127));
    const [a, b, c] = await handle.records();
    expect([Object.keys(a.attributes).length, a.droppedAttributesCount]).toEqual([128, 3]);
    expect([Object.keys(b.attributes).length, b.droppedAttributesCount, b.attributes['one.more']]).toEqual([128, 1, undefined]);
    expect([Object.keys(c.attributes).length, c.droppedAttributesCount, c.attributes['one.more']]).toEqual([128, 0, 'added']);
  });

  it("a record emitted through the OTel API inside a processor does not get the outer call's attributes", async () => {
    const nested: LogRecordProcessor = {
      onEmit: (r) => {
        if (r.body === 'outer') logs.getLogger('api').emit({ body: 'inner' });
      },
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    handle = registerInMemory({ processors: [nested] });
    getLogger('intake').info('outer', { owner: 'outer' });
    logs.getLogger('api').emit({ body: 'direct', attributes: { via: 'api' } });
    const recs = await handle.records();
    const byBody = Object.fromEntries(recs.map((r) => [r.body, r.attributes]));
    expect(byBody).toEqual({ outer: { owner: 'outer' }, inner: {}, direct: { via: 'api' } });
    expect(handle.stats().emitted).toBe(3);
  });

  it('timestamp and observed timestamp are the same HrTime, close to the wall clock', async () => {
    handle = registerInMemory();
    getLogger('intake').info('t');
    const [r] = await handle.records();
    expect(r.hrTimeObserved).toEqual(r.hrTime);
    expect(Math.abs(r.hrTime[0] * 1000 + r.hrTime[1] / 1e6 - Date.now())).toBeLessThan(60_000);
    expect(r.hrTime[1]).toBeGreaterThanOrEqual(0);
    expect(r.hrTime[1]).toBeLessThan(1e9);
  });
});

describe("logq's loggers: SDK record semantics on the direct path", () => {
  it("a record is read-only once every processor has seen it; scope and resource are the SDK's", async () => {
    let kept: ReadWriteLogRecord | undefined;
    const keeper: LogRecordProcessor = { onEmit: (r) => void (kept = r), forceFlush: async () => {}, shutdown: async () => {} };
    handle = registerInMemory({ processors: [keeper] });
    getLogger('ro').info('original', { a: 1 });
    kept!.setAttribute('late', 1).setBody('changed').setSeverityText('X');
    kept!.body = 'changed again';
    logs.getLogger('ro').emit({ body: 'via api' });
    const [r, api] = await handle.records();
    expect([r.body, r.severityText, r.attributes]).toEqual(['original', 'INFO', { a: 1 }]);
    expect(r.instrumentationScope).toEqual(api.instrumentationScope);
    expect(r.resource).toBe(api.resource);
  });

  it('after the provider is shut down (even directly), nothing more is emitted or counted', async () => {
    handle = registerInMemory();
    getLogger('late').info('before');
    expect(handle.stats().emitted).toBe(1);
    await handle.provider.shutdown();
    getLogger('late').info('after');
    expect(handle.stats().emitted).toBe(1);
  });

  it("with a provider other than logq's as the global one, records (and attributes) go through it", async () => {
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    logs.disable();
    logs.setGlobalLoggerProvider(provider);
    configureLoggers({});
    try {
      getLogger('foreign').warn('to the app\'s provider', { user: { id: 7 } });
      const [r] = exporter.getFinishedLogRecords();
      expect([r.body, r.severityText, r.attributes]).toEqual(["to the app's provider", 'WARN', { 'user.id': 7 }]);
    } finally {
      await provider.shutdown();
      logs.disable();
      configureLoggers({});
    }
  });
});
