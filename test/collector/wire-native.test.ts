import { describe, expect, it } from 'vitest';
import { createLogsIngest, newReceiverStats } from '../../src/collector/ingest-logs.ts';
import type { IngestPipeline } from '../../src/collector/IngestPipeline.ts';
import type { GuardStats, RecordLimits } from '../../src/collector/limit-rows.ts';
import type { NativeChunk } from '../../src/collector/request-native.ts';
import { requestToNative } from '../../src/collector/request-native.ts';
import { rejectInvalidRecords } from '../../src/collector/validate-records.ts';
import { otlpToNative } from '../../src/collector/wire-native.ts';
import { decodeExportLogsRequest } from '../../src/otlp/decode-logs.ts';
import { nativeToRows } from '../../src/storage/native-format.ts';
import { prng } from '../helpers/prng.ts';
import { anyValue, enc, kv, randomRequest, record, request, type AV, type Field, type Rec } from './wire-corpus.ts';

// The byte-level pass (otlpToNative) must give what the object path (decodeExportLogsRequest →
// rejectInvalidRecords → requestToNative) gives: the same Native bytes, counts, message and
// limit/redaction stats; or hand the request back (undefined, stats untouched) — always when the
// object path throws.
const NOW = 1_795_465_089_123_456_789n;
const DEFAULTS: RecordLimits = { maxAttributes: 128, maxAttributeValueLength: 16384, maxBodyLength: 65536, redact: true };
const TIGHT: RecordLimits = { maxAttributes: 2, maxAttributeValueLength: 5, maxBodyLength: 7, redact: true };
const PLAIN: RecordLimits = { ...DEFAULTS, redact: false };
const LIMITS = [DEFAULTS, TIGHT, PLAIN];
const zero = (): GuardStats => ({ droppedAttributes: 0, truncatedValues: 0, redactedValues: 0 });

type Outcome = 'wire' | 'fallback' | 'error';

/** Runs both paths on `buf` and checks they agree; says which way it went. */
function compare(buf: Uint8Array, limits: RecordLimits): Outcome {
  const wireStats = zero();
  const wire = otlpToNative(buf, limits, wireStats, NOW);
  let request;
  try {
    request = decodeExportLogsRequest(buf);
  } catch {
    expect(wire).toBeUndefined();
    expect(wireStats).toEqual(zero());
    return 'error';
  }
  if (wire === undefined) {
    expect(wireStats).toEqual(zero());
    return 'fallback';
  }
  let received = 0;
  for (const rl of request.resourceLogs) for (const sl of rl.scopeLogs) received += sl.logRecords.length;
  const { rejected, message } = rejectInvalidRecords(request);
  const objectStats = zero();
  const chunk = requestToNative(request, limits, objectStats, NOW);
  expect(nativeToRows(wire.chunk.data)).toEqual(nativeToRows(chunk.data)); // a readable diff first
  expect(wire.chunk.data.equals(chunk.data)).toBe(true);
  expect([wire.chunk.rows, wire.received, wire.rejected, wire.message]).toEqual([chunk.rows, received, rejected, message]);
  expect(wireStats).toEqual(objectStats);
  return 'wire';
}

/** Both paths agree under every set of limits, and the byte pass handled the request itself. */
function handled(buf: Uint8Array): void {
  for (const limits of LIMITS) expect(compare(buf, limits)).toBe('wire');
}

const id = (n: number, k = 1) => Uint8Array.from({ length: n }, (_, i) => (i * k + 7) & 0xff);
const one = (rec: Rec, scope: Partial<Parameters<typeof request>[0][0]['scopes'][0]> = {}) =>
  request([{ attrs: [['service.name', 'svc']], scopes: [{ name: 'scope', records: [rec], ...scope }] }]);

const EVERY_KIND: [string, AV][] = [
  ['s', 'text'],
  ['utf8', 'héllo 日本語 🚀'],
  ['long', 'z'.repeat(300)],
  ['t', { bool: true }],
  ['f', { bool: false }],
  ['b2', { bool: 2 }],
  ['b32', { bool: 2 ** 32 }],
  ['i0', { int: 0 }],
  ['i', { int: 9007199254740993n }],
  ['i49', { int: 2 ** 49 }],
  ['neg', { int: -1 }],
  ['min', { int: -(2n ** 63n) }],
  ['max64', { int: 2n ** 64n - 1n }],
  ['d', { double: 19.99 }],
  ['nan', { double: NaN }],
  ['inf', { double: -Infinity }],
  ['negzero', { double: -0 }],
  ['tiny', { double: 5e-324 }],
  ['bytes', { bytes: Uint8Array.of(0, 1, 2, 255) }],
  ['nobytes', { bytes: new Uint8Array(0) }],
  ['arr', { array: ['x', { int: 1 }, { array: [{ bool: true }, { kvlist: [['k', { double: 1.5 }]] }] }, { empty: true }] }],
  ['map', { kvlist: [['a', 'x'], ['b', { array: [] }], ['a', { int: 2 }], ['c', { bytes: Uint8Array.of(9) }]] }],
  ['emptymap', { kvlist: [] }],
  ['empty', { empty: true }],
  ['lastwins', { fields: [[1, 2, 'first'], [3, 0, 5]] }],
  ['nestedthenscalar', { fields: [...anyValue({ array: ['x'] }), [1, 2, 'after']] }],
  ['unknown', { fields: [[1, 2, 'v'], [15, 0, 1], [16, 1, 2n], [17, 5, 3], [18, 2, 'junk']] }],
];

describe('otlpToNative', () => {
  it('writes every field of every message as the object path does', () => {
    const buf = request([
      {
        attrs: [['service.name', 'checkout'], ['host.name', 'h1'], ['db_password', 'hunter2']],
        url: 'https://opentelemetry.io/schemas/1.26.0',
        scopes: [
          {
            name: 'app',
            version: '1.2.3',
            attrs: [['scope.k', 'v'], ['n', { int: 3 }]],
            url: 'scope-url',
            records: [
              { time: 1_795_465_000_000_000_000n, observed: 1_795_465_000_000_000_500n, severity: 9, severityText: 'INFO', body: 'placed', attrs: EVERY_KIND, dropped: 3, flags: 0x101, traceId: id(16), spanId: id(8, 3), eventName: 'order.placed' },
              { body: { kvlist: [['nested', { array: ['deep'] }]] } },
              { time: 0n, observed: 1_795_465_000_000_000_001n, severity: 24, body: { int: 7 } },
              { time: 1_795_465_000_000_000_002n, severity: 17, severityText: 'ERROR', body: { bytes: id(40) } },
            ],
          },
          { name: 'empty scope', records: [] },
        ],
      },
      { scopes: [{ records: [{ body: 'no resource attributes, no scope' }] }] },
    ]);
    handled(buf);
  });

  it('writes every AnyValue kind as the body', () => {
    for (const [, v] of EVERY_KIND) handled(one({ body: v, severity: 9 }));
  });

  it('rejects invalid records with the same count and message, leaving out their scopes and resources', () => {
    const bad: Rec[] = [
      { traceId: id(15) },
      { traceId: id(17) },
      { spanId: id(7) },
      { spanId: id(16) },
      { severity: 25 },
      { severity: 2 ** 32 - 1 },
      { time: 2n ** 63n },
      { observed: 2n ** 64n - 1n },
      { traceId: id(1), spanId: id(1) },
    ];
    const recs = bad.map((r) => ({ body: 'bad', attrs: [['password', 'x'], ['k', 'y'.repeat(30)]] as [string, AV][], ...r }));
    handled(request([{ attrs: [['service.name', 'only-invalid'], ['token', 'secret']], scopes: [{ name: 'all bad', attrs: [['token', 't']], records: recs }] }]));
    handled(
      request([
        { attrs: [['service.name', 'a']], scopes: [{ name: 's1', records: recs.slice(0, 3) }, { name: 's2', records: [{ body: 'good', time: 2n ** 63n - 1n }, ...recs.slice(3)] }] },
        { attrs: [['service.name', 'b'], ['api_key', 'k']], scopes: [{ name: 's3', records: [recs[4], { body: 'kept' }] }] },
      ]),
    );
  });

  it('applies attribute count and length limits and redaction like the object path', () => {
    const many: [string, AV][] = Array.from({ length: 40 }, (_, i): [string, AV] => [`k${i % 35}`, `v${i}`]);
    handled(
      request([
        {
          attrs: [['a', '1'], ['b', '2'], ['service.name', 'beyond the cap'], ['authorization', 'Bearer abc']],
          scopes: [
            {
              attrs: [['x', '123456789'], ['x', 'again']],
              records: [
                { body: 'é'.repeat(10), attrs: [['1', 'ab🚀cd'], ['2', '🚀🚀🚀'], ['a', 'ok']] },
                { body: 'abcde🚀f', attrs: [['emoji', 'abcd🚀'], ['ascii', 'abcdefgh']] },
                { body: 'x'.repeat(70000), attrs: many },
                { body: 'paid with 4111-1111-1111-1111 and 4111-1111-1111-1112', attrs: [['note', 'Bearer xyz'], ['PASSWORD', ''], ['X-Session-Id', '[REDACTED]'], ['cooKie', 'kelvin'], ['card', '4111 1111 1111 1111']] },
                { body: '-----BEGIN RSA PRIVATE KEY-----\nabc', attrs: [['pem', '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----'], ['bearer', 'bEaReR token123']] },
                { body: 'visa13 4222222222222 and 4222 2222 22222', attrs: [['v13', '4222222222222'], ['v13d', '4-2-2-2-2-2-2-2-2-2-2-2-2']] },
                { body: { int: 4111111111111111 }, attrs: [['n', { int: 4111111111111111 }], ['d', { double: 4111111111111111 }], ['b', { bytes: id(20) }]] },
              ],
            },
          ],
        },
      ]),
    );
  });

  it('skips unknown fields of every wire type and takes the last of repeated singular fields', () => {
    const unknown: Field[] = [[20, 0, 1], [21, 1, 2n], [22, 2, 'x'], [23, 5, 4], [2 ** 29 - 1, 0, 300], [0, 0, 5]];
    const rec: Rec = { body: 'first', severity: 3, traceId: id(15), extra: [[4, 2, 'reserved'], [4, 0, 1], [13, 2, 'future'], [5, 2, anyValue('second')], [2, 0, 9], [9, 2, id(16)], [3, 2, 'WARN'], [3, 2, 'INFO'], [12, 2, 'e1'], [12, 2, 'e2']] };
    handled(
      enc([
        ...unknown.slice(0, 5),
        [
          1,
          2,
          [
            [1, 2, [[1, 2, kv('service.name', 'first')], [2, 2, 'packed?'], [9, 5, 1]]],
            ...unknown.slice(0, 5),
            [
              2,
              2,
              [
                [1, 2, [[1, 2, 'name1'], [2, 2, 'v1'], [9, 2, 'x'], [1, 0, 5]]],
                [2, 2, record(rec)],
                [1, 2, [[1, 2, 'name2'], [3, 2, kv('scope.attr', 'merged')]]],
                [3, 2, 'url1'],
                [3, 2, 'url2'],
                ...unknown.slice(0, 5),
              ],
            ],
            [1, 2, [[1, 2, kv('service.name', 'second')], [1, 2, kv('merged', { int: 1 })]]],
            [3, 2, 'res-url'],
          ],
        ],
      ]),
    );
    // KeyValue: the key's and value's last occurrence wins; unknown fields skipped.
    handled(one({ attrs: [['k', 'v']], extra: [[6, 2, [[1, 2, 'a'], [2, 2, anyValue('1')], [1, 2, 'b'], [2, 2, anyValue({ int: 2 })], [3, 0, 1]]], [6, 2, [[2, 2, anyValue('no key')]]], [6, 2, [[1, 2, 'no value']]]] }));
  });

  it('decodes empty messages and defaults (timestamps fall back to each other, then now)', () => {
    handled(new Uint8Array(0));
    handled(enc([[1, 2, []]]));
    handled(enc([[1, 2, [[2, 2, []]]]]));
    handled(enc([[1, 2, [[2, 2, [[2, 2, []]]]]]]));
    handled(enc([[1, 2, [[1, 2, []], [2, 2, [[1, 2, []], [2, 2, [[6, 2, []], [5, 2, []]]]]]]]]));
    handled(one({ time: 5n }));
    handled(one({ observed: 6n }));
    handled(one({ time: 0n, observed: 0n }));
    handled(one({ time: 2n ** 63n - 1n, observed: 2n ** 32n }));
  });

  it('accepts non-minimal varints, and wire types the decoder skips', () => {
    // Tag 10 (field 1, LEN) as 0x8a 0x80 0x00, a length as 0x85 0x00; severity as a 10-byte varint.
    const rl = enc([[2, 2, [[2, 2, record({ body: 'x' })]]]]);
    handled(Buffer.concat([Uint8Array.of(0x8a, 0x80, 0x00), enc([]), Uint8Array.of(0x80 | (rl.length & 0x7f), rl.length >> 7), rl]));
    // Bits past the 32nd of a tag or length varint are dropped (ProtoReader.varint32).
    handled(Buffer.concat([Uint8Array.of(0x8a, 0x80, 0x80, 0x80, 0x70), Uint8Array.of(0x80 | (rl.length & 0x7f), 0x80 | (rl.length >> 7), 0x80, 0x80, 0x80, 0x02), rl]));
    handled(Buffer.concat([Uint8Array.of(0x8a, 0x80, 0x80, 0x80, 0x80, 0x02), Uint8Array.of(0x80 | (rl.length & 0x7f), rl.length >> 7), rl]));
    handled(one({ extra: [{ raw: Uint8Array.of(0x10, 0x89, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00) }] }));
    // Packed encodings where the decoder expects a varint: skipped in Resource/Scope/KeyValue/AnyValue...
    handled(Buffer.concat([enc([[1, 0, 5]]), one({ body: { fields: [[4, 2, 'x']] }, attrs: [['k', { fields: [[2, 2, 'x'], [3, 2, 'y']] }]] })]));
    handled(enc([[1, 2, [[1, 2, [[2, 2, Uint8Array.of(1, 2)], [1, 2, [[1, 0, 5], [1, 2, 'k'], [2, 2, [[2, 2, Uint8Array.of(1)], [3, 2, Uint8Array.of(1)]]]]]]], [2, 2, [[2, 2, record({ body: 'b' })]]]]]]));
  });

  it('hands malformed input back without counting anything, whatever the object path throws', () => {
    const cases: Uint8Array[] = [
      Uint8Array.of(0x0a, 0x05, 0x01),
      Uint8Array.of(0x0b),
      Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01),
      enc([[1, 2, [[1, 0, 1]]]]),
      enc([[1, 2, [[2, 5, 1]]]]),
      enc([[1, 2, [[2, 2, [[3, 0, 1]]]]]]),
      one({ extra: [[2, 2, Uint8Array.of(9)]] }), // severity packed: the decoder refuses it
      one({ extra: [[1, 0, 5]] }),
      one({ extra: [[0, 0, 1]] }),
      one({ extra: [[7, 2, 'x']] }),
      one({ extra: [[6, 0, 1]] }),
      one({ body: Array.from({ length: 33 }).reduce<AV>((v) => ({ array: [v] }), 'deep') }),
      one({ attrs: [['deep', Array.from({ length: 33 }).reduce<AV>((v) => ({ kvlist: [['k', v]] }), 'x')]] }),
    ];
    // Every LogRecord field (4 is reserved) with every wrong wire type.
    const wires: Record<number, number> = { 1: 1, 2: 0, 3: 2, 5: 2, 6: 2, 7: 0, 8: 5, 9: 2, 10: 2, 11: 1, 12: 2 };
    for (let f = 0; f <= 12; f++) {
      if (f === 4) continue;
      for (const w of [0, 1, 2, 5] as const) if (w !== wires[f]) cases.push(one({ extra: [w === 2 ? [f, 2, 'x'] : w === 1 ? [f, 1, 1n] : [f, w, 1]] }));
    }
    for (const buf of cases) for (const limits of LIMITS) expect(compare(buf, limits)).toBe('error');
    // 32 levels are allowed.
    handled(one({ body: Array.from({ length: 32 }).reduce<AV>((v) => ({ array: [v] }), 'deep') }));
  });

  it('copies valid UTF-8 and decodes the rest as the object path does; odd attribute keys go to the object path', () => {
    const bad = [Uint8Array.of(0xe0, 0x80, 0xaf), Uint8Array.of(0xf0, 0x80, 0x80, 0x80), Uint8Array.of(0xff), Uint8Array.of(0x61, 0xc3), Uint8Array.of(0xed, 0xa0, 0x80), Uint8Array.of(0xf4, 0x90, 0x80, 0x80), Uint8Array.of(0xc0, 0xaf), Uint8Array.of(0xef, 0xbb, 0xbf, 0x61), Uint8Array.of(0xf0, 0x9f, 0x9a)];
    for (const b of bad) {
      handled(one({ severityText: b, eventName: b, body: { fields: [[1, 2, b]] }, attrs: [['k', { fields: [[1, 2, b]] }]] }, { name: b, url: b }));
      for (const limits of LIMITS) expect(compare(one({ attrs: [[b, 'v']] }), limits)).toBe('fallback');
    }
    handled(one({ body: '\u{FEFF}', attrs: [['bom', '\u{FEFF}x'], ['ключ', 'значение'], ['🔑', '✓']] }));
  });

  it('keeps the first position and last value of repeated keys, also past 32 keys (integer-like keys in sent order)', () => {
    const attrs = Array.from({ length: 80 }, (_, i): [string, AV] => [String((i * 7) % 45), `v${i}`]);
    handled(one({ attrs }));
    handled(request([{ attrs, scopes: [{ attrs, records: [{ attrs }, { attrs: attrs.slice(0, 3) }] }] }]));
  });

  it('takes service.name before the limits (last occurrence, any kind) and only for resources with kept records', () => {
    for (const v of [{ int: 5 }, { empty: true }, 'x'.repeat(40), { array: ['a'] }] as AV[]) handled(request([{ attrs: [['service.name', 'first'], ['a', '1'], ['b', '2'], ['service.name', v]], scopes: [{ records: [{}] }] }]));
  });

  it('agrees with the object path on a seeded fuzz of random requests', () => {
    const rnd = prng(Number(process.env.LOGQ_FUZZ_SEED ?? 7));
    const seen: Record<Outcome, number> = { wire: 0, fallback: 0, error: 0 };
    for (let i = 0; i < 400; i++) {
      const buf = randomRequest(rnd);
      const limits = i % 3 === 0 ? DEFAULTS : { maxAttributes: 1 + Math.floor(rnd() * 5), maxAttributeValueLength: Math.floor(rnd() * 12), maxBodyLength: Math.floor(rnd() * 20), redact: rnd() < 0.7 };
      seen[compare(buf, limits)]++;
    }
    // Bad keys are 1 in 100: most requests must take the byte path.
    expect(seen.error).toBe(0);
    expect(seen.wire).toBeGreaterThan(300);
  });

  it('agrees with the object path on mutated and truncated requests', () => {
    const rnd = prng(Number(process.env.LOGQ_FUZZ_SEED ?? 11));
    const int = (n: number) => Math.floor(rnd() * n);
    const seen: Record<Outcome, number> = { wire: 0, fallback: 0, error: 0 };
    for (let i = 0; i < 1000; i++) {
      const b = Buffer.from(randomRequest(rnd));
      if (b.length === 0) continue;
      let m: Buffer;
      const at = int(b.length);
      switch (i % 4) {
        case 0:
          m = b.subarray(0, at);
          break;
        case 1:
          m = Buffer.from(b);
          m[at] ^= 1 << int(8);
          break;
        case 2:
          m = Buffer.concat([b.subarray(0, at), Uint8Array.of(int(256)), b.subarray(at)]);
          break;
        default:
          m = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + int(3))]);
      }
      seen[compare(m, i % 2 ? DEFAULTS : TIGHT)]++;
    }
    expect(seen.error).toBeGreaterThan(100);
    expect(seen.wire).toBeGreaterThan(50);
  });
});

describe('createLogsIngest().protobuf', () => {
  const pipelineInto = (chunks: NativeChunk[], keys: (string | undefined)[]) => ({ accept: async (c: NativeChunk, key?: string) => void (chunks.push(c), keys.push(key)) }) as unknown as IngestPipeline;

  it('admits the same block and answers the same partial success as the object path, with the same counters', async () => {
    const buf = request([{ attrs: [['service.name', 's'], ['token', 'x']], scopes: [{ records: [{ body: 'ok', time: 5n }, { body: 'bad', spanId: id(3) }, { body: 'x'.repeat(20), time: 6n }] }] }]);
    const [objChunks, wireChunks, objKeys, wireKeys]: [NativeChunk[], NativeChunk[], (string | undefined)[], (string | undefined)[]] = [[], [], [], []];
    const objStats = newReceiverStats();
    const wireStats = newReceiverStats();
    const viaObjects = createLogsIngest(pipelineInto(objChunks, objKeys), TIGHT, objStats);
    const viaBytes = createLogsIngest(pipelineInto(wireChunks, wireKeys), TIGHT, wireStats);
    const a = await viaObjects(decodeExportLogsRequest(buf), 'k1');
    const b = await viaBytes.protobuf!(buf, 'k1');
    expect(b).toEqual(a);
    expect(a.rejectedLogRecords).toBe(1);
    expect(wireStats).toEqual(objStats);
    expect(wireKeys).toEqual(['k1']);
    expect(wireChunks[0].data.equals(objChunks[0].data)).toBe(true);
    // An undecodable request throws synchronously and counts nothing.
    expect(() => viaBytes.protobuf!(Uint8Array.of(0x0a, 0x09), 'k2')).toThrow(/truncated/);
    expect(wireStats).toEqual(objStats);
    expect(wireChunks).toHaveLength(1);
    // What the byte pass hands back (a key that is not UTF-8) still goes in, via objects.
    await viaBytes.protobuf!(one({ attrs: [[Uint8Array.of(0xff), 'v']] }));
    expect(wireChunks).toHaveLength(2);
    expect(wireStats.receivedRecords).toBe(4);
  });
});
