/** gRPC method path of OTLP logs export (opentelemetry.proto.collector.logs.v1.LogsService/Export). */
export const LOGS_EXPORT_PATH = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';

/** Identity (de)serializers: both ends work on raw protobuf bytes with logq's own codec. */
export const passThrough = (b: Buffer): Buffer => b;
