import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { ProtoWriter } from '../otlp/ProtoWriter.ts';
import { EncodedLogRecord } from './EncodedLogRecord.ts';
import { writeLogRecord } from './encode-records.ts';

/** Room left in each part for the request's wrappers (resource, scopes, lengths); a part still over the limit is halved (GrpcLogExporter). */
const WRAPPER_BYTES = 4096;

/**
 * Splits a batch whose request would exceed `maxBytes` into parts that each fit, in order: a
 * collector refuses a larger request whole (gRPC's usual limit is 4 MiB; logq's collector takes
 * 16 MiB). Encoded records are split at record boundaries (a run of adjacent records is one
 * {@link EncodedLogRecord}, its other records zero-length fillers), so the parts hold one entry per
 * record: their lengths add up to the batch's. A record larger than `maxBytes` is a part of its own.
 */
export function splitForRequests(records: readonly ReadableLogRecord[], maxBytes: number): ReadableLogRecord[][] {
  const budget = Math.max(1, maxBytes - WRAPPER_BYTES);
  const parts: ReadableLogRecord[][] = [];
  let part: ReadableLogRecord[] = [];
  let bytes = 0;
  const add = (rec: ReadableLogRecord, size: number) => {
    if (part.length > 0 && bytes + size > budget) {
      parts.push(part);
      part = [];
      bytes = 0;
    }
    part.push(rec);
    bytes += size;
  };
  const scratch = new ProtoWriter(1024);
  for (const rec of records) {
    if (rec instanceof EncodedLogRecord) {
      if (rec.start === rec.end) continue; // a filler: its record is in its run
      for (const one of eachRecord(rec)) add(one as unknown as ReadableLogRecord, one.end - one.start);
      continue;
    }
    scratch.reset();
    writeLogRecord(scratch, rec);
    add(rec, scratch.pos);
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

/** The records of a run (`ScopeLogs.log_records` entries: tag 0x12, varint length, LogRecord). */
function* eachRecord(run: EncodedLogRecord): Generator<EncodedLogRecord> {
  const buf = run.buf;
  let p = run.start;
  while (p < run.end) {
    if (buf[p] !== 0x12) throw new Error(`logq: encoded records are corrupt (byte ${buf[p]} at ${p - run.start} of a run, expected a log_records tag)`);
    let q = p + 1;
    let len = 0;
    let shift = 0;
    for (;;) {
      if (q >= run.end || shift > 28) throw new Error('logq: encoded records are corrupt (a record length is cut off)');
      const b = buf[q++];
      len += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
      shift += 7;
    }
    const end = q + len;
    if (end > run.end) throw new Error('logq: encoded records are corrupt (a record runs past its run)');
    yield new EncodedLogRecord(run.resource, run.instrumentationScope, buf, p, end);
    p = end;
  }
}
