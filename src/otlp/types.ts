/**
 * Plain TypeScript shapes of the OTLP logs messages, as produced by the decoder
 * ({@link decodeExportLogsRequest}). Field names follow the proto's JSON mapping (lowerCamelCase).
 */

/** One OTLP AnyValue. An empty object is an AnyValue with no kind set. */
export type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: bigint }
  | { doubleValue: number }
  | { arrayValue: AnyValue[] }
  | { kvlistValue: KeyValue[] }
  | { bytesValue: Uint8Array }
  | Record<string, never>;

export interface KeyValue {
  key: string;
  value: AnyValue;
}

export interface LogRecordData {
  timeUnixNano: bigint;
  observedTimeUnixNano: bigint;
  severityNumber: number;
  severityText: string;
  body: AnyValue | undefined;
  attributes: KeyValue[];
  droppedAttributesCount: number;
  flags: number;
  /** Raw bytes; 16 long when set. */
  traceId: Uint8Array;
  /** Raw bytes; 8 long when set. */
  spanId: Uint8Array;
  eventName: string;
}

export interface ScopeLogsData {
  scope: {
    name: string;
    version: string;
    attributes: KeyValue[];
    droppedAttributesCount: number;
  };
  logRecords: LogRecordData[];
  schemaUrl: string;
}

export interface ResourceLogsData {
  resource: { attributes: KeyValue[]; droppedAttributesCount: number };
  scopeLogs: ScopeLogsData[];
  schemaUrl: string;
}

export interface ExportLogsRequestData {
  resourceLogs: ResourceLogsData[];
}

export interface ExportLogsPartialSuccess {
  rejectedLogRecords: number;
  errorMessage: string;
}
