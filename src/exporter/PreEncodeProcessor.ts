import type { Attributes, Context, HrTime, SpanContext } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { LogRecordExporter, LogRecordProcessor, ReadableLogRecord, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { ProtoWriter } from '../otlp/ProtoWriter.ts';
import { ExportResultCode, type InstrumentationScope } from '@opentelemetry/core';
import { EncodedLogRecord } from './EncodedLogRecord.ts';
import { ChunkPool } from './ChunkPool.ts';
import { QueuedBytesMarker, RangeQueue } from './RangeQueue.ts';
import { writeLogFields, writeLogRecord } from './encode-records.ts';

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
 * them and freed by the GC once the last of those records is exported (or dropped). In
 * registerLogging's pipeline the queue holds one shared marker per scope and the bytes wait in a
 * {@link RangeQueue} here (no object per queued record: see there for why).
 */
export class PreEncodeProcessor implements LogRecordProcessor {
  private writer: ProtoWriter;
  /** Reuses chunks once their records are exported or dropped (option `recycleChunks`). */
  private readonly pool: ChunkPool | undefined;
  private readonly next: LogRecordProcessor;
  /** True while a record is being encoded (app code can run then: getters, proxies — and log). */
  private encoding = false;
  private readonly maxQueueBytes: number;
  private readonly drops: DropCounter | undefined;
  private bytes = 0;
  /** Bytes of the queued records, in queue order (with a drop counter; see {@link QueuedBytesMarker}). */
  private readonly ranges = new RangeQueue();
  private readonly markers = new Map<InstrumentationScope, QueuedBytesMarker>();
  private lastMarker: QueuedBytesMarker | undefined;
  /** Where {@link encode} left the record's bytes (in the buffer it returned). */
  private rangeStart = 0;
  private rangeEnd = 0;

  /**
   * `options.maxQueueBytes` bounds the bytes of encoded records between this processor and the
   * exporter: a record that would go over it is dropped and counted through `options.drops` (the
   * pipeline's drop counter, which also tells this processor when `next` dropped a record itself).
   * The exporter must report every finished export to {@link release} (see {@link releasing}).
   * With `options.drops`, the queue gets a shared {@link QueuedBytesMarker} per record and the
   * bytes wait here, in order; the queue's exporter must then be wrapped in {@link materializing}.
   * Without it, the queue gets an {@link EncodedLogRecord} per record. `options.recycleChunks`
   * (with `drops` only) reuses the buffers records are encoded into ({@link ChunkPool}); the
   * queue's exporter must then copy a batch's bytes within its `export` call, as logq's
   * GrpcLogExporter does (synchronously, behind PipelinedLogExporter), and {@link materializing}
   * gives them back when that call returns.
   */
  constructor(next: LogRecordProcessor, options: { maxQueueBytes?: number; drops?: DropCounter; recycleChunks?: boolean } = {}) {
    this.next = next;
    this.maxQueueBytes = options.maxQueueBytes ?? Infinity;
    this.drops = options.drops;
    this.pool = options.recycleChunks && options.drops ? new ChunkPool(CHUNK_BYTES) : undefined;
    this.writer = this.newChunk();
  }

  /** The chunk pool (when chunks are recycled). */
  get chunks(): ChunkPool | undefined {
    return this.pool;
  }

  private newChunk(): ProtoWriter {
    return new ProtoWriter(CHUNK_BYTES, this.pool?.take());
  }

  /** The writer of the current chunk, or of a new one when less than {@link CHUNK_MARGIN} is left. */
  private writerWithRoom(): ProtoWriter {
    if (this.writer.pos > CHUNK_BYTES - CHUNK_MARGIN) this.writer = this.newChunk();
    return this.writer;
  }

  /** Bytes of encoded records handed to `next` whose export has not finished (queued or in flight). */
  get queuedBytes(): number {
    return this.bytes;
  }

  onEmit(record: ReadWriteLogRecord, ctx?: Context): void {
    // A record logged while another is being encoded (from a getter of the outer record's body,
    // say) must not be written into the middle of it: it goes to the queue as it is, and the
    // exporter encodes it then.
    const buf = this.encoding ? undefined : this.encode(record);
    if (buf === undefined) {
      this.next.onEmit(record, ctx);
      return;
    }
    this.enqueue(buf, record.resource, record.instrumentationScope, ctx);
  }

  /** True while a record is being encoded: {@link emitFields} then refuses (see {@link onEmit}). */
  get busy(): boolean {
    return this.encoding;
  }

  /**
   * Encodes and queues a record given by its fields, as {@link onEmit} would the record object
   * holding them (logq's loggers on registerLogging's default pipeline: no record object, see
   * intake.ts). Returns false, having queued nothing, while another record is being encoded or
   * when encoding failed: the caller then takes the record-object path.
   */
  emitFields(
    resource: Resource,
    scope: InstrumentationScope,
    time: HrTime,
    severityNumber: number,
    severityText: string,
    body: string,
    attributes: Attributes,
    sc: SpanContext | undefined,
    eventName: string | undefined,
    ctx: Context,
  ): boolean {
    if (this.encoding) return false;
    const w = this.writerWithRoom();
    const start = w.pos;
    const before = w.buffer;
    this.encoding = true;
    try {
      writeLogFields(w, time, time, severityNumber, severityText, body, attributes, 0, sc, eventName);
    } catch {
      w.pos = start;
      return false;
    } finally {
      this.encoding = false;
    }
    this.enqueue(this.written(w, start, before), resource, scope, ctx);
    return true;
  }

  /** Queues the bytes {@link encode} left at `rangeStart..rangeEnd` of `buf` (or drops and counts them). */
  private enqueue(buf: Uint8Array, resource: Resource, scope: InstrumentationScope, ctx: Context | undefined): void {
    const start = this.rangeStart;
    const end = this.rangeEnd;
    const size = end - start;
    if (this.bytes + size > this.maxQueueBytes) {
      // Over the byte bound: dropped and counted; its bytes are given back to the chunk when they
      // are the last ones written to it.
      if (buf === this.writer.buffer && end === this.writer.pos) this.writer.pos = start;
      this.drops?.recordDrop(1);
      return;
    }
    this.bytes += size;
    const drops = this.drops;
    if (drops === undefined) {
      this.next.onEmit(new EncodedLogRecord(resource, scope, buf, start, end) as unknown as ReadWriteLogRecord, ctx);
      return;
    }
    // The bytes wait here; the queue gets the shared marker of the record's scope.
    this.ranges.push(buf, start, end);
    this.pool?.hold(buf, size);
    const dropped = drops.counts.dropped;
    this.next.onEmit(this.markerFor(resource, scope) as unknown as ReadWriteLogRecord, ctx);
    if (drops.counts.dropped !== dropped) {
      // The queue, full in records, dropped it (and counted it): it will never be exported.
      this.ranges.popLast();
      this.bytes -= size;
      this.pool?.give(buf, size);
    }
  }

  /**
   * The exporter is done with the bytes of `batch` (a materialized batch: its {@link export} call
   * returned, or the batch failed): their chunks may be reused.
   */
  consumed(batch: readonly unknown[]): void {
    const pool = this.pool;
    if (pool === undefined) return;
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i];
      if (r instanceof EncodedLogRecord && r.end > r.start) pool.give(r.buf, r.end - r.start);
    }
  }

  /** Called once an export of `bytes` (see {@link encodedBytes}) has finished: they are no longer held. */
  release(bytes: number): void {
    this.bytes -= bytes;
  }

  /**
   * Turns the markers of a batch leaving the queue back into encoded records (see
   * {@link materializing}). Returns false if the batch does not match the waiting bytes (a bug:
   * the batch is then failed rather than shipped under the wrong scopes; detected when a batch
   * has more markers than bytes wait, not when a marker went missing without a counted drop).
   */
  materialize(batch: unknown[]): boolean {
    const handedOut = this.ranges.materialize(batch);
    if (handedOut < 0) {
      // Every waiting range is dropped and new markers are made: the markers still in the
      // SDK's queue have lost their bytes, and their batches fail too (below).
      this.bytes -= this.ranges.reset();
      this.pool?.abandon();
      this.markers.clear();
      this.lastMarker = undefined;
      return false;
    }
    if (this.ranges.staleInLastBatch > 0) {
      // The batch fails: the bytes it took will not be exported.
      this.bytes -= handedOut;
      return false;
    }
    return true;
  }

  private markerFor(resource: Resource, scope: InstrumentationScope): QueuedBytesMarker {
    let m = this.lastMarker;
    if (m !== undefined && m.instrumentationScope === scope && m.resource === resource) return m;
    m = this.markers.get(scope);
    if (m === undefined || m.resource !== resource) {
      m = new QueuedBytesMarker(resource, scope, this.ranges.generation);
      this.markers.set(scope, m);
    }
    this.lastMarker = m;
    return m;
  }

  /** Encodes `record`; returns the buffer holding its bytes (`rangeStart..rangeEnd`), or undefined. */
  private encode(record: ReadWriteLogRecord): Uint8Array | undefined {
    const w = this.writerWithRoom();
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
    return this.written(w, start, before);
  }

  /** Where the record just written to `w` from `start` is: sets `rangeStart..rangeEnd`, returns its buffer. */
  private written(w: ProtoWriter, start: number, before: Uint8Array): Uint8Array {
    if (w.buffer === before) {
      this.rangeStart = start;
      this.rangeEnd = w.pos;
      return before;
    }
    // The record did not fit what was left of the chunk, which grew (a copy of everything in it,
    // at up to 3 bytes reserved per character of a long string). Keep an exact copy of this
    // record alone and start a fresh chunk: the records before it keep the chunk they were
    // written to, and nothing holds the grown one.
    const bytes = w.buffer.slice(start, w.pos);
    this.writer = this.newChunk();
    this.rangeStart = 0;
    this.rangeEnd = bytes.length;
    return bytes;
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

/**
 * The queue's exporter when its encoder keeps the bytes ({@link PreEncodeProcessor} with a drop
 * counter): each batch's markers become encoded records, in queue order, before `exporter` sees
 * it. A batch that does not match the bytes waiting (a bug) fails with an error that says so.
 */
export function materializing(exporter: LogRecordExporter, encoder: () => PreEncodeProcessor | undefined): LogRecordExporter {
  return {
    export: (records, done) => {
      const e = encoder();
      if (e !== undefined && !e.materialize(records)) {
        e.consumed(records);
        done({ code: ExportResultCode.FAILED, error: new Error(`logq: internal error: a batch of ${records.length} records did not match the encoded bytes waiting; the batch and the bytes were dropped`) });
        return;
      }
      try {
        exporter.export(records, done);
      } finally {
        // The exporter has copied the bytes into its request (or failed without needing them).
        e?.consumed(records);
      }
    },
    forceFlush: () => exporter.forceFlush(),
    shutdown: () => exporter.shutdown(),
  };
}
