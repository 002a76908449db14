import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';

/**
 * A log record already encoded as OTLP bytes (`ScopeLogs.log_records`, tag and length included):
 * bytes `start`..`end` of `buf`. What logq's exporter gets instead of the record object when
 * records are encoded as they are logged (see PreEncodeProcessor: in registerLogging's pipeline the
 * queue itself holds shared markers, turned into these when a batch leaves it).
 */
export class EncodedLogRecord {
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly buf: Uint8Array;
  readonly start: number;
  readonly end: number;
  constructor(resource: Resource, instrumentationScope: InstrumentationScope, buf: Uint8Array, start: number, end: number) {
    this.resource = resource;
    this.instrumentationScope = instrumentationScope;
    this.buf = buf;
    this.start = start;
    this.end = end;
  }
}
