/** gRPC method path of OTLP logs export (opentelemetry.proto.collector.logs.v1.LogsService/Export). */
export const LOGS_EXPORT_PATH = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';

/** Identity (de)serializers: both ends work on raw protobuf bytes with logq's own codec. */
export const passThrough = (b: Buffer): Buffer => b;

/**
 * The grpc-js service definition of `LogsService` on raw bytes (both directions pass through
 * untouched; logq's codec does the protobuf work). Used by the collector's receiver and by every
 * test or benchmark server that stands in for a collector.
 */
export const LOGS_SERVICE_DEFINITION = {
  Export: {
    path: LOGS_EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: passThrough,
    requestDeserialize: passThrough,
    responseSerialize: passThrough,
    responseDeserialize: passThrough,
  },
} as const;
