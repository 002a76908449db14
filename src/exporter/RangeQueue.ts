import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import { EncodedLogRecord } from './EncodedLogRecord.ts';

/**
 * What the SDK's queue holds for a record whose OTLP bytes wait in a {@link RangeQueue}: one shared
 * object per resource and scope, so that queuing a record allocates nothing on the JS heap. The
 * queue needs an object per entry (it reads `resource` and counts entries); the bytes are matched
 * back to the markers in queue order when a batch leaves the queue ({@link RangeQueue.materialize}).
 */
export class QueuedBytesMarker {
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  /** Stands in a batch for a record whose bytes an earlier entry of the same run carries (no bytes). */
  readonly filler: EncodedLogRecord;
  /** The {@link RangeQueue.generation} it was made in: markers of an earlier one have no bytes left. */
  readonly generation: number;
  constructor(resource: Resource, instrumentationScope: InstrumentationScope, generation = 0) {
    this.resource = resource;
    this.instrumentationScope = instrumentationScope;
    this.generation = generation;
    this.filler = new EncodedLogRecord(resource, instrumentationScope, NO_BYTES, 0, 0);
  }
}

const NO_BYTES = new Uint8Array(0);

/**
 * A FIFO of byte ranges (`buf[start..end]`, one encoded record each) in typed arrays: a growable
 * ring, so entries cost no object of their own. Why: with an object per queued record, every young
 * generation collection found thousands of them alive; V8 then grew the young generation to its
 * maximum, and at 200k records/s the old generation's soft limit started a full mark-compact every
 * ~180 ms (bench/app-export child with `--trace-gc`: 18 in 5 s, ~0.4 µs/record of V8 worker CPU).
 */
export class RangeQueue {
  private bufs: (Uint8Array | undefined)[];
  private starts: Int32Array;
  private ends: Int32Array;
  private mask: number;
  private head = 0;
  private count = 0;
  /**
   * Bumped by {@link reset}: markers made before (still in the SDK's queue) have lost their bytes;
   * {@link materialize} turns them into fillers and counts them in {@link staleInLastBatch}.
   */
  generation = 0;
  /** Markers of an earlier generation in the last batch materialized. */
  staleInLastBatch = 0;
  /**
   * Entries store their buffer only where it changes (one chunk holds ~2300 records): an entry
   * with none has the buffer of the last entry before it that has one. A pointer store per record
   * into this old array cost a write barrier each (~2% of the app at 200k records/s).
   */
  private lastPushedBuf: Uint8Array | undefined;
  /** The buffer of the last entry handed out that had one. */
  private headBuf: Uint8Array | undefined;

  constructor(capacity = 1024) {
    let n = 16;
    while (n < capacity) n *= 2;
    this.bufs = new Array<Uint8Array | undefined>(n).fill(undefined);
    this.starts = new Int32Array(n);
    this.ends = new Int32Array(n);
    this.mask = n - 1;
  }

  /** Ranges waiting. */
  get length(): number {
    return this.count;
  }

  push(buf: Uint8Array, start: number, end: number): void {
    if (this.count > this.mask) this.grow();
    const i = (this.head + this.count) & this.mask;
    if (buf !== this.lastPushedBuf) {
      this.bufs[i] = buf;
      this.lastPushedBuf = buf;
    }
    this.starts[i] = start;
    this.ends[i] = end;
    this.count++;
  }

  /** Removes the range pushed last (the queue refused its marker). */
  popLast(): void {
    if (this.count === 0) return;
    this.count--;
    const i = (this.head + this.count) & this.mask;
    if (this.bufs[i] !== undefined) {
      // It brought the current buffer: the next push names its own again.
      this.bufs[i] = undefined;
      this.lastPushedBuf = undefined;
    }
  }

  /**
   * Replaces, in place and in order, every {@link QueuedBytesMarker} of `batch` (a prefix of what
   * the queue holds, in queue order) with the bytes of the next range: consecutive markers of one
   * scope whose ranges are adjacent in one buffer become ONE {@link EncodedLogRecord} carrying them
   * all, at the first one's place, and the marker's zero-length `filler` at the others' (the batch
   * keeps its length: the queue and the exporter count records by it). One object per run instead
   * of one per record: building 4096 objects per batch was ~3.4% of the app at 200k records/s.
   * Returns the bytes handed out, or -1 (nothing replaced or consumed) if the batch has more
   * markers than ranges wait: then the order is lost, and guessing would ship a record's bytes
   * under another's scope (the caller then {@link reset}s). Markers of an earlier generation
   * become their filler and are counted in {@link staleInLastBatch}.
   */
  materialize(batch: unknown[]): number {
    this.staleInLastBatch = 0;
    if (batch.length > this.count) {
      // Only then can there be more markers than ranges (counting them costs a pass).
      let markers = 0;
      for (let i = 0; i < batch.length; i++) {
        const m = batch[i];
        if (m instanceof QueuedBytesMarker && m.generation === this.generation) markers++;
      }
      if (markers > this.count) return -1;
    }
    let bytes = 0;
    let run: QueuedBytesMarker | undefined;
    let runAt = 0;
    let runBuf: Uint8Array | undefined;
    let runStart = 0;
    let runEnd = 0;
    for (let i = 0; i <= batch.length; i++) {
      const m = i < batch.length ? batch[i] : undefined;
      let buf: Uint8Array | undefined;
      let start = 0;
      let end = 0;
      if (m instanceof QueuedBytesMarker && m.generation !== this.generation) {
        batch[i] = m.filler;
        this.staleInLastBatch++;
        continue;
      }
      if (m instanceof QueuedBytesMarker) {
        const h = this.head;
        buf = this.bufs[h];
        if (buf === undefined) buf = this.headBuf;
        else {
          this.headBuf = buf;
          this.bufs[h] = undefined;
        }
        start = this.starts[h];
        end = this.ends[h];
        bytes += end - start;
        this.head = (h + 1) & this.mask;
        this.count--;
        if (m === run && buf === runBuf && start === runEnd) {
          runEnd = end;
          batch[i] = m.filler;
          continue;
        }
      }
      // The run (if any) ends here.
      if (run !== undefined) batch[runAt] = new EncodedLogRecord(run.resource, run.instrumentationScope, runBuf!, runStart, runEnd);
      run = undefined;
      if (m instanceof QueuedBytesMarker) {
        run = m;
        runAt = i;
        runBuf = buf;
        runStart = start;
        runEnd = end;
      }
    }
    return bytes;
  }

  /** After a mismatch: drops every range and starts a new generation of markers; returns the bytes dropped. */
  reset(): number {
    this.generation++;
    return this.clear();
  }

  /** Drops every range; returns their bytes. */
  clear(): number {
    let bytes = 0;
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) & this.mask;
      bytes += this.ends[i] - this.starts[i];
      this.bufs[i] = undefined;
    }
    this.head = 0;
    this.count = 0;
    this.lastPushedBuf = undefined;
    this.headBuf = undefined;
    return bytes;
  }

  private grow(): void {
    const n = (this.mask + 1) * 2;
    const bufs = new Array<Uint8Array | undefined>(n).fill(undefined);
    const starts = new Int32Array(n);
    const ends = new Int32Array(n);
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) & this.mask;
      bufs[k] = this.bufs[i];
      starts[k] = this.starts[i];
      ends[k] = this.ends[i];
    }
    this.bufs = bufs;
    this.starts = starts;
    this.ends = ends;
    this.mask = n - 1;
    this.head = 0;
  }
}
