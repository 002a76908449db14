import type { GuardStats, RecordLimits } from './limit-rows.ts';
import type { NativeByteWriter } from './NativeByteWriter.ts';
import type { WireValues } from './WireValues.ts';
import type { SecretKeyCache } from './wire-text.ts';

const SERVICE_NAME = Buffer.from('service.name', 'latin1');

/**
 * The attribute maps of a request in flat typed arrays, keys and values as {@link WireValues}
 * references (keys always as request bytes): map i owns entries [ends[i-1], ends[i]). The byte
 * twin of FlatMaps in request-native.ts: a repeated key keeps its first position and its last
 * value, then the first `maxAttributes` keys are kept, long values cut and secrets redacted.
 * One map is open at a time: {@link add} appends to it, {@link close} applies the limits,
 * {@link discard} drops it.
 */
export class WireMaps {
  private keyS = new Int32Array(256);
  private keyE = new Int32Array(256);
  private valS = new Int32Array(256);
  private valE = new Int32Array(256);
  private count = 0;
  private ends = new Int32Array(64);
  private maps = 0;
  /** Key (as latin1 text of its bytes) → entry, for a map past 32 keys. */
  private index: Map<string, number> | undefined;
  private readonly values: WireValues;
  private readonly src: Uint8Array;

  constructor(values: WireValues) {
    this.values = values;
    this.src = values.src;
  }

  private get start(): number {
    return this.maps ? this.ends[this.maps - 1] : 0;
  }

  /** Adds key [ks, ke) (bytes that round-trip) with value reference (vs, ve) to the open map. */
  add(ks: number, ke: number, vs: number, ve: number): void {
    const src = this.src;
    const start = this.start;
    let at = -1;
    if (this.index) at = this.index.get(latin1(src, ks, ke)) ?? -1;
    else {
      const len = ke - ks;
      for (let k = start; k < this.count; k++) {
        const s = this.keyS[k];
        if (this.keyE[k] - s !== len) continue;
        let i = 0;
        while (i < len && src[s + i] === src[ks + i]) i++;
        if (i === len) at = k;
      }
    }
    if (at < 0) {
      at = this.count++;
      if (at === this.keyS.length) this.grow();
      this.keyS[at] = ks;
      this.keyE[at] = ke;
      if (this.index) this.index.set(latin1(src, ks, ke), at);
      else if (this.count - start > 32) {
        this.index = new Map();
        for (let k = start; k < this.count; k++) this.index.set(latin1(src, this.keyS[k], this.keyE[k]), k);
      }
    }
    this.valS[at] = vs;
    this.valE[at] = ve;
  }

  /** The value of `service.name` in the open map before limits, as (start, end), or undefined. */
  serviceName(): [number, number] | undefined {
    const src = this.src;
    for (let k = this.start; k < this.count; k++) {
      const s = this.keyS[k];
      if (this.keyE[k] - s !== SERVICE_NAME.length) continue;
      let i = 0;
      while (i < SERVICE_NAME.length && src[s + i] === SERVICE_NAME[i]) i++;
      if (i === SERVICE_NAME.length) return [this.valS[k], this.valE[k]];
    }
    return undefined;
  }

  /** Drops the open map. */
  discard(): void {
    this.count = this.start;
    this.index = undefined;
  }

  /** Applies the limits and redaction to the open map and closes it. */
  close(limits: RecordLimits, stats: GuardStats, secrets: SecretKeyCache): void {
    const start = this.start;
    this.index = undefined;
    if (this.count - start > limits.maxAttributes) {
      stats.droppedAttributes += this.count - start - limits.maxAttributes;
      this.count = start + limits.maxAttributes;
    }
    const { values, src } = this;
    const max = limits.maxAttributeValueLength;
    const redact = limits.redact;
    for (let k = start; k < this.count; k++) {
      const secret = redact && secrets.isSecret(src, this.keyS[k], this.keyE[k]);
      this.valS[k] = values.limit(this.valS[k], this.valE[k], max, redact, secret, stats);
    }
    if (this.maps === this.ends.length) {
      const next = new Int32Array(this.ends.length * 2);
      next.set(this.ends);
      this.ends = next;
    }
    this.ends[this.maps++] = this.count;
  }

  /** Writes a Map(String, String) column whose row r holds map `which[r]` (map r without `which`), for `rows` rows. */
  write(out: NativeByteWriter, rows: number, which: Int32Array | undefined): void {
    const ends = this.ends;
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const m = which ? which[r] : r;
      total += ends[m] - (m ? ends[m - 1] : 0);
      out.u32pair(total % 4294967296, Math.floor(total / 4294967296));
    }
    for (let r = 0; r < rows; r++) this.writeKeys(out, which ? which[r] : r);
    for (let r = 0; r < rows; r++) this.writeValues(out, which ? which[r] : r);
  }

  private writeKeys(out: NativeByteWriter, m: number): void {
    const { src, keyS, keyE, ends } = this;
    for (let k = m ? ends[m - 1] : 0; k < ends[m]; k++) out.stringBytes(src, keyS[k], keyE[k]);
  }

  private writeValues(out: NativeByteWriter, m: number): void {
    const { valS, valE, ends, values } = this;
    for (let k = m ? ends[m - 1] : 0; k < ends[m]; k++) values.write(out, valS[k], valE[k]);
  }

  private grow(): void {
    const n = this.keyS.length * 2;
    for (const name of ['keyS', 'keyE', 'valS', 'valE'] as const) {
      const next = new Int32Array(n);
      next.set(this[name]);
      this[name] = next;
    }
  }
}

function latin1(src: Uint8Array, s: number, e: number): string {
  return Buffer.from(src.buffer, src.byteOffset + s, e - s).toString('latin1');
}
