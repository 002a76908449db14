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
  constructor(resource: Resource, instrumentationScope: InstrumentationScope) {
    this.resource = resource;
    this.instrumentationScope = instrumentationScope;
  }
}

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
    this.bufs[i] = buf;
    this.starts[i] = start;
    this.ends[i] = end;
    this.count++;
  }

  /** Removes the range pushed last (the queue refused its marker). */
  popLast(): void {
    if (this.count === 0) return;
    this.count--;
    this.bufs[(this.head + this.count) & this.mask] = undefined;
  }

  /**
   * Replaces, in place and in order, every {@link QueuedBytesMarker} of `batch` (a prefix of what
   * the queue holds, in queue order) with the {@link EncodedLogRecord} of the next range. Returns
   * the bytes handed out, or -1 (nothing replaced, every range dropped) if the batch has more
   * markers than ranges wait: then the order is lost, and guessing would ship a record's bytes
   * under another's scope.
   */
  materialize(batch: unknown[]): number {
    let markers = 0;
    for (let i = 0; i < batch.length; i++) if (batch[i] instanceof QueuedBytesMarker) markers++;
    if (markers > this.count) {
      this.clear();
      return -1;
    }
    let bytes = 0;
    for (let i = 0; i < batch.length; i++) {
      const m = batch[i];
      if (!(m instanceof QueuedBytesMarker)) continue;
      const h = this.head;
      const start = this.starts[h];
      const end = this.ends[h];
      batch[i] = new EncodedLogRecord(m.resource, m.instrumentationScope, this.bufs[h]!, start, end);
      bytes += end - start;
      this.bufs[h] = undefined;
      this.head = (h + 1) & this.mask;
      this.count--;
    }
    return bytes;
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
