import { ProtoReader } from './ProtoReader.ts';
import { ProtoWriter, WireType } from './ProtoWriter.ts';

/**
 * gRPC rich error details for OTLP backpressure: a `google.rpc.Status` whose details hold a
 * `google.rpc.RetryInfo`, sent in the `grpc-status-details-bin` trailer. The OTLP spec tells
 * clients to wait `retry_delay` before retrying UNAVAILABLE / RESOURCE_EXHAUSTED.
 *
 * Messages (field numbers from googleapis): Status { int32 code = 1; string message = 2;
 * repeated Any details = 3 }, Any { string type_url = 1; bytes value = 2 },
 * RetryInfo { Duration retry_delay = 1 }, Duration { int64 seconds = 1; int32 nanos = 2 }.
 */

/** Metadata key carrying the serialized google.rpc.Status. */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
export const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';

/** Encodes a google.rpc.Status with one RetryInfo detail asking the client to wait `delayMs`. */
export function encodeStatusWithRetryInfo(code: number, message: string, delayMs: number): Buffer {
  const w = new ProtoWriter(256);
  if (code) {
    w.tag(1, WireType.VARINT);
    w.varint32(code);
  }
  if (message) {
    w.tag(2, WireType.LEN);
    w.string(message);
  }
  w.tag(3, WireType.LEN); // details: Any
  const any = w.beginMessage();
  w.tag(1, WireType.LEN);
  w.string(RETRY_INFO_TYPE_URL);
  w.tag(2, WireType.LEN); // Any.value = RetryInfo bytes
  const ri = w.beginMessage();
  w.tag(1, WireType.LEN); // RetryInfo.retry_delay: Duration
  const dur = w.beginMessage();
  const seconds = Math.floor(delayMs / 1000);
  const nanos = Math.round((delayMs - seconds * 1000) * 1e6);
  if (seconds) {
    w.tag(1, WireType.VARINT);
    w.varint64(seconds);
  }
  if (nanos) {
    w.tag(2, WireType.VARINT);
    w.varint32(nanos);
  }
  w.endMessage(dur);
  w.endMessage(ri);
  w.endMessage(any);
  return w.finish();
}

/**
 * Reads the RetryInfo delay (ms) out of a serialized google.rpc.Status; undefined when there is
 * none or the bytes are malformed (a bad trailer must never break the exporter).
 */
export function decodeRetryDelayMs(statusBytes: Uint8Array): number | undefined {
  try {
    const r = new ProtoReader(statusBytes);
    while (!r.done) {
      const t = r.tag();
      if (t !== ((3 << 3) | 2)) {
        r.skip(t & 7);
        continue;
      }
      const [s, e] = r.delimited();
      const any = new ProtoReader(r.buf, s, e);
      let typeUrl = '';
      let value: Uint8Array | undefined;
      while (!any.done) {
        const t2 = any.tag();
        if (t2 === ((1 << 3) | 2)) typeUrl = any.string();
        else if (t2 === ((2 << 3) | 2)) value = any.bytes();
        else any.skip(t2 & 7);
      }
      if (typeUrl !== RETRY_INFO_TYPE_URL || !value) continue;
      const ri = new ProtoReader(value);
      while (!ri.done) {
        const t3 = ri.tag();
        if (t3 !== ((1 << 3) | 2)) {
          ri.skip(t3 & 7);
          continue;
        }
        const [ds, de] = ri.delimited();
        const d = new ProtoReader(ri.buf, ds, de);
        let seconds = 0;
        let nanos = 0;
        while (!d.done) {
          const t4 = d.tag();
          if (t4 === ((1 << 3) | 0)) seconds = Number(d.varint64());
          else if (t4 === ((2 << 3) | 0)) nanos = d.varint32() | 0;
          else d.skip(t4 & 7);
        }
        return Math.max(0, seconds * 1000 + nanos / 1e6);
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}
