import { describe, expect, it } from 'vitest';
import { ProtoReader } from '../../src/otlp/ProtoReader.ts';
import { ProtoWriter, WireType } from '../../src/otlp/ProtoWriter.ts';
import { hrTimeToNanos } from '../../src/otlp/hr-time.ts';

describe('ProtoWriter', () => {
  it('writes ASCII, non-ASCII and long strings that read back unchanged', () => {
    const samples = ['', 'a', 'order placed', 'é', 'ünïcödé ✓ 日本', '𝄞 surrogate', 'x'.repeat(127), 'x'.repeat(128), 'ä'.repeat(60), 'y'.repeat(20_000), 'z'.repeat(126) + 'é'];
    const w = new ProtoWriter(16);
    for (const s of samples) {
      w.tag(1, WireType.LEN);
      w.string(s);
    }
    const r = new ProtoReader(w.finish());
    for (const s of samples) {
      expect(r.tag()).toBe((1 << 3) | WireType.LEN);
      expect(r.string()).toBe(s);
    }
    expect(r.done).toBe(true);
  });

  it('gets nested lengths right around every varint boundary, whatever the reserve', () => {
    for (const reserve of [1, 2, 3]) {
      for (const size of [0, 1, 126, 127, 128, 129, 16_383, 16_384, 16_385, 70_000]) {
        const w = new ProtoWriter(8);
        w.tag(2, WireType.LEN);
        const at = w.beginMessage(reserve);
        for (let i = 0; i < size; i++) w.byte(i & 0x7f);
        w.endMessage(at, reserve);
        w.tag(3, WireType.VARINT);
        w.varint32(42);
        const r = new ProtoReader(w.finish());
        expect(r.tag()).toBe((2 << 3) | WireType.LEN);
        const body = r.bytes();
        expect(body.length).toBe(size);
        expect(body.every((b, i) => b === (i & 0x7f))).toBe(true);
        expect(r.tag()).toBe((3 << 3) | WireType.VARINT);
        expect(r.varint32()).toBe(42);
      }
    }
  });

  it('encodes HrTime as the exact fixed64 nanosecond count (cached second included)', () => {
    const w = new ProtoWriter();
    const times: [number, number][] = [
      [0, 0],
      [0, 999_999_999],
      [1_763_900_000, 123_456_789],
      [1_763_900_000, 999_999_999],
      [1_763_900_001, 0],
      [4_294_967_295, 999_999_999],
      [65_535, 1],
      [65_536, 1],
    ];
    for (const [s, n] of times) w.fixed64HrTime(s, n);
    const r = new ProtoReader(w.finish());
    for (const [s, n] of times) expect(r.fixed64()).toBe(hrTimeToNanos(s, n));
  });
});
