/**
 * Raw protobuf for the byte-level ingest tests: a field-list encoder that can also write what
 * OTLP encoders never do (unknown fields, wrong wire types, repeated singular fields, non-minimal
 * varints, invalid UTF-8), builders for the OTLP logs messages on top of it, and a seeded
 * generator of random requests.
 */

import { prng } from '../helpers/prng.ts';

/** One field: [number, wire type, value]. Messages are nested field lists; `raw` bytes go in as they are. */
export type Field =
  | [number, 0, number | bigint]
  | [number, 1, bigint | number]
  | [number, 2, string | Uint8Array | Field[]]
  | [number, 5, number]
  | { raw: Uint8Array };

function varint(out: number[], v: number | bigint): void {
  let n = BigInt.asUintN(64, BigInt(v));
  while (n >= 0x80n) {
    out.push(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  out.push(Number(n));
}

/** Encodes a field list. A number for wire type 1 is written as a double, a bigint as fixed64. */
export function enc(fields: Field[]): Buffer {
  const out: number[] = [];
  for (const f of fields) {
    if (!Array.isArray(f)) {
      out.push(...f.raw);
      continue;
    }
    const [num, wire, value] = f;
    varint(out, (BigInt(num) << 3n) | BigInt(wire));
    if (wire === 0) varint(out, value);
    else if (wire === 1) {
      const b = Buffer.alloc(8);
      if (typeof value === 'number') b.writeDoubleLE(value);
      else b.writeBigUInt64LE(BigInt.asUintN(64, value));
      out.push(...b);
    } else if (wire === 5) {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(value >>> 0);
      out.push(...b);
    } else {
      const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value instanceof Uint8Array ? value : enc(value);
      varint(out, bytes.length);
      out.push(...bytes);
    }
  }
  return Buffer.from(out);
}

/** An AnyValue in a compact form. */
export type AV =
  | string
  | { bool: boolean | number }
  | { int: number | bigint }
  | { double: number }
  | { bytes: Uint8Array }
  | { array: AV[] }
  | { kvlist: [string | Uint8Array, AV][] }
  | { empty: true }
  | { fields: Field[] };

export function anyValue(v: AV): Field[] {
  if (typeof v === 'string') return [[1, 2, v]];
  if ('bool' in v) return [[2, 0, typeof v.bool === 'number' ? v.bool : v.bool ? 1 : 0]];
  if ('int' in v) return [[3, 0, v.int]];
  if ('double' in v) return [[4, 1, v.double]];
  if ('bytes' in v) return [[7, 2, v.bytes]];
  if ('array' in v) return [[5, 2, v.array.map((x): Field => [1, 2, anyValue(x)])]];
  if ('kvlist' in v) return [[6, 2, v.kvlist.map(([k, x]): Field => [1, 2, kv(k, x)])]];
  if ('fields' in v) return v.fields;
  return [];
}

export function kv(key: string | Uint8Array, value: AV): Field[] {
  return [
    [1, 2, key],
    [2, 2, anyValue(value)],
  ];
}

export interface Rec {
  time?: bigint;
  observed?: bigint;
  severity?: number;
  severityText?: string | Uint8Array;
  body?: AV;
  attrs?: [string | Uint8Array, AV][];
  dropped?: number;
  flags?: number;
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  eventName?: string | Uint8Array;
  extra?: Field[];
}

export function record(r: Rec): Field[] {
  const f: Field[] = [];
  if (r.time !== undefined) f.push([1, 1, r.time]);
  if (r.severity !== undefined) f.push([2, 0, r.severity]);
  if (r.severityText !== undefined) f.push([3, 2, r.severityText]);
  if (r.body !== undefined) f.push([5, 2, anyValue(r.body)]);
  for (const [k, v] of r.attrs ?? []) f.push([6, 2, kv(k, v)]);
  if (r.dropped !== undefined) f.push([7, 0, r.dropped]);
  if (r.flags !== undefined) f.push([8, 5, r.flags]);
  if (r.traceId !== undefined) f.push([9, 2, r.traceId]);
  if (r.spanId !== undefined) f.push([10, 2, r.spanId]);
  if (r.observed !== undefined) f.push([11, 1, r.observed]);
  if (r.eventName !== undefined) f.push([12, 2, r.eventName]);
  return [...f, ...(r.extra ?? [])];
}

export interface Scope {
  name?: string | Uint8Array;
  version?: string;
  attrs?: [string | Uint8Array, AV][];
  url?: string | Uint8Array;
  records: Rec[];
  extra?: Field[];
}

export interface Resource {
  attrs?: [string | Uint8Array, AV][];
  url?: string;
  scopes: Scope[];
  extra?: Field[];
}

export function request(resources: Resource[]): Buffer {
  return enc(
    resources.map((r): Field => [
      1,
      2,
      [
        [1, 2, [...(r.attrs ?? []).map(([k, v]): Field => [1, 2, kv(k, v)]), [2, 0, 1]]],
        ...r.scopes.map((s): Field => [
          2,
          2,
          [
            [1, 2, [...(s.name !== undefined ? [[1, 2, s.name] as Field] : []), ...(s.version !== undefined ? [[2, 2, s.version] as Field] : []), ...(s.attrs ?? []).map(([k, v]): Field => [3, 2, kv(k, v)])]],
            ...s.records.map((rec): Field => [2, 2, record(rec)]),
            ...(s.url !== undefined ? [[3, 2, s.url] as Field] : []),
            ...(s.extra ?? []),
          ],
        ]),
        ...(r.url !== undefined ? [[3, 2, r.url] as Field] : []),
        ...(r.extra ?? []),
      ],
    ]),
  );
}

const TEXTS = [
  '', 'INFO', 'order placed 42', 'héllo wörld', '日本語 ✓', '🚀 rocket', 'x'.repeat(200), 'é'.repeat(70), 'Bearer abc.def-ghi',
  'BEARER x', 'card 4111 1111 1111 1111 ok', '4111-1111-1111-1112', '1234567890123', 'a 12-34-56-78-90-12-3 b',
  '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----', '[REDACTED]', '2', '10', 'service.name', '\t\n\\\'"',
  '\u{FEFF}bom', 'a\u0000b', 'ab🚀cd🚀ef',
];
const KEYS = ['service.name', 'host.name', 'order.id', 'password', 'X-Session-Id', 'api_key', 'note', '2', '1', 'a', 'b', 'c', '', 'cöökie', 'ключ', 'Authorization'];
const BAD_UTF8 = [Uint8Array.of(0xff), Uint8Array.of(0x61, 0xc3), Uint8Array.of(0xed, 0xa0, 0x80), Uint8Array.of(0xf4, 0x90, 0x80, 0x80), Uint8Array.of(0xc0, 0xaf), Uint8Array.of(0xef, 0xbb, 0xbf, 0x61), Uint8Array.of(0xe2, 0x82)];

/** Random requests covering every field and value kind, valid and invalid records, odd encodings. */
export function randomRequest(rnd: () => number): Buffer {
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const text = (): string | Uint8Array => (rnd() < 0.04 ? pick(BAD_UTF8) : pick(TEXTS));
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));
  const value = (depth: number): AV => {
    switch (int(depth > 2 ? 6 : 9)) {
      case 0:
      case 1:
        return pick(TEXTS);
      case 2:
        return { bool: rnd() < 0.1 ? 2 ** 32 : rnd() < 0.5 };
      case 3:
        return { int: pick([0, 1, 42, 2 ** 49 - 1, 2 ** 49, 2 ** 53 + 1, -1, -(2n ** 63n), 2n ** 64n - 1n, 1234567890123456, int(1e9)]) };
      case 4:
        return { double: pick([0, -0, 19.99, NaN, Infinity, -Infinity, 1e21, 5e-324, 1234567890123.5, 0.1]) };
      case 5:
        return rnd() < 0.5 ? { bytes: bytes(int(20)) } : rnd() < 0.5 ? { empty: true } : { fields: [[1, 2, text()], [99, 0, 7], ...(rnd() < 0.3 ? ([[3, 0, 5]] as Field[]) : [])] };
      case 6:
        return { array: Array.from({ length: int(4) }, () => value(depth + 1)) };
      case 7:
        return { kvlist: Array.from({ length: int(4) }, (): [string, AV] => [pick(KEYS), value(depth + 1)]) };
      default:
        return text() as string;
    }
  };
  const attrs = (): [string | Uint8Array, AV][] =>
    Array.from({ length: rnd() < 0.05 ? 40 + int(20) : int(6) }, (_, i): [string | Uint8Array, AV] => [rnd() < 0.002 ? pick(BAD_UTF8) : rnd() < 0.9 ? pick(KEYS) : `k${i % 37}`, value(0)]);
  const nanos = () => pick([0n, 1_795_465_000_000_000_000n + BigInt(int(1e9)), 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n, 1n]);
  const rec = (): Rec => ({
    time: rnd() < 0.9 ? nanos() : undefined,
    observed: rnd() < 0.7 ? nanos() : undefined,
    severity: rnd() < 0.8 ? pick([0, 1, 9, 17, 24, 25, 255, 2 ** 32 - 1, 2 ** 32 + 9]) : undefined,
    severityText: rnd() < 0.8 ? text() : undefined,
    body: rnd() < 0.9 ? value(0) : undefined,
    attrs: attrs(),
    dropped: rnd() < 0.2 ? int(5) : undefined,
    flags: rnd() < 0.5 ? int(2 ** 32) : undefined,
    traceId: rnd() < 0.5 ? bytes(pick([16, 16, 16, 0, 15, 17])) : undefined,
    spanId: rnd() < 0.5 ? bytes(pick([8, 8, 8, 0, 7, 9])) : undefined,
    eventName: rnd() < 0.3 ? text() : undefined,
    extra: rnd() < 0.2 ? pick<Field[]>([[[13, 0, 1]], [[4, 2, 'x']], [[4, 0, 1]], [[100, 5, 1]], [[9, 2, bytes(16)]], [[5, 2, anyValue('second body')]]]) : undefined,
  });
  const scope = (): Scope => ({
    name: rnd() < 0.8 ? text() : undefined,
    version: rnd() < 0.5 ? pick(TEXTS) : undefined,
    attrs: rnd() < 0.5 ? attrs() : undefined,
    url: rnd() < 0.3 ? text() : undefined,
    records: Array.from({ length: int(5) }, rec),
    extra: rnd() < 0.1 ? [[7, 1, 1n]] : undefined,
  });
  return request(
    Array.from({ length: int(4) }, (): Resource => ({
      attrs: attrs(),
      url: rnd() < 0.3 ? pick(TEXTS) : undefined,
      scopes: Array.from({ length: int(4) }, scope),
      extra: rnd() < 0.1 ? [[1, 2, [[1, 2, kv('extra.res', 'merged')]]]] : undefined,
    })),
  );
}
