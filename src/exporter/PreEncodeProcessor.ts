import type { Context } from '@opentelemetry/api';
import type { LogRecordExporter, LogRecordProcessor, ReadableLogRecord, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { ProtoWriter } from '../otlp/ProtoWriter.ts';
import { EncodedLogRecord } from './EncodedLogRecord.ts';
import { writeLogRecord } from './encode-records.ts';

/** Size of one chunk of encoded records; a new chunk starts when less than {@link CHUNK_MARGIN} is left. */
const CHUNK_BYTES = 256 * 1024;
const CHUNK_MARGIN = 16 * 1024;

/**
 * Encodes each record into OTLP bytes when it is emitted and hands the queue (the SDK's
 * BatchLogRecordProcessor, `next`) a small {@link EncodedLogRecord} instead of the record; logq's
 * exporter then copies the bytes into the request.
 *
 * Why: the queued record objects (record, attribute map, time arrays) were what an app's heap grew
 * by under load and what the GC kept copying; encoded, a queued record is ~110 bytes outside the
 * heap and one small object. bench/app-export, heap + ArrayBuffers growth, A/B against the record
 * objects: 27–28 → 21–24 MiB at 200k records/s, loop p99 8.7–9.2 → 6.7–7.5 ms, the burst 79–89 MiB
 * with 6–13% dropped → 59–69 MiB with none dropped (and a queue twice as long); CPU per record the
 * same within the noise. The queue's bound, batching, timers, drop counting and flush are the
 * SDK's, unchanged. (Encoding straight from logq's logger calls, without the record object, was
 * tried and measured within the noise of this path: 0.64–0.72 vs 0.71–0.75 µs/record.)
 *
 * Records go to `next` in emit order; chunks are plain buffers shared by the records encoded into
 * them and freed by the GC once the last of those records is exported (or dropped).
 */
export class PreEncodeProcessor implements LogRecordProcessor {
  private writer = new ProtoWriter(CHUNK_BYTES);
  private readonly next: LogRecordProcessor;
  /** True while a record is being encoded (app code can run then: getters, proxies — and log). */
  private encoding = false;
  private readonly maxQueueBytes: number;
  private readonly drops: DropCounter | undefined;
  private bytes = 0;

  /**
   * `options.maxQueueBytes` bounds the bytes of encoded records between this processor and the
   * exporter: a record that would go over it is dropped and counted through `options.drops` (the
   * pipeline's drop counter, which also tells this processor when `next` dropped a record itself).
   * The exporter must report every finished export to {@link release} (see {@link releasing}).
   */
  constructor(next: LogRecordProcessor, options: { maxQueueBytes?: number; drops?: DropCounter } = {}) {
    this.next = next;
    this.maxQueueBytes = options.maxQueueBytes ?? Infinity;
    this.drops = options.drops;
  }

  /** Bytes of encoded records handed to `next` whose export has not finished (queued or in flight). */
  get queuedBytes(): number {
    return this.bytes;
  }

  onEmit(record: ReadWriteLogRecord, ctx?: Context): void {
    // A record logged while another is being encoded (from a getter of the outer record's body,
    // say) must not be written into the middle of it: it goes to the queue as it is, and the
    // exporter encodes it then.
    const encoded = this.encoding ? undefined : this.encode(record);
    if (encoded === undefined) {
      this.next.onEmit(record, ctx);
      return;
    }
    const size = encoded.end - encoded.start;
    if (this.bytes + size > this.maxQueueBytes) {
      // Over the byte bound: dropped and counted; its bytes are given back to the chunk when they
      // are the last ones written to it.
      if (encoded.buf === this.writer.buffer && encoded.end === this.writer.pos) this.writer.pos = encoded.start;
      this.drops?.recordDrop(1);
      return;
    }
    this.bytes += size;
    const dropped = this.drops?.counts.dropped;
    this.next.onEmit(encoded as unknown as ReadWriteLogRecord, ctx);
    // The queue, full in records, dropped it (and counted it): it will never be exported.
    if (this.drops !== undefined && this.drops.counts.dropped !== dropped) this.bytes -= size;
  }

  /** Called once an export of `bytes` (see {@link encodedBytes}) has finished: they are no longer held. */
  release(bytes: number): void {
    this.bytes -= bytes;
  }

  private encode(record: ReadWriteLogRecord): EncodedLogRecord | undefined {
    let w = this.writer;
    if (w.pos > CHUNK_BYTES - CHUNK_MARGIN) w = this.writer = new ProtoWriter(CHUNK_BYTES);
    const start = w.pos;
    const before = w.buffer;
    this.encoding = true;
    try {
      writeLogRecord(w, record as unknown as ReadableLogRecord);
    } catch {
      // Not encodable here (a getter threw, …): the record itself goes to the queue, and the
      // exporter encodes it (or reports the failure) as it would without this processor.
      w.pos = start;
      return undefined;
    } finally {
      this.encoding = false;
    }
    if (w.buffer === before) return new EncodedLogRecord(record.resource, record.instrumentationScope, before, start, w.pos);
    // The record did not fit what was left of the chunk, which grew (a copy of everything in it,
    // at up to 3 bytes reserved per character of a long string). Keep an exact copy of this
    // record alone and start a fresh chunk: the records before it keep the chunk they were
    // written to, and nothing holds the grown one.
    const bytes = w.buffer.slice(start, w.pos);
    this.writer = new ProtoWriter(CHUNK_BYTES);
    return new EncodedLogRecord(record.resource, record.instrumentationScope, bytes, 0, bytes.length);
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}

/** The pipeline's drop counter, as {@link PreEncodeProcessor} uses it (QueueStats). */
export interface DropCounter {
  readonly counts: { readonly dropped: number };
  recordDrop(n: number): void;
}

/** Bytes of the encoded records among `records` (what {@link PreEncodeProcessor} counts). */
export function encodedBytes(records: readonly unknown[]): number {
  let bytes = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (r instanceof EncodedLogRecord) bytes += r.end - r.start;
  }
  return bytes;
}

/**
 * `exporter` (the one that makes the gRPC call, behind the pipelining), telling `encoder()` when
 * an export has finished, retries included: the byte bound then covers the records waiting in
 * the queue and those in exports still in flight. Only the byte count outlives the call (no
 * closure keeps the records). `encoder` is a function because the exporter is built before the
 * encoder (which wraps the queue that takes the exporter).
 */
export function releasing(exporter: LogRecordExporter, encoder: () => PreEncodeProcessor | undefined): LogRecordExporter {
  return {
    export: (records, done) => {
      const bytes = encodedBytes(records);
      try {
        exporter.export(records, (result) => {
          encoder()?.release(bytes);
          done(result);
        });
      } catch (error) {
        encoder()?.release(bytes);
        throw error;
      }
    },
    forceFlush: () => exporter.forceFlush(),
    shutdown: () => exporter.shutdown(),
  };
}
