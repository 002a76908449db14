import type { AnyValue } from '@opentelemetry/api';
import type { LogRecordProcessor, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { Redactor, type RedactOptions } from './redact.ts';

/**
 * Replaces secrets with `[REDACTED]` before anything leaves the process: attributes whose key
 * names a secret (password, token, authorization, cookie, …, at any nesting level), and values
 * that look like card numbers, bearer tokens or private keys — in attributes (nested maps and
 * arrays included) and in string bodies. On by default in {@link registerLogging}.
 */
export class RedactionProcessor implements LogRecordProcessor {
  readonly redactor: Redactor;

  constructor(options: RedactOptions = {}) {
    this.redactor = new Redactor(options);
  }

  onEmit(record: ReadWriteLogRecord): void {
    const r = this.redactor;
    try {
      if (typeof record.body === 'string') {
        const body = r.redactString(record.body);
        if (body !== record.body) record.setBody(body);
      } else if (record.body !== undefined && record.body !== null && typeof record.body === 'object') {
        record.setBody(r.redactValue(record.body));
      }
      const attrs = record.attributes;
      for (const key in attrs) {
        const value = attrs[key] as AnyValue;
        if (value !== null && typeof value === 'object' && !r.isSecretKey(key)) {
          const clean = r.redactValue(value);
          if (clean !== value && JSON.stringify(clean) !== JSON.stringify(value)) record.setAttribute(key, clean);
        } else {
          const clean = r.redactScalar(key, value);
          if (clean !== value) record.setAttribute(key, clean as AnyValue);
        }
      }
    } catch {
      // Never break the log call; the worst case is an unredacted nested value, so drop the body.
      record.setBody('[redaction failed]');
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
