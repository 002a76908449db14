import * as grpc from '@grpc/grpc-js';
import { decodeExportLogsRequest } from '../otlp/decode-logs.ts';
import { encodeExportLogsResponse } from '../otlp/encode-response.ts';
import { ProtoDecodeError } from '../otlp/ProtoReader.ts';
import { LOGS_EXPORT_PATH, passThrough } from '../otlp/service.ts';
import type { ExportLogsRequestData } from '../otlp/types.ts';
import { LogqError } from './errors.ts';
import { collectorLog } from './log.ts';

/** What the receiver hands a decoded request to; resolves once the records are stored. */
export type ExportHandler = (request: ExportLogsRequestData) => Promise<void>;

/** Options of {@link GrpcReceiver}. */
export interface GrpcReceiverOptions {
  /** `host:port` to bind. */
  listen: string;
  /** Largest request accepted, in bytes (gRPC answers RESOURCE_EXHAUSTED beyond it). */
  maxRequestBytes: number;
}

/**
 * The OTLP/gRPC receiver: serves `LogsService/Export`. Undecodable bodies get INVALID_ARGUMENT;
 * storage trouble, overload and shutdown get UNAVAILABLE, which OTLP clients retry.
 */
export class GrpcReceiver {
  private readonly server: grpc.Server;
  private readonly options: GrpcReceiverOptions;
  /** The port actually bound (differs from the configured one when that was 0). */
  port = 0;

  constructor(handler: ExportHandler, options: GrpcReceiverOptions) {
    this.options = options;
    this.server = new grpc.Server({
      'grpc.max_receive_message_length': options.maxRequestBytes,
    });
    const definition: grpc.ServiceDefinition = {
      Export: {
        path: LOGS_EXPORT_PATH,
        requestStream: false,
        responseStream: false,
        requestSerialize: passThrough,
        requestDeserialize: passThrough,
        responseSerialize: passThrough,
        responseDeserialize: passThrough,
      },
    };
    const exportCall: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
      let request: ExportLogsRequestData;
      try {
        request = decodeExportLogsRequest(call.request);
      } catch (error) {
        const message = error instanceof ProtoDecodeError ? error.message : String(error);
        callback({ code: grpc.status.INVALID_ARGUMENT, details: `LOGQ_DECODE_FAILED: not an OTLP ExportLogsServiceRequest: ${message}` });
        return;
      }
      collectorLog('debug', 'export received', { resourceLogs: request.resourceLogs.length });
      handler(request).then(
        () => callback(null, encodeExportLogsResponse()),
        (error: unknown) => {
          const code = error instanceof LogqError ? error.code : 'LOGQ_STORAGE_FAILED';
          if (code === 'LOGQ_STORAGE_FAILED') collectorLog('warn', 'export failed', { error });
          callback({ code: grpc.status.UNAVAILABLE, details: `${code}: ${(error as Error).message}` });
        },
      );
    };
    this.server.addService(definition, { Export: exportCall });
  }

  /** Binds the listen address. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.bindAsync(this.options.listen, grpc.ServerCredentials.createInsecure(), (err, port) => {
        if (err) return reject(err);
        this.port = port;
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
