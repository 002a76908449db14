import { otlpToTabSeparatedBytes } from './otlp-tsv-bytes.ts';

/** otel_logs rows as TabSeparated text, straight from protobuf. */
export interface TabSeparatedBatch {
  /** One line per row, INSERT_COLUMNS order (for `LogWriter.writeTabSeparated`). */
  text: string;
  rows: number;
}

/**
 * Turns the bytes of an OTLP `ExportLogsServiceRequest` into otel_logs rows in TabSeparated form
 * in one pass, without the decoded object tree or row tuples: the same rows as
 * `rowsToTabSeparated(requestToRows(decodeExportLogsRequest(buf)))` (tested), at ~¼ of its CPU
 * (bench/storage-ceiling, bench/collector-ingest). Malformed input throws ProtoDecodeError.
 * Prefer {@link otlpToTabSeparatedBytes} when the bytes can go to the insert as they are.
 */
export function otlpToTabSeparated(buf: Uint8Array, nowNanos: bigint = BigInt(Date.now()) * 1_000_000n): TabSeparatedBatch {
  const { bytes, rows } = otlpToTabSeparatedBytes(buf, nowNanos);
  return { text: bytes.toString('utf8'), rows };
}

export { otlpToTabSeparatedBytes };
