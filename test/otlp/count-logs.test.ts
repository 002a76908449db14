import { describe, expect, it } from 'vitest';
import { countLogRecords } from '../../src/otlp/count-logs.ts';
import { ProtoDecodeError } from '../../src/otlp/ProtoReader.ts';
import { ProtoWriter, WireType } from '../../src/otlp/ProtoWriter.ts';

/** A request with the given number of records per scope, per resource. */
function request(shape: number[][]): Buffer {
  const w = new ProtoWriter();
  for (const scopes of shape) {
    w.tag(1, WireType.LEN);
    const rl = w.beginMessage();
    for (const n of scopes) {
      w.tag(2, WireType.LEN);
      const sl = w.beginMessage();
      w.tag(1, WireType.LEN); // scope
      const sc = w.beginMessage();
      w.tag(1, WireType.LEN);
      w.string('scope');
      w.endMessage(sc);
      for (let i = 0; i < n; i++) {
        w.tag(2, WireType.LEN);
        const at = w.beginMessage();
        w.tag(3, WireType.LEN);
        w.string('INFO');
        w.endMessage(at);
      }
      w.tag(3, WireType.LEN); // schema_url: not a record
      w.string('https://example.com/schema');
      w.endMessage(sl);
    }
    w.endMessage(rl);
  }
  return w.finish();
}

describe('countLogRecords', () => {
  it('counts records across resources and scopes, ignoring other fields', () => {
    expect(countLogRecords(request([]))).toBe(0);
    expect(countLogRecords(request([[3]]))).toBe(3);
    expect(countLogRecords(request([[2, 0, 5], [7]]))).toBe(14);
  });

  it('throws ProtoDecodeError on a truncated request', () => {
    const buf = request([[4]]);
    expect(() => countLogRecords(buf.subarray(0, buf.length - 3))).toThrow(ProtoDecodeError);
  });
});
