import { InMemoryLogRecordExporter, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { registerLogging, type LoggingHandle, type RegisterLoggingOptions } from '../../src/sdk/register.ts';

/**
 * registerLogging with the OTel SDK's own in-memory exporter in place of gRPC (a real SDK
 * component, not a mock), no exit hooks, and a short batch delay.
 */
export function registerInMemory(options: RegisterLoggingOptions = {}): LoggingHandle & {
  exporter: InMemoryLogRecordExporter;
  records(): Promise<ReadableLogRecord[]>;
} {
  const exporter = new InMemoryLogRecordExporter();
  const handle = registerLogging({ exporter, flushOnExit: false, batch: { scheduledDelayMillis: 10 }, ...options });
  return Object.assign(handle, {
    exporter,
    async records() {
      await handle.forceFlush();
      return exporter.getFinishedLogRecords();
    },
  });
}
