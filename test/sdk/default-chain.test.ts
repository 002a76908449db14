import { afterEach, describe, expect, it, vi } from 'vitest';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import type { LogRecordProcessor } from '@opentelemetry/sdk-logs';
import { decodeExportLogsRequest } from '../../src/otlp/decode-logs.ts';
import { directPipeline, IntakeProcessor } from '../../src/sdk/intake.ts';
import { getLogger } from '../../src/sdk/logger.ts';
import { RedactionProcessor } from '../../src/sdk/processors/RedactionProcessor.ts';
import { registerLogging, type LoggingHandle, type RegisterLoggingOptions } from '../../src/sdk/register.ts';
import { releasePipeline, startRecordingServer, type RecordingServer } from '../helpers/recording-server.ts';

let handle: LoggingHandle | undefined;
let server: RecordingServer | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  [handle, server] = await releasePipeline(handle, server);
});

const noopProcessor = (): LogRecordProcessor => ({ onEmit: () => {}, forceFlush: async () => {}, shutdown: async () => {} });

/** The records the server received (times left out: the two runs log at different moments). */
function received(requests: Buffer[]) {
  return requests.flatMap((b) =>
    decodeExportLogsRequest(b).resourceLogs.flatMap((rl) =>
      rl.scopeLogs.flatMap((sl) => sl.logRecords.map(({ timeUnixNano, observedTimeUnixNano, ...r }) => ({ ...r, scope: sl.scope.name, sameTimes: timeUnixNano === observedTimeUnixNano }))),
    ),
  );
}

/** One error for both runs (its stack names the caller). */
const FAILURE = new TypeError('bad input');

/** Every kind of call logq's loggers make, with secrets in keys, values and the message. */
function logEverything(): number {
  const log = getLogger('chain');
  log.info('order placed', { 'order.id': 7, 'customer.id': 'c-4711', amount: 19.99, paid: true, none: null, big: 2 ** 40, neg: -3 });
  log.warn('login with Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc', { password: 'hunter2', token: null, note: 'card 4111 1111 1111 1111', 'ключ': 'значение' });
  log.error('card 4111-1111-1111-1111 declined', { user: { id: 1, api_key: 'k' } });
  log.info('with a list', { tags: ['a', { b: 'Bearer abc.def' }] });
  log.child({ tenant: 't1' }).debug('child', { step: 1 });
  log.event('user.signup', { plan: 'pro' });
  log.exception(FAILURE, 'failed');
  log.info('many', Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`k${i}`, i])));
  log.info('', { '': 'empty key' });
  log.info('x'.repeat(300), { long: 'é'.repeat(200) });
  const span = trace.setSpanContext(context.active(), { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED });
  context.with(span, () => log.info('in a span', { step: 2 }));
  return 11;
}

async function ship(options: RegisterLoggingOptions, chain: boolean) {
  server = await startRecordingServer();
  handle = registerLogging({ endpoint: server.endpoint, serviceName: 'chain', flushOnExit: false, ...options });
  const pipeline = directPipeline()!;
  if (!chain) pipeline.defaultChain = undefined;
  const onEmit = vi.spyOn(IntakeProcessor.prototype, 'onEmit');
  const n = logEverything();
  await handle.forceFlush();
  const out = { records: received(server.requests), stats: handle.stats(), intakeCalls: onEmit.mock.calls.length, n };
  onEmit.mockRestore();
  await handle.shutdown();
  handle = undefined;
  server.close();
  server = undefined;
  return out;
}

describe('registerLogging default processors run as one chain for logq loggers', () => {
  it('is used only when the processors are the defaults (intake, redaction unless off, the encoder)', async () => {
    const cases: [RegisterLoggingOptions, boolean, boolean][] = [
      [{}, true, true],
      [{ redact: false }, true, false],
      [{ redact: { keys: ['session'] } }, true, true],
      [{ filter: () => true }, false, false],
      [{ processors: [noopProcessor()] }, false, false],
      [{ console: { stream: { write: () => true } as never } }, false, false],
      [{ exporter: { export: (_r, cb) => cb({ code: 0 }), forceFlush: async () => {}, shutdown: async () => {} } }, false, false],
    ];
    // An app's subclass of the redaction processor has an onEmit of its own: the chain would skip it.
    class Hashing extends RedactionProcessor {
      override onEmit(record: Parameters<RedactionProcessor['onEmit']>[0]): void {
        super.onEmit(record);
        record.setAttribute('hashed', true);
      }
    }
    cases.push([{ redact: false, processors: [new Hashing()] }, false, false]);
    for (const [options, used, redacts] of cases) {
      handle = registerLogging({ endpoint: 'http://127.0.0.1:1', serviceName: 'chain', flushOnExit: false, ...options });
      const chain = directPipeline()?.defaultChain;
      expect(chain !== undefined, JSON.stringify(Object.keys(options))).toBe(used);
      if (chain) expect(chain.redactor !== undefined).toBe(redacts);
      await handle.shutdown();
      handle = undefined;
    }
  });

  it('ships the same records, redacted the same and counted the same, as the processors one by one', async () => {
    const fused = await ship({}, true);
    const oneByOne = await ship({}, false);
    expect(fused.records).toHaveLength(fused.n);
    expect(fused.records).toEqual(oneByOne.records);
    expect(fused.records.every((r) => r.sameTimes)).toBe(true);
    expect(fused.stats).toMatchObject({ emitted: fused.n, exported: fused.n, dropped: 0, failed: 0 });
    expect(oneByOne.stats).toMatchObject({ emitted: fused.n, exported: fused.n, dropped: 0, failed: 0 });
    // The chain skipped the processors for the calls it covers (flat scalars, string message, within the limits)…
    expect(oneByOne.intakeCalls).toBe(fused.n);
    expect(fused.intakeCalls).toBeLessThan(fused.n);
    // …and the others (a list value; over the count limit; an empty key) took them.
    expect(fused.intakeCalls).toBe(3);
    const text = JSON.stringify(fused.records, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
    for (const secret of ['hunter2', 'eyJhbGci', '4111', 'abc.def']) expect(text).not.toContain(secret);
    const warn = fused.records[1];
    expect(warn.attributes.find((a) => a.key === 'token')?.value).toEqual({ stringValue: '[REDACTED]' });
    expect(Buffer.from(fused.records[10].traceId).toString('hex')).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(fused.records[5].eventName).toBe('user.signup');
    expect(fused.records[7].droppedAttributesCount).toBe(2);
  });

  it('without redaction ships values as they are', async () => {
    const fused = await ship({ redact: false }, true);
    const oneByOne = await ship({ redact: false }, false);
    expect(fused.records).toEqual(oneByOne.records);
    expect(JSON.stringify(fused.records[1].attributes)).toContain('hunter2');
  });

  it('a redaction rule that throws sends the record through the processors (their fallback applies), never loses it', async () => {
    server = await startRecordingServer();
    class Throwing extends RegExp {
      override test(): boolean {
        throw new Error('rule broke');
      }
    }
    handle = registerLogging({ endpoint: server.endpoint, serviceName: 'chain', flushOnExit: false, redact: { keys: [new Throwing('x')] } });
    getLogger('chain').info('hello', { a: 1 });
    await handle.forceFlush();
    const records = received(server.requests);
    expect(records.map((r) => r.body)).toEqual([{ stringValue: '[redaction failed]' }]);
    expect(handle.stats()).toMatchObject({ emitted: 1, exported: 1 });
  });

  it('a record logged while another is being encoded is queued whole, apart from it', async () => {
    server = await startRecordingServer();
    // Without redaction (which reads values too), encoding the outer record is what reads the getter.
    handle = registerLogging({ endpoint: server.endpoint, serviceName: 'chain', flushOnExit: false, redact: false });
    const log = getLogger('chain');
    // A map as the message takes the processors; encoding it reads the getter, which logs (flat:
    // the chain's kind of call) in the middle of the outer record's bytes.
    const sneaky = {
      get inner() {
        log.info('from a getter', { n: 1 });
        return 'value';
      },
    };
    log.info(sneaky as never);
    log.info('after', { n: 2 });
    await handle.forceFlush();
    const records = received(server.requests);
    // The inner record is queued first (as a record object), the outer one once it is encoded.
    expect(records.map((r) => r.body)).toEqual([
      { stringValue: 'from a getter' },
      { kvlistValue: [{ key: 'inner', value: { stringValue: 'value' } }] },
      { stringValue: 'after' },
    ]);
    // Its bytes are shipped once, not also inside the outer record's.
    expect(Buffer.concat(server.requests).toString('latin1').split('from a getter')).toHaveLength(2);
    expect(records[0].attributes).toEqual([{ key: 'n', value: { intValue: 1n } }]);
    expect(handle.stats()).toMatchObject({ emitted: 3, exported: 3, failed: 0 });
  });
});
