import type { Attributes } from '@opentelemetry/api';
import type { LogRecordProcessor, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';

/**
 * The attribute hand-off between logq's logger façade and logq's own LoggerProvider.
 *
 * The SDK's `LogRecordImpl` copies the attributes given to `Logger.emit` one by one through
 * `setAttribute` (key check, a recursive `isAnyValue` with a fresh WeakSet per value, a deep copy
 * of each value): ~12% of the SDK path in `node --cpu-prof bench/app-breakdown.ts`. The façade
 * already builds a fresh, flat attribute object per call, so when the record goes to the provider
 * that `registerLogging` installed, the façade emits it without attributes and parks its object
 * here; {@link IntakeProcessor} (the first processor of that provider, so filters and every other
 * processor see the attributes) adopts it as the record's attribute map. The SDK's own rules still
 * decide whenever the object is not trivially valid (a non-scalar value, an empty key, more keys
 * than the count limit): then the attributes go through `setAttributes` as before.
 */
let pending: Attributes | undefined;
let installed = false;

/** Whether records of logq's loggers go to a provider whose first processor is an {@link IntakeProcessor}. */
export function intakeInstalled(): boolean {
  return installed;
}

/** Set by registerLogging when its provider (with an IntakeProcessor first) becomes the global one, cleared at shutdown. */
export function setIntakeInstalled(on: boolean): void {
  installed = on;
  pending = undefined;
}

/** Parks the attributes of the record the caller is about to emit (synchronously). */
export function handOff(attributes: Attributes | undefined): void {
  pending = attributes;
}

/** The LogRecordImpl fields the adoption writes (sdk-logs 3.x); checked before use. */
interface RecordInternals {
  attributes: Attributes;
  _attributesCount: number;
}

/**
 * Makes `attributes` the record's attribute map when every value is a scalar (string, number,
 * boolean, null), no key is empty and there are at most `countLimit` keys — exactly the cases in
 * which `setAttributes` would store the same values unchanged (no value-length limit in force).
 * Otherwise the SDK's `setAttributes` handles them (validation, copies, dropped-count).
 */
export function adoptAttributes(record: ReadWriteLogRecord, attributes: Attributes, countLimit: number): void {
  const impl = record as unknown as RecordInternals;
  let n = 0;
  let simple = impl._attributesCount === 0 && typeof impl.attributes === 'object';
  if (simple) {
    for (const key in attributes) {
      const v = attributes[key];
      const t = typeof v;
      if ((t !== 'string' && t !== 'number' && t !== 'boolean' && v !== null) || key.length === 0 || ++n > countLimit) {
        simple = false;
        break;
      }
    }
  }
  if (simple) {
    impl.attributes = attributes;
    impl._attributesCount = n;
  } else {
    record.setAttributes(attributes);
  }
}

/**
 * First processor of the provider registerLogging builds: adopts the attributes the façade
 * handed off for this record, and counts the record as emitted (`stats().emitted`) when it is
 * given the counters (i.e. when no filter stands between it and the pipeline).
 */
export class IntakeProcessor implements LogRecordProcessor {
  private readonly countLimit: number;
  private readonly counts: { emitted: number } | undefined;

  constructor(countLimit: number, counts?: { emitted: number }) {
    this.countLimit = countLimit;
    this.counts = counts;
  }

  onEmit(record: ReadWriteLogRecord): void {
    const attributes = pending;
    if (attributes !== undefined) {
      pending = undefined;
      adoptAttributes(record, attributes, this.countLimit);
    }
    if (this.counts) this.counts.emitted++;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
