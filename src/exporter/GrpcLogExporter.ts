import * as grpc from '@grpc/grpc-js';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { describeError } from '../otlp/describe-error.ts';
import { ProtoWriter } from '../otlp/ProtoWriter.ts';
import { decodeExportLogsResponse } from '../otlp/decode-logs.ts';
import { LOGS_EXPORT_PATH, passThrough } from '../otlp/service.ts';
import { encodeLogRecords, encodeLogRecordsFramable, encodeLogRecordsView } from './encode-records.ts';
import { installFramingInPlace } from './grpc-framing.ts';
import { EncodedLogRecord } from './EncodedLogRecord.ts';
import { encodedBytes } from './PreEncodeProcessor.ts';
import { splitForRequests } from './split-request.ts';
import { DEFAULT_GRPC_ENDPOINT, parseGrpcEndpoint } from './endpoint.ts';
import { resolveCompression, resolveHeaders, resolveRootCerts, resolveTimeout, type Warn } from './exporter-config.ts';
import { retryDelay } from './retry-policy.ts';

/** What the exporter tells {@link GrpcLogExporterOptions.onRetry} before waiting to retry. */
export interface RetryEvent {
  /** The attempt that failed (1 = the first call). */
  attempt: number;
  /** gRPC status code of the failure. */
  code: number;
  /** How long the exporter waits before the next attempt, in ms. */
  delayMs: number;
  /** True when the delay came from the server's RetryInfo. */
  fromServer: boolean;
}

/** Options of {@link GrpcLogExporter}. */
export interface GrpcLogExporterOptions {
  /**
   * OTLP/gRPC endpoint; `https://` means TLS.
   * @default OTEL_EXPORTER_OTLP_LOGS_ENDPOINT ?? OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://localhost:4317'
   */
  endpoint?: string;
  /** Metadata sent with every call (e.g. `{ authorization: 'Bearer …' }`); wins over the env. @default OTEL_EXPORTER_OTLP_(LOGS_)HEADERS */
  headers?: Record<string, string>;
  /** Deadline of one export, retries included, in ms. @default OTEL_EXPORTER_OTLP_(LOGS_)TIMEOUT ?? 10000 */
  timeoutMillis?: number;
  /** Request compression. @default OTEL_EXPORTER_OTLP_(LOGS_)COMPRESSION ?? 'none' */
  compression?: 'gzip' | 'none';
  /** CA certificates (PEM) trusted for an https endpoint. @default OTEL_EXPORTER_OTLP_(LOGS_)CERTIFICATE file, else the system CAs */
  rootCertificates?: string | Buffer;
  /** First retry backoff, in ms (doubles per attempt, with jitter). @default 100 */
  initialBackoffMillis?: number;
  /** Largest retry backoff, in ms. @default 5000 */
  maxBackoffMillis?: number;
  /** Diagnostics: called before each retry wait. @default none */
  onRetry?: (event: RetryEvent) => void;
  /**
   * Largest request sent: a batch that encodes to more is sent as several requests (in order),
   * since a collector refuses an oversized request whole. @default 4 MiB (gRPC's usual receive limit)
   */
  maxRequestBytes?: number;
  /**
   * Let grpc-js frame each request in the exporter's own buffer instead of a new copy (~0.9 MB per
   * 8192-record export; see `grpc-framing.ts`). Other grpc-js clients of the app are unaffected
   * either way. @default true
   */
  frameInPlace?: boolean;
}

/** Counters of the exporter. */
export interface GrpcExporterStats {
  /** Records the collector accepted. */
  exported: number;
  /** Records of exports that failed for good. */
  failed: number;
  /** Records the collector rejected in a partial success (never retried). */
  rejected: number;
  /** Retry attempts made. */
  retries: number;
  /** Batches sent as several requests (over {@link GrpcLogExporterOptions.maxRequestBytes}). */
  splitBatches: number;
}

const warn: Warn = (m) => process.emitWarning(m, 'LogqConfigWarning');

/** Encoding buffers kept between exports (more calls in flight than this allocate their own). */
const SPARE_WRITERS = 2;

/**
 * logq's OTLP/gRPC log exporter: encodes records with logq's own codec into one reused buffer and
 * calls `LogsService/Export` on one long-lived grpc-js channel. Per the OTLP spec: retryable codes
 * are retried with exponential backoff and jitter until the export deadline, honouring the
 * server's RetryInfo; a partial success is final. The channel reconnects by itself after the
 * collector restarts (reconnect backoff capped at 5 s so recovery is prompt).
 */
export class GrpcLogExporter implements LogRecordExporter {
  private readonly client: grpc.Client;
  private readonly metadata: grpc.Metadata;
  private readonly timeoutMillis: number;
  private readonly initialBackoff: number;
  private readonly maxBackoff: number;
  private readonly onRetry: ((e: RetryEvent) => void) | undefined;
  private readonly maxRequestBytes: number;
  /** True when grpc-js frames this exporter's requests in place (see {@link GrpcLogExporterOptions.frameInPlace}). */
  readonly framesInPlace: boolean;
  /**
   * Writers not in use. Each export encodes into a writer of its own and sends the writer's bytes
   * as they are (no copy of the ~0.5 MB payload per batch); the writer comes back here once the
   * call (retries included) is over. At most {@link SPARE_WRITERS} are kept.
   */
  private readonly spareWriters: ProtoWriter[] = [];
  private readonly pending = new Set<Promise<void>>();
  private shutdownDone = false;
  /** The endpoint in use (for diagnostics). */
  readonly endpoint: string;
  /** Counters (exported, failed, rejected, retries). */
  readonly stats: GrpcExporterStats = { exported: 0, failed: 0, rejected: 0, retries: 0, splitBatches: 0 };

  constructor(options: GrpcLogExporterOptions = {}, env: NodeJS.ProcessEnv = process.env) {
    this.endpoint = options.endpoint ?? env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT ?? DEFAULT_GRPC_ENDPOINT;
    const target = parseGrpcEndpoint(this.endpoint);
    const credentials = target.secure
      ? grpc.credentials.createSsl(resolveRootCerts(options.rootCertificates, env, warn) ?? null)
      : grpc.credentials.createInsecure();
    const channelOptions: grpc.ChannelOptions = {
      'grpc.max_send_message_length': 64 * 1024 * 1024,
      'grpc.keepalive_time_ms': 30_000,
      // grpc-js defaults to 1 s growing to 120 s: a collector back after a restart would wait minutes.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 5_000,
      // No service config from DNS TXT records: retries follow the OTLP spec (send()), and a
      // published hedging policy would send every batch more than once, in parallel; with requests
      // framed in place, a cancelled hedge could still be sending from a writer already reused.
      'grpc.service_config_disable_resolution': 1,
    };
    const gzip = resolveCompression(options.compression, env, warn) === 'gzip';
    if (gzip) channelOptions['grpc.default_compression_algorithm'] = 2; // gzip
    this.client = new grpc.Client(target.address, credentials, channelOptions);
    this.metadata = new grpc.Metadata();
    for (const [k, v] of Object.entries(resolveHeaders(options.headers, env, warn))) this.metadata.set(k, v);
    this.timeoutMillis = resolveTimeout(options.timeoutMillis, env, warn);
    this.initialBackoff = options.initialBackoffMillis ?? 100;
    this.maxBackoff = options.maxBackoffMillis ?? 5_000;
    this.onRetry = options.onRetry;
    this.maxRequestBytes = options.maxRequestBytes ?? 4 * 1024 * 1024;
    // gzip compresses into a new buffer anyway: nothing to frame in place.
    this.framesInPlace = options.frameInPlace !== false && !gzip && installFramingInPlace();
  }

  /** True while {@link exportEncodable} exports the encodable rest of a batch (no third try). */
  private salvaging = false;

  export(logs: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    if (this.shutdownDone) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('exporter is shut down') });
      return;
    }
    const count = logs.length;
    // Records queued as their bytes tell their size: a batch over the limit goes in parts at once.
    const bytes = count > 1 ? encodedBytes(logs) : 0;
    if (bytes > this.maxRequestBytes) {
      this.exportInParts(logs, resultCallback);
      return;
    }
    // A new writer (more calls in flight than spares) starts at the batch's size: growing one by
    // doubling from 64 KiB would allocate and copy about as much again.
    const writer = this.spareWriters.pop() ?? new ProtoWriter(bytes + 64 * 1024);
    let payload: Buffer;
    try {
      // The writer's own bytes: the writer stays with this call until it is over (retries included).
      payload = this.framesInPlace ? encodeLogRecordsFramable(logs, writer) : encodeLogRecordsView(logs, writer);
    } catch (error) {
      this.releaseWriter(writer);
      this.exportEncodable(logs, error, resultCallback);
      return;
    }
    if (payload.length > this.maxRequestBytes && count > 1) {
      this.releaseWriter(writer);
      this.exportInParts(logs, resultCallback);
      return;
    }
    // From here on only the count is kept, not the records: they can be collected while the call
    // is in flight instead of surviving (and being promoted by) the scavenges of a round trip.
    const sent = this.send(payload);
    // Framed in place, the request is sent from the writer's own memory (node:http2 does not copy),
    // so the writer is reused only after a success. That assumes what OTLP servers do (logq's
    // collector included): answer a unary call once they have read the whole request, so every byte
    // has left the process. grpc-js reports OK without waiting for its own write callbacks; a server
    // answering OK early would get the rest of that finished stream from the next batch's bytes.
    // After a failure (a deadline, a reset stream, flow control never reopened) part of the request
    // may still sit in the HTTP/2 session's queue: the writer is left to the GC.
    void sent.then(
      () => this.releaseWriter(writer),
      () => undefined,
    );
    const p = sent.then(
      (rejected) => {
        this.stats.rejected += rejected;
        this.stats.exported += count - rejected;
        resultCallback({ code: ExportResultCode.SUCCESS });
      },
      (error: Error) => {
        this.stats.failed += count;
        resultCallback({ code: ExportResultCode.FAILED, error });
      },
    );
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /**
   * Sends a batch too large for one request as several, in order; each is retried on its own. The
   * parts are encoded before this returns (the caller may reuse the records' buffers then). A
   * failure reports how many records failed (`failedRecords` on the error; PipelinedLogExporter
   * counts those, not the whole batch).
   */
  private exportInParts(logs: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    const parts: ({ payload: Buffer; count: number } | undefined)[] = [];
    try {
      for (const part of splitForRequests(logs, this.maxRequestBytes)) this.encodePart(part, parts);
    } catch (error) {
      this.exportEncodable(logs, error, resultCallback);
      return;
    }
    if (parts.length > 1) this.stats.splitBatches++;
    const total = logs.length;
    // One deadline for the whole batch, as for a batch sent in one request.
    const deadline = Date.now() + this.timeoutMillis;
    const p = (async () => {
      let failed = 0;
      let firstError: Error | undefined;
      for (let i = 0; i < parts.length; i++) {
        const { payload, count } = parts[i]!;
        parts[i] = undefined; // not held once sent
        try {
          const rejected = await this.send(payload, deadline);
          this.stats.rejected += rejected;
          this.stats.exported += count - rejected;
        } catch (error) {
          failed += count;
          this.stats.failed += count;
          firstError ??= error as Error;
        }
      }
      if (failed === 0) resultCallback({ code: ExportResultCode.SUCCESS });
      else {
        const error = new Error(`${failed} of ${total} log records failed (batch sent as ${parts.length} requests): ${firstError?.message}`);
        resultCallback({ code: ExportResultCode.FAILED, error: Object.assign(error, { failedRecords: failed }) });
      }
    })();
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /**
   * After encoding `logs` threw: one record that cannot be encoded (a body whose getter throws, a
   * revoked Proxy — encoded when exported, as records not encoded when emitted are) must not cost
   * its whole batch. The records that encode on their own are exported; the others are counted as
   * failed and reported with the error (`failedRecords`). If no single record is to blame, or none
   * encodes, or this is already such a second try, the batch fails as a whole.
   */
  private exportEncodable(logs: ReadableLogRecord[], thrown: unknown, resultCallback: (result: ExportResult) => void): void {
    // Anything may be thrown by a getter (`throw null`): the result carries an Error.
    const described = describeError(thrown);
    const error = thrown instanceof Error ? thrown : new Error(described);
    const good = this.salvaging ? logs : encodableRecords(logs);
    const bad = logs.length - good.length;
    if (bad === 0 || good.length === 0) {
      this.stats.failed += logs.length;
      resultCallback({ code: ExportResultCode.FAILED, error });
      return;
    }
    this.stats.failed += bad;
    const reason = `${bad} of ${logs.length} log records could not be encoded and were dropped (${described}); the other ${good.length} were exported without them`;
    this.salvaging = true;
    try {
      this.export(good, (result) => {
        const failed = result.code === ExportResultCode.SUCCESS ? 0 : ((result.error as { failedRecords?: number } | undefined)?.failedRecords ?? good.length);
        const message = failed === 0 ? reason : `${reason}, and ${failed} of those failed: ${result.error?.message}`;
        resultCallback({ code: ExportResultCode.FAILED, error: Object.assign(new Error(message), { failedRecords: bad + failed }) });
      });
    } finally {
      this.salvaging = false;
    }
  }

  /**
   * Encodes `part` into `out`; a part still over the limit once encoded (its resource and scopes
   * count too: a large resource, many loggers) is halved until each piece fits or is one record.
   */
  private encodePart(part: ReadableLogRecord[], out: ({ payload: Buffer; count: number } | undefined)[]): void {
    // A writer of its own per part, never reused: its bytes can be sent as they are (framed in place).
    const writer = new ProtoWriter(encodedBytes(part) + 64 * 1024);
    const payload = this.framesInPlace ? encodeLogRecordsFramable(part, writer) : encodeLogRecordsView(part, writer);
    if (payload.length <= this.maxRequestBytes || part.length === 1) {
      out.push({ payload, count: part.length });
      return;
    }
    const half = part.length >>> 1;
    this.encodePart(part.slice(0, half), out);
    this.encodePart(part.slice(half), out);
  }

  private releaseWriter(writer: ProtoWriter): void {
    if (this.spareWriters.length < SPARE_WRITERS) this.spareWriters.push(writer);
  }

  /** Sends one request, retrying per the spec; resolves with the number of records rejected. */
  private async send(payload: Buffer, deadline = Date.now() + this.timeoutMillis): Promise<number> {
    let backoff = this.initialBackoff;
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await this.call(payload, deadline);
        const { partialSuccess } = decodeExportLogsResponse(response);
        const rejected = partialSuccess?.rejectedLogRecords ?? 0;
        if (rejected > 0) {
          // Never retried (OTLP spec, "Partial Success"): the server has kept what it could.
          process.emitWarning(`logq: collector rejected ${rejected} log records: ${partialSuccess?.errorMessage ?? ''}`);
        }
        return Number(rejected);
      } catch (error) {
        const err = error as grpc.ServiceError;
        const next = retryDelay(err, backoff);
        if (!next || this.shutdownDone || Date.now() + next.delayMs >= deadline) throw error;
        this.stats.retries++;
        try {
          this.onRetry?.({ attempt, code: err.code, delayMs: next.delayMs, fromServer: next.fromServer });
        } catch {
          // diagnostics must not break exporting
        }
        await new Promise((r) => setTimeout(r, next.delayMs).unref());
        backoff = Math.min(backoff * 2, this.maxBackoff);
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
    await this.forceFlush();
    this.shutdownDone = true;
    this.client.close();
  }
}

/** The records of `logs` that encode on their own (records queued as their bytes always do). */
function encodableRecords(logs: ReadableLogRecord[]): ReadableLogRecord[] {
  return logs.filter((r) => {
    if (r instanceof EncodedLogRecord) return true;
    try {
      encodeLogRecords([r], new ProtoWriter(1024));
      return true;
    } catch {
      return false;
    }
  });
}
