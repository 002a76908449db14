import { ProtoWriter, WireType } from './ProtoWriter.ts';
import type { ExportLogsPartialSuccess } from './types.ts';

/**
 * Encodes an `ExportLogsServiceResponse`. Per the OTLP spec, `partial_success` is set only when
 * some records were rejected (or the server has a warning to pass on).
 */
export function encodeExportLogsResponse(partial?: ExportLogsPartialSuccess): Buffer {
  if (!partial || (partial.rejectedLogRecords === 0 && partial.errorMessage === '')) return Buffer.alloc(0);
  const w = new ProtoWriter(256);
  w.tag(1, WireType.LEN);
  const at = w.beginMessage();
  if (partial.rejectedLogRecords !== 0) {
    w.tag(1, WireType.VARINT);
    w.varint64(partial.rejectedLogRecords);
  }
  if (partial.errorMessage !== '') {
    w.tag(2, WireType.LEN);
    w.string(partial.errorMessage);
  }
  w.endMessage(at);
  return w.finish();
}
