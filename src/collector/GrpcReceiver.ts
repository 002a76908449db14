import * as grpc from '@grpc/grpc-js';
import { decodeExportLogsRequest } from '../otlp/decode-logs.ts';
import { encodeExportLogsResponse } from '../otlp/encode-response.ts';
import { encodeStatusWithRetryInfo, STATUS_DETAILS_KEY } from '../otlp/retry-info.ts';
import { LOGS_SERVICE_DEFINITION } from '../otlp/service.ts';
import type { ExportLogsPartialSuccess } from '../otlp/types.ts';
import type { Authenticator } from './Authenticator.ts';
import { LogqError } from './errors.ts';
import { addHealthService } from './grpc-health.ts';
import { requestKey, type LogsIngest, type ReceiverStats } from './ingest-logs.ts';
import { collectorLog } from './log.ts';
import type { TlsFiles } from './tls.ts';
import { widenReceiveWindows } from './grpc-window.ts';

/** Options of {@link GrpcReceiver}. */
export interface GrpcReceiverOptions {
  /** `host:port` to bind. */
  listen: string;
  /** Largest request accepted, in bytes (gRPC answers RESOURCE_EXHAUSTED beyond it). */
  maxRequestBytes: number;
  /** Bearer-token check; when enabled, calls without a valid token get UNAUTHENTICATED. */
  auth: Authenticator;
  /** TLS material; plaintext when undefined. @default undefined */
  tls?: TlsFiles;
  /** Counters shared with the other receivers. */
  stats: ReceiverStats;
  /** Retry delay for errors that carry none, in ms. */
  retryDelayMs(): number;
  /** Serving status for grpc.health.v1.Health. */
  serving(): boolean;
}

/** Maps an ingest failure to a gRPC error: backpressure and storage trouble → UNAVAILABLE + RetryInfo. */
export function grpcErrorFor(error: unknown, fallbackDelayMs: number): Partial<grpc.StatusObject> {
  const code = error instanceof LogqError ? error.code : 'LOGQ_SPOOL_FAILED';
  const details = `${code}: ${(error as Error).message}`;
  const delay = error instanceof LogqError && error.retryAfterMs !== undefined ? error.retryAfterMs : fallbackDelayMs;
  const metadata = new grpc.Metadata();
  // OTLP: UNAVAILABLE + google.rpc.RetryInfo tells the client when to retry (spec, "Throttling").
  metadata.set(STATUS_DETAILS_KEY, encodeStatusWithRetryInfo(grpc.status.UNAVAILABLE, details, delay));
  return { code: grpc.status.UNAVAILABLE, details, metadata };
}

/**
 * The OTLP/gRPC receiver: serves `LogsService/Export` and `grpc.health.v1.Health/Check`.
 * Undecodable bodies get INVALID_ARGUMENT; missing/wrong tokens UNAUTHENTICATED; backpressure,
 * spool trouble and shutdown UNAVAILABLE with a RetryInfo delay, which OTLP clients honour.
 */
export class GrpcReceiver {
  private readonly server: grpc.Server;
  private readonly options: GrpcReceiverOptions;
  /** The port actually bound (differs from the configured one when that was 0). */
  port = 0;

  constructor(ingest: LogsIngest, options: GrpcReceiverOptions) {
    this.options = options;
    this.server = new grpc.Server({ 'grpc.max_receive_message_length': options.maxRequestBytes });
    const definition: grpc.ServiceDefinition = LOGS_SERVICE_DEFINITION;
    const stats = options.stats;
    const exportCall: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
      const auth = call.metadata.get('authorization')[0];
      if (!options.auth.check(typeof auth === 'string' ? auth : auth?.toString())) {
        stats.unauthenticatedRequests++;
        callback({ code: grpc.status.UNAUTHENTICATED, details: 'LOGQ_UNAUTHENTICATED: missing or invalid bearer token (metadata "authorization: Bearer <token>")' });
        return;
      }
      let answer: Promise<ExportLogsPartialSuccess>;
      try {
        // Protobuf bytes go to the byte-level path when the ingest has one (see createLogsIngest).
        answer = ingest.protobuf ? ingest.protobuf(call.request, requestKey(call.request)) : ingest(decodeExportLogsRequest(call.request), requestKey(call.request));
      } catch (error) {
        stats.undecodableRequests++;
        callback({ code: grpc.status.INVALID_ARGUMENT, details: `LOGQ_DECODE_FAILED: not an OTLP ExportLogsServiceRequest: ${(error as Error).message}` });
        return;
      }
      answer.then(
        (partial) => callback(null, encodeExportLogsResponse(partial)),
        (error: unknown) => {
          if (!(error instanceof LogqError) || error.code === 'LOGQ_SPOOL_FAILED') collectorLog('warn', 'export failed', { error });
          callback(grpcErrorFor(error, options.retryDelayMs()));
        },
      );
    };
    this.server.addService(definition, { Export: exportCall });
    addHealthService(this.server, options.serving);
  }

  /** Binds the listen address. */
  start(): Promise<void> {
    const t = this.options.tls;
    const creds = t
      ? grpc.ServerCredentials.createSsl(t.clientCa ?? null, [{ private_key: t.key, cert_chain: t.cert }], t.clientCa !== undefined)
      : grpc.ServerCredentials.createInsecure();
    return new Promise((resolve, reject) => {
      this.server.bindAsync(this.options.listen, creds, (err, port) => {
        if (err) return reject(err);
        this.port = port;
        if (!widenReceiveWindows(this.server)) collectorLog('warn', 'cannot widen the HTTP/2 receive windows of the gRPC port (grpc-js internals changed); exports need more round trips');
        resolve();
      });
    });
  }

  /** Stops accepting calls and resolves once the calls in flight have been answered. */
  stop(graceMs = 30_000): Promise<void> {
    return new Promise((resolve) => {
      const force = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      force.unref();
      this.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }
}
