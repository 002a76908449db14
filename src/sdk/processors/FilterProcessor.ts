import type { Context } from '@opentelemetry/api';
import type { LogRecordProcessor, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';

/** Decides whether a record goes on (Django's `CallbackFilter`): return false to drop it. */
export type LogFilter = (record: ReadWriteLogRecord) => boolean;

/**
 * Passes a record to the processors after it only when `filter` returns true. A filter that
 * throws lets the record through (a broken filter must not lose logs silently or break the app).
 * OTel runs sibling processors independently, so a filter wraps the processors it guards.
 */
export class FilterProcessor implements LogRecordProcessor {
  private readonly filter: LogFilter;
  private readonly next: LogRecordProcessor[];
  /** Records the filter dropped. */
  filtered = 0;

  constructor(filter: LogFilter, next: LogRecordProcessor[]) {
    this.filter = filter;
    this.next = next;
  }

  onEmit(record: ReadWriteLogRecord, context?: Context): void {
    let keep = true;
    try {
      keep = this.filter(record) !== false;
    } catch {
      keep = true;
    }
    if (!keep) {
      this.filtered++;
      return;
    }
    for (const p of this.next) p.onEmit(record, context);
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.next.map((p) => p.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.next.map((p) => p.shutdown()));
  }
}
