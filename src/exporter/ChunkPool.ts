/**
 * The buffers {@link PreEncodeProcessor} encodes records into ("chunks"), reused once every record
 * written to one has left the process or been dropped.
 *
 * Why: a chunk lives from its first record to the export of its last (~0.2–0.4 s at the default
 * 200 ms schedule), so it outlives a young-generation collection and is promoted; V8 frees a
 * promoted ArrayBuffer only in a full mark-compact, and counts its bytes towards the limit that
 * starts one. At 200k records/s (~22 MB/s of chunks) that meant a mark-compact every ~190 ms
 * (bench/app-export child with `--trace-gc`: 22–23 in 5 s), ~0.45 µs/record of V8 worker CPU and
 * a loop delay p99 of 9–10 ms. Reusing the chunks: 1 mark-compact in 5 s, 0.07 µs/record of
 * worker CPU, p99 6.2 ms (ad-hoc A/B, 2 pairs: 2.01–2.10 → 1.50–1.61 µs/record in all).
 *
 * A chunk is reused only when it is sealed (the encoder moved on to another) and every byte of
 * queued records written to it was given back: exported (the exporter copies the bytes into its
 * request within its `export` call) or dropped. Bytes never given back (a bug path that discards
 * the queue, see {@link abandon}) only mean the chunk is left to the GC, never reused early.
 */
export class ChunkPool {
  private readonly chunkBytes: number;
  private readonly maxFree: number;
  private readonly free: Uint8Array[] = [];
  /** Sealed chunks with bytes still held, by buffer. */
  private readonly sealed = new Map<Uint8Array, { held: number }>();
  private current: Uint8Array | undefined;
  private currentHeld = 0;
  /** Chunks handed out again (diagnostics and tests). */
  reused = 0;

  /** `maxFree` bounds the idle chunks kept (the rest go to the GC). */
  constructor(chunkBytes: number, maxFree = 16) {
    this.chunkBytes = chunkBytes;
    this.maxFree = maxFree;
  }

  /** Idle chunks kept for reuse. */
  get idle(): number {
    return this.free.length;
  }

  /** A buffer for the next chunk (an idle one if any); the chunk before it is sealed. */
  take(): Uint8Array {
    this.seal();
    const reused = this.free.pop();
    if (reused !== undefined) this.reused++;
    const buf = reused ?? Buffer.allocUnsafeSlow(this.chunkBytes);
    this.current = buf;
    this.currentHeld = 0;
    return buf;
  }

  /** `n` bytes of a queued record were written to `buf` (ignored unless it is the current chunk). */
  hold(buf: Uint8Array, n: number): void {
    if (buf === this.current) this.currentHeld += n;
  }

  /** `n` bytes of `buf` held for a record are no longer needed (exported or dropped). */
  give(buf: Uint8Array, n: number): void {
    if (buf === this.current) {
      this.currentHeld -= n;
      return;
    }
    const s = this.sealed.get(buf);
    if (s === undefined) return;
    s.held -= n;
    if (s.held <= 0) {
      this.sealed.delete(buf);
      this.recycle(buf);
    }
  }

  /** Forgets every chunk in use: none of them is reused (their bytes were discarded without being given back). */
  abandon(): void {
    this.sealed.clear();
    this.current = undefined;
    this.currentHeld = 0;
  }

  private seal(): void {
    const buf = this.current;
    if (buf === undefined) return;
    if (this.currentHeld <= 0) this.recycle(buf);
    else this.sealed.set(buf, { held: this.currentHeld });
    this.current = undefined;
  }

  private recycle(buf: Uint8Array): void {
    if (this.free.length < this.maxFree && buf.length === this.chunkBytes) this.free.push(buf);
  }
}
