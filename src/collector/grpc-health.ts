import * as grpc from '@grpc/grpc-js';
import { ProtoReader } from '../otlp/ProtoReader.ts';
import { passThrough } from '../otlp/service.ts';

/** grpc.health.v1.HealthCheckResponse.ServingStatus values. */
const SERVING = 1;
const NOT_SERVING = 2;
const SERVICE_UNKNOWN = 3;

/** Services this server answers for ('' is the server as a whole). */
const KNOWN = new Set(['', 'opentelemetry.proto.collector.logs.v1.LogsService']);

function readService(buf: Buffer): string {
  // HealthCheckRequest { string service = 1; }
  const r = new ProtoReader(buf);
  let service = '';
  while (!r.done) {
    const t = r.tag();
    if (t === ((1 << 3) | 2)) service = r.string();
    else r.skip(t & 7);
  }
  return service;
}

/**
 * Adds the standard gRPC health service (`grpc.health.v1.Health/Check`, as grpc_health_probe and
 * Kubernetes gRPC probes call it): SERVING while `serving()` is true (storage reachable, spool
 * below its bound), NOT_SERVING otherwise. Watch is not offered (UNIMPLEMENTED).
 */
export function addHealthService(server: grpc.Server, serving: () => boolean): void {
  const check: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
    let service: string;
    try {
      service = readService(call.request);
    } catch (error) {
      callback({ code: grpc.status.INVALID_ARGUMENT, details: `not a HealthCheckRequest: ${(error as Error).message}` });
      return;
    }
    const status = !KNOWN.has(service) ? SERVICE_UNKNOWN : serving() ? SERVING : NOT_SERVING;
    if (status === SERVICE_UNKNOWN) {
      callback({ code: grpc.status.NOT_FOUND, details: `unknown service "${service}"` });
      return;
    }
    callback(null, Buffer.from([0x08, status]));
  };
  server.addService(
    {
      Check: {
        path: '/grpc.health.v1.Health/Check',
        requestStream: false,
        responseStream: false,
        requestSerialize: passThrough,
        requestDeserialize: passThrough,
        responseSerialize: passThrough,
        responseDeserialize: passThrough,
      },
    },
    { Check: check },
  );
}
