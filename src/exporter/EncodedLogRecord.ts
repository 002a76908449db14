import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';

/**
 * A log record already encoded as OTLP bytes (`ScopeLogs.log_records`, tag and length included):
 * bytes `start`..`end` of `buf`. What the queue holds instead of the record object when logq's own
 * exporter is in use (see PreEncodeProcessor).
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
