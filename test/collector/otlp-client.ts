import * as grpc from '@grpc/grpc-js';
import { ProtoWriter, WireType } from '../../src/otlp/ProtoWriter.ts';
import { writeStringKeyValue } from '../helpers/otlp-bytes.ts';
import { decodeExportLogsResponse } from '../../src/otlp/decode-logs.ts';
import { decodeRetryDelayMs, STATUS_DETAILS_KEY } from '../../src/otlp/retry-info.ts';
import { LOGS_EXPORT_PATH, passThrough } from '../../src/otlp/service.ts';

/** A log record for test payloads. */
export interface TestRecord {
  body: string;
  severityNumber?: number;
  severityText?: string;
  attributes?: Record<string, string>;
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  timeMs?: number;
}

/** Encodes an ExportLogsServiceRequest with one resource (service.name) and one scope. */
export function encodeRequest(service: string, records: TestRecord[]): Buffer {
  const w = new ProtoWriter(1024);
  const kv = (field: number, key: string, value: string) => writeStringKeyValue(w, field, key, value);
  w.tag(1, WireType.LEN);
  const rl = w.beginMessage();
  w.tag(1, WireType.LEN);
  const res = w.beginMessage();
  kv(1, 'service.name', service);
  w.endMessage(res);
  w.tag(2, WireType.LEN);
  const sl = w.beginMessage();
  w.tag(1, WireType.LEN);
  const scope = w.beginMessage();
  w.tag(1, WireType.LEN);
  w.string('test-scope');
  w.endMessage(scope);
  for (const r of records) {
    w.tag(2, WireType.LEN);
    const lr = w.beginMessage();
    const ns = BigInt(r.timeMs ?? Date.now()) * 1_000_000n;
    w.tag(1, WireType.FIXED64);
    w.fixed64HrTime(Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n));
    if (r.severityNumber !== undefined) {
      w.tag(2, WireType.VARINT);
      w.varint32(r.severityNumber);
    }
    if (r.severityText) {
      w.tag(3, WireType.LEN);
      w.string(r.severityText);
    }
    w.tag(5, WireType.LEN);
    const body = w.beginMessage();
    w.tag(1, WireType.LEN);
    w.string(r.body);
    w.endMessage(body);
    for (const [k, v] of Object.entries(r.attributes ?? {})) kv(6, k, v);
    if (r.traceId) {
      w.tag(9, WireType.LEN);
      w.bytes(r.traceId);
    }
    if (r.spanId) {
      w.tag(10, WireType.LEN);
      w.bytes(r.spanId);
    }
    w.endMessage(lr);
  }
  w.endMessage(sl);
  w.endMessage(rl);
  return Buffer.from(w.finish());
}

/** Outcome of one raw Export call. */
export interface ExportOutcome {
  ok: boolean;
  code: number;
  details: string;
  /** RetryInfo delay from the grpc-status-details-bin trailer, if any. */
  retryDelayMs?: number;
  rejected: number;
  errorMessage: string;
}

/** A raw OTLP/gRPC client: sends bytes, reports status, RetryInfo and partial success. */
export class RawOtlpClient {
  readonly client: grpc.Client;
  constructor(address: string, credentials = grpc.credentials.createInsecure(), options: grpc.ClientOptions = {}) {
    this.client = new grpc.Client(address, credentials, options);
  }

  export(payload: Buffer, metadata = new grpc.Metadata(), timeoutMs = 30_000): Promise<ExportOutcome> {
    return new Promise((resolve) => {
      this.client.makeUnaryRequest(LOGS_EXPORT_PATH, passThrough, passThrough, payload, metadata, { deadline: Date.now() + timeoutMs }, (err, value) => {
        if (err) {
          const bin = err.metadata?.get(STATUS_DETAILS_KEY)[0];
          resolve({
            ok: false,
            code: err.code,
            details: err.details,
            retryDelayMs: bin ? decodeRetryDelayMs(bin as Buffer) : undefined,
            rejected: 0,
            errorMessage: '',
          });
          return;
        }
        const { partialSuccess } = decodeExportLogsResponse(value ?? Buffer.alloc(0));
        resolve({ ok: true, code: 0, details: '', rejected: partialSuccess?.rejectedLogRecords ?? 0, errorMessage: partialSuccess?.errorMessage ?? '' });
      });
    });
  }

  close(): void {
    this.client.close();
  }
}
