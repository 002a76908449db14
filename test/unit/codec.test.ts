import { describe, expect, it } from 'vitest';
import { hrTimeToFixed64Parts, nanosToDecimalSeconds } from '../../src/otlp/hr-time.ts';
import { decodeExportLogsRequest, decodeExportLogsResponse } from '../../src/otlp/decode-logs.ts';
import { encodeExportLogsResponse } from '../../src/otlp/encode-response.ts';
import { ProtoDecodeError } from '../../src/otlp/ProtoReader.ts';
import { ProtoWriter } from '../../src/otlp/ProtoWriter.ts';
import { decodeRetryDelayMs, encodeStatusWithRetryInfo } from '../../src/otlp/retry-info.ts';

describe('OTLP codec pieces', () => {
  it('splits HrTime into exact fixed64 halves', () => {
    const cases: [number, number][] = [[0, 0], [1, 1], [1_800_000_000, 999_999_999], [4_102_444_800, 123_456_789], [65_535, 5], [65_536, 0]];
    for (const [s, n] of cases) {
      const [lo, hi] = hrTimeToFixed64Parts(s, n);
      const expected = BigInt(s) * 1_000_000_000n + BigInt(n);
      expect((BigInt(hi) << 32n) + BigInt(lo), `${s}.${n}`).toBe(expected);
    }
    expect(nanosToDecimalSeconds(1_800_000_000_000_000_005n)).toBe('1800000000.000000005');
    expect(nanosToDecimalSeconds(42n)).toBe('0.000000042');
  });

  it('writes length prefixes of every size (shifting bodies when needed)', () => {
    for (const len of [0, 1, 127, 128, 16_383, 16_384, 2_097_152]) {
      const w = new ProtoWriter(16);
      const s = 'x'.repeat(len);
      w.string(s);
      const buf = w.finish();
      // Reading it back as a one-field message body.
      let pos = 0;
      let n = 0;
      let shift = 0;
      for (;;) {
        const b = buf[pos++];
        n |= (b & 0x7f) << shift;
        if (!(b & 0x80)) break;
        shift += 7;
      }
      expect(n).toBe(len);
      expect(buf.length - pos).toBe(len);
    }
  });

  it('refuses truncated and malformed requests with ProtoDecodeError', () => {
    expect(() => decodeExportLogsRequest(Buffer.from([0x0a, 0x05, 0x01]))).toThrow(ProtoDecodeError);
    expect(() => decodeExportLogsRequest(Buffer.from([0x0a]))).toThrow(ProtoDecodeError);
    expect(() => decodeExportLogsRequest(Buffer.from([0x0f]))).toThrow(/wire type/);
    expect(decodeExportLogsRequest(Buffer.alloc(0))).toEqual({ resourceLogs: [] });
  });

  it('round-trips partial success and RetryInfo', () => {
    expect(encodeExportLogsResponse().length).toBe(0);
    const bytes = encodeExportLogsResponse({ rejectedLogRecords: 3, errorMessage: 'bad trace id' });
    expect(decodeExportLogsResponse(bytes)).toEqual({ partialSuccess: { rejectedLogRecords: 3, errorMessage: 'bad trace id' } });
    expect(decodeRetryDelayMs(encodeStatusWithRetryInfo(14, 'busy', 2500))).toBe(2500);
    expect(decodeRetryDelayMs(encodeStatusWithRetryInfo(14, '', 30))).toBe(30);
    expect(decodeRetryDelayMs(Buffer.from([1, 2, 3]))).toBeUndefined();
  });
});
