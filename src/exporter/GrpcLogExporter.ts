import * as grpc from '@grpc/grpc-js';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { ProtoWriter } from '../otlp/ProtoWriter.ts';
import { decodeExportLogsResponse } from '../otlp/decode-logs.ts';
import { LOGS_EXPORT_PATH, passThrough } from '../otlp/service.ts';
import { encodeLogRecords } from './encode-records.ts';
import { DEFAULT_GRPC_ENDPOINT, parseGrpcEndpoint } from './endpoint.ts';

/** Options of {@link GrpcLogExporter}. */
export interface GrpcLogExporterOptions {
  /**
   * OTLP/gRPC endpoint.
   * @default OTEL_EXPORTER_OTLP_LOGS_ENDPOINT ?? OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://localhost:4317'
   */
  endpoint?: string;
  /** Metadata sent with every call (e.g. `{ authorization: 'Bearer …' }`). @default {} */
  headers?: Record<string, string>;
  /** Deadline of one export, retries included, in ms. @default 10000 */
  timeoutMillis?: number;
}

/** gRPC status codes the OTLP spec calls retryable. */
const RETRYABLE = new Set([
  grpc.status.CANCELLED,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.ABORTED,
  grpc.status.OUT_OF_RANGE,
  grpc.status.UNAVAILABLE,
  grpc.status.DATA_LOSS,
]);

/**
 * logq's OTLP/gRPC log exporter: encodes records with logq's own codec into one reused buffer and
 * calls `LogsService/Export` on one long-lived grpc-js channel. Failed calls with retryable codes
 * are retried with exponential backoff and jitter until the export deadline.
 */
export class GrpcLogExporter implements LogRecordExporter {
  private readonly client: grpc.Client;
  private readonly metadata: grpc.Metadata;
  private readonly timeoutMillis: number;
  private readonly writer = new ProtoWriter();
  private readonly pending = new Set<Promise<void>>();
  private shutdownDone = false;
  /** The endpoint in use (for diagnostics). */
  readonly endpoint: string;

  constructor(options: GrpcLogExporterOptions = {}) {
    this.endpoint =
      options.endpoint ??
      process.env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT ??
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT ??
      DEFAULT_GRPC_ENDPOINT;
    const target = parseGrpcEndpoint(this.endpoint);
    const credentials = target.secure ? grpc.credentials.createSsl() : grpc.credentials.createInsecure();
    this.client = new grpc.Client(target.address, credentials, {
      'grpc.max_send_message_length': 64 * 1024 * 1024,
      'grpc.keepalive_time_ms': 30_000,
    });
    this.metadata = new grpc.Metadata();
    for (const [k, v] of Object.entries(options.headers ?? {})) this.metadata.set(k.toLowerCase(), v);
    this.timeoutMillis = options.timeoutMillis ?? 10_000;
  }

  export(logs: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    if (this.shutdownDone) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('exporter is shut down') });
      return;
    }
    let payload: Buffer;
    try {
      payload = encodeLogRecords(logs, this.writer);
    } catch (error) {
      resultCallback({ code: ExportResultCode.FAILED, error: error as Error });
      return;
    }
    const p = this.send(payload).then(
      () => resultCallback({ code: ExportResultCode.SUCCESS }),
      (error: Error) => resultCallback({ code: ExportResultCode.FAILED, error }),
    );
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async send(payload: Buffer): Promise<void> {
    const deadline = Date.now() + this.timeoutMillis;
    let backoff = 100;
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await this.call(payload, deadline);
        const { partialSuccess } = decodeExportLogsResponse(response);
        if (partialSuccess && partialSuccess.rejectedLogRecords > 0) {
          // Never retried (OTLP spec): the server has kept what it could.
          process.emitWarning(
            `logq: collector rejected ${partialSuccess.rejectedLogRecords} log records: ${partialSuccess.errorMessage}`,
          );
        }
        return;
      } catch (error) {
        const code = (error as grpc.ServiceError).code;
        const wait = backoff * (0.5 + Math.random());
        if (!RETRYABLE.has(code) || Date.now() + wait >= deadline) throw error;
        await new Promise((r) => setTimeout(r, wait).unref());
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
  }

  private call(payload: Buffer, deadline: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        LOGS_EXPORT_PATH,
        passThrough,
        passThrough,
        payload,
        this.metadata,
        { deadline },
        (err, value) => (err ? reject(err) : resolve(value ?? Buffer.alloc(0))),
      );
    });
  }

  /** Resolves once every export in flight has finished. */
  async forceFlush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  /** Waits for exports in flight, then closes the channel. Safe to call twice. */
  async shutdown(): Promise<void> {
    if (this.shutdownDone) return;
    this.shutdownDone = true;
    await this.forceFlush();
    this.client.close();
  }
}
