import type { LogRecordProcessor, ReadableLogRecord, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { recordToJson, safeJson } from '../exporters/format-record.ts';
import { levelSeverity, type LevelName } from '../levels.ts';

/** Options of {@link NotifyProcessor}: give `notify`, `webhookUrl`, or both. */
export interface NotifyProcessorOptions {
  /** Called with each notified record (its JSON form). Errors it throws or rejects with are counted. */
  notify?: (record: Record<string, unknown>) => void | Promise<void>;
  /** POSTs each notified record as JSON to this URL. */
  webhookUrl?: string;
  /** Lowest level notified. @default 'error' */
  minLevel?: LevelName;
  /** Notifications allowed per `intervalMs`; the rest are counted as suppressed. @default 10 */
  maxPerInterval?: number;
  /** Rate-limit window, in ms. @default 60000 */
  intervalMs?: number;
  /** Timeout of one webhook POST, in ms. @default 5000 */
  timeoutMillis?: number;
}

/**
 * Django's `AdminEmailHandler` role: ERROR+ records call a function and/or POST to a webhook,
 * rate-limited (a fixed window) so an error storm cannot become a notification storm. Runs after
 * redaction when installed by {@link registerLogging}, so secrets are not sent.
 */
export class NotifyProcessor implements LogRecordProcessor {
  private readonly options: NotifyProcessorOptions;
  private readonly minSeverity: number;
  private readonly max: number;
  private readonly interval: number;
  private windowStart = 0;
  private inWindow = 0;
  private readonly pending = new Set<Promise<void>>();
  /** Counters: notifications sent, suppressed by the rate limit, and failed. */
  readonly stats = { sent: 0, suppressed: 0, failed: 0 };

  constructor(options: NotifyProcessorOptions) {
    if (!options?.notify && !options?.webhookUrl) throw new Error('NotifyProcessor: give "notify" (a function) or "webhookUrl" (an http(s) URL)');
    if (options.webhookUrl) new URL(options.webhookUrl); // throws a clear "Invalid URL" early
    this.options = options;
    this.minSeverity = levelSeverity(options.minLevel ?? 'error') ?? 17;
    this.max = options.maxPerInterval ?? 10;
    this.interval = options.intervalMs ?? 60_000;
  }

  onEmit(record: ReadWriteLogRecord): void {
    if ((record.severityNumber ?? 0) < this.minSeverity) return;
    const now = Date.now();
    if (now - this.windowStart >= this.interval) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    if (this.inWindow >= this.max) {
      this.stats.suppressed++;
      return;
    }
    this.inWindow++;
    const p = this.send(recordToJson(record as ReadableLogRecord)).then(
      () => void this.stats.sent++,
      () => void this.stats.failed++,
    );
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async send(payload: Record<string, unknown>): Promise<void> {
    const { notify, webhookUrl } = this.options;
    if (notify) await notify(payload);
    if (webhookUrl) {
      const res = await fetch(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: safeJson(payload),
        signal: AbortSignal.timeout(this.options.timeoutMillis ?? 5000),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) throw new Error(`webhook answered ${res.status}`);
    }
  }

  async forceFlush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  shutdown(): Promise<void> {
    return this.forceFlush();
  }
}
