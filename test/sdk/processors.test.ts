import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { logs } from '@opentelemetry/api';
import { getLogger } from '../../src/sdk/logger.ts';
import { Redactor } from '../../src/sdk/processors/redact.ts';
import { BEARER_PATTERN, luhn, PRIVATE_KEY_PATTERN, replaceCardNumbers } from '../../src/otlp/secret-rules.ts';
import { registerInMemory } from './memory-pipeline.ts';

let handle: ReturnType<typeof registerInMemory> | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
});

const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----';

describe('redaction (on by default)', () => {
  it('redacts secret keys at any nesting level, and secret-looking values in attributes and bodies', async () => {
    handle = registerInMemory();
    getLogger('red').info('login with Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc paid with 4111 1111 1111 1111', {
      user: { name: 'ann', password: 'hunter2', credentials: { api_key: 'k-123' } },
      headers: { Authorization: 'Basic xyz', 'Set-Cookie': 'sid=1', accept: 'json' },
      session_id: 'abc',
      csrfToken: 'tok',
      note: `key is ${PEM}`,
      card: '5500-0000-0000-0004',
      order_number: '1234567890123', // 13 digits failing Luhn: kept
      list: ['Bearer abc.def', 'fine'],
    });
    const [r] = await handle.records();
    expect(r.body).toBe('login with [REDACTED] paid with [REDACTED]');
    expect(r.attributes).toEqual({
      'user.name': 'ann',
      'user.password': '[REDACTED]',
      'user.credentials.api_key': '[REDACTED]',
      'headers.Authorization': '[REDACTED]',
      'headers.Set-Cookie': '[REDACTED]',
      'headers.accept': 'json',
      session_id: '[REDACTED]',
      csrfToken: '[REDACTED]',
      note: 'key is [REDACTED]',
      card: '[REDACTED]',
      order_number: '1234567890123',
      list: ['[REDACTED]', 'fine'],
    });
  });

  it('redacts nested maps emitted straight through the OTel API (not flattened)', async () => {
    handle = registerInMemory();
    logs.getLogger('otel-direct').emit({
      body: { msg: 'raw', token: 't' },
      attributes: { db: { user: 'app', password: 'p', nested: { secret: 's', ok: 1 } } },
    });
    const [r] = await handle.records();
    expect(r.body).toEqual({ msg: 'raw', token: '[REDACTED]' });
    expect(r.attributes.db).toEqual({ user: 'app', password: '[REDACTED]', nested: { secret: '[REDACTED]', ok: 1 } });
  });

  it('is extendable (keys, patterns, replacement) and can be turned off', async () => {
    handle = registerInMemory({ redact: { keys: ['ssn', /^internal\./], patterns: [/\bAKIA[0-9A-Z]{16}\b/], replacement: '***' } });
    getLogger('red').info('aws AKIAABCDEFGHIJKLMNOP', { ssn: '123', internal: { x: 1 }, password: 'p' });
    const [r] = await handle.records();
    expect(r.body).toBe('aws ***');
    expect(r.attributes).toEqual({ ssn: '***', 'internal.x': '***', password: '***' });
    await handle.shutdown();
    handle = registerInMemory({ redact: false });
    getLogger('red').info('plain', { password: 'visible' });
    expect((await handle.records())[0].attributes.password).toBe('visible');
  });

  it('the prescan and the caches change nothing: same output as running every rule on every string', () => {
    // The rules as they ran before the prescan: defaults, then extra patterns, then cards.
    const reference = (text: string, extra: RegExp[], replacement: string) => {
      let out = text;
      for (const p of [PRIVATE_KEY_PATTERN, BEARER_PATTERN, ...extra]) out = out.replace(p, replacement);
      return replaceCardNumbers(out, replacement);
    };
    const parts = ['Bearer ', 'bearer', 'BEARER x', 'Bearer abc.def=', '-----BEGIN ', '-----BEGIN EC PRIVATE KEY-----\nAAA\n', '-----END EC PRIVATE KEY-----',
      '4111 1111 1111 1111', '4111111111111112', '5500-0000-0000-0004', '123456789012', '1234567890123', ' ', '-', 'x', 'order', 'AKIAABCDEFGHIJKLMNOP', 'CARDHERE', 'é'];
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const configs = [
      { options: {}, extra: [], replacement: '[REDACTED]' },
      { options: { patterns: [/\bAKIA[0-9A-Z]{16}\b/], replacement: '***' }, extra: [/\bAKIA[0-9A-Z]{16}\b/g], replacement: '***' },
      // An extra pattern whose replacement looks like a card number: the card rule must still see it.
      { options: { patterns: [/CARDHERE/], replacement: '4111 1111 1111 1111' }, extra: [/CARDHERE/g], replacement: '4111 1111 1111 1111' },
      // A pattern that matches the empty string: the caches must not take '' for clean.
      { options: { patterns: [/^$/], replacement: '<empty>' }, extra: [/^$/g], replacement: '<empty>' },
    ];
    for (const { options, extra, replacement } of configs) {
      const r = new Redactor(options);
      for (let i = 0; i < 3000; i++) {
        let text = '';
        for (let k = rand(6) - 1; k >= 0; k--) text += parts[rand(parts.length)];
        // Twice: the second call may be answered by the recent-clean cache.
        expect(r.redactString(text), JSON.stringify(text)).toBe(reference(text, extra, replacement));
        expect(r.redactString(text), JSON.stringify(text)).toBe(reference(text, extra, replacement));
      }
    }
    // Keys: the recent-key cache answers as the rules do, also for the empty key and after evictions.
    const keyed = new Redactor({ keys: [/^$/, 'ssn'] });
    for (let i = 0; i < 200; i++) {
      for (const [key, secret] of [['', true], ['user.ssn', true], ['order.id', false], [`k${i % 11}`, false], ['db_password', true]] as const) {
        expect(keyed.isSecretKey(key), key).toBe(secret);
      }
    }
  });

  it('Redactor keeps clean values identical', () => {
    const r = new Redactor();
    expect(r.redactString('order 42 shipped')).toBe('order 42 shipped');
    expect(r.isSecretKey('http.response.status_code')).toBe(false);
    expect(r.isSecretKey('x.API-KEY')).toBe(true);
  });

  it('leaves UUIDs whose digit groups pass Luhn intact, and still redacts cards next to words and dashes', () => {
    const r = new Redactor();
    // The first three groups read 6294163840724155, a Luhn-valid 16-digit run (a CI failure: a
    // random request id came out as `[REDACTED]-89ff-…`).
    expect(luhn('6294163840724155')).toBe(true);
    const uuid = '62941638-4072-4155-89ff-713caf14468d';
    for (const text of [uuid, uuid.toUpperCase(), `request ${uuid} done`, `x-${uuid}`, `${uuid},${uuid}`]) expect(r.redactString(text)).toBe(text);
    // Cards: alone, in text, with spaces or dashes, and dash-joined to words (review: these must stay redacted).
    for (const text of ['4111111111111111', 'card 4111-1111-1111-1111 ok', 'pan=4111 1111 1111 1111.', '(5500-0000-0000-0004)', 'card:4111111111111111,',
      'card-4111111111111111', 'paid with visa-4111-1111-1111-1111', 'pan 4111111111111111-1225', 'pan 4111-1111-1111-1111-exp', 'txn 2024-4111111111111111',
      `${uuid} paid with 4111111111111111`]) {
      const out = r.redactString(text);
      expect(out, text).not.toMatch(/4111|5500/);
      expect(out).toContain('[REDACTED]');
    }
    // The UUID next to a card keeps its digits.
    expect(r.redactString(`${uuid} paid with 4111111111111111`)).toBe(`${uuid} paid with [REDACTED]`);
    // A card-like run that fails Luhn stays.
    expect(r.redactString('order 4111111111111112')).toBe('order 4111111111111112');
  });
});

describe('filter', () => {
  it('drops records the callback rejects; a throwing filter lets records through', async () => {
    let calls = 0;
    handle = registerInMemory({
      filter: (rec) => {
        calls++;
        if (rec.body === 'explode') throw new Error('filter bug');
        return !String(rec.body).startsWith('noise');
      },
    });
    const log = getLogger('filt');
    log.info('noise: heartbeat');
    log.info('signal');
    log.info('explode');
    expect((await handle.records()).map((r) => r.body)).toEqual(['signal', 'explode']);
    expect(calls).toBe(3);
    expect(handle.stats().emitted).toBe(2);
  });
});

describe('notify', () => {
  it('calls the function for ERROR+ only, rate-limited, after redaction', async () => {
    const seen: Record<string, unknown>[] = [];
    handle = registerInMemory({ notify: { notify: (r) => void seen.push(r), maxPerInterval: 2 } });
    const log = getLogger('pager');
    log.warn('not notified');
    log.error('db down', { password: 'x' });
    log.fatal('disk full');
    log.error('third: suppressed');
    await handle.forceFlush();
    expect(seen.map((r) => [r.level, r.body])).toEqual([
      ['ERROR', 'db down'],
      ['FATAL', 'disk full'],
    ]);
    expect((seen[0].attributes as Record<string, unknown>).password).toBe('[REDACTED]');
  });

  it('POSTs JSON to a webhook', async () => {
    const bodies: unknown[] = [];
    const server = createServer((req, res) => {
      let data = '';
      req.on('data', (d) => (data += d));
      req.on('end', () => {
        bodies.push({ method: req.method, type: req.headers['content-type'], json: JSON.parse(data) });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    handle = registerInMemory({ notify: { webhookUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` } });
    getLogger('pager').error('payment gateway timeout', { gateway: 'x' });
    await handle.forceFlush();
    await new Promise<void>((r) => server.close(() => r()));
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatchObject({ method: 'POST', type: 'application/json', json: { level: 'ERROR', body: 'payment gateway timeout', logger: 'pager', attributes: { gateway: 'x' } } });
  });

  it('bad options are reported, naming what is expected, and logging goes on without notify', async () => {
    const warnings: string[] = [];
    const onWarn = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarn);
    handle = registerInMemory({ notify: {} });
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarn);
    expect(warnings.join('\n')).toMatch(/option "notify" is invalid \(NotifyProcessor: give "notify" \(a function\) or "webhookUrl"/);
    getLogger('pager').error('still logged');
    expect((await handle.records()).map((r) => r.body)).toEqual(['still logged']);
  });
});

describe('bad exporter configuration', () => {
  it('a malformed endpoint warns, names the value and the expected form, and falls back to stderr JSON lines', async () => {
    const { registerLogging } = await import('../../src/sdk/register.ts');
    const warnings: string[] = [];
    const onWarn = (w: Error) => warnings.push(w.message);
    const lines: string[] = [];
    const realWrite = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    process.on('warning', onWarn);
    try {
      const h = registerLogging({ endpoint: 'grpc://nowhere:12', flushOnExit: false });
      getLogger('fallback').warn('still visible', { n: 1 });
      await h.shutdown();
      await new Promise((r) => setImmediate(r));
    } finally {
      process.stderr.write = realWrite;
      process.off('warning', onWarn);
    }
    expect(warnings.join('\n')).toContain('logq: cannot export over OTLP/gRPC (invalid OTLP endpoint "grpc://nowhere:12": scheme must be http or https); writing records to stderr instead');
    const record = lines.map((l) => l.trim()).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(record).toEqual([expect.objectContaining({ level: 'WARN', body: 'still visible', attributes: { n: 1 } })]);
  });
});
