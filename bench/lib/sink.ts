import * as grpc from '@grpc/grpc-js';
import { countLogRecords } from '../../src/otlp/count-logs.ts';
import { encodeExportLogsResponse } from '../../src/otlp/encode-response.ts';
import { LOGS_SERVICE_DEFINITION } from '../../src/otlp/service.ts';
import { widenReceiveWindows } from '../../src/collector/grpc-window.ts';

/** A running counting sink. */
export interface CountingSink {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Records received since the last {@link reset}. */
  records(): number;
  /** Export calls received since the last {@link reset}. */
  calls(): number;
  reset(): void;
  close(): Promise<void>;
}

/**
 * A real grpc-js OTLP LogsService on 127.0.0.1 that only counts records (logq's own record
 * counter, no object tree) and answers success, with the HTTP/2 receive windows of logq's
 * collector. Both OTLP contenders send to the same sink.
 */
export async function startCountingSink(): Promise<CountingSink> {
  let records = 0;
  let calls = 0;
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 256 * 1024 * 1024 });
  const ok = encodeExportLogsResponse();
  server.addService(
    LOGS_SERVICE_DEFINITION,
    {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        calls++;
        try {
          records += countLogRecords(call.request);
        } catch (error) {
          cb({ code: grpc.status.INVALID_ARGUMENT, details: String(error) });
          return;
        }
        cb(null, ok);
      },
    },
  );
  const port = await new Promise<number>((res, rej) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))),
  );
  // The receive windows logq's collector advertises (collector/grpc-window.ts), for both contenders.
  if (!widenReceiveWindows(server)) throw new Error('counting sink: cannot widen the HTTP/2 receive windows');
  return {
    endpoint: `http://127.0.0.1:${port}`,
    records: () => records,
    calls: () => calls,
    reset: () => {
      records = 0;
      calls = 0;
    },
    close: () => new Promise<void>((res) => server.tryShutdown(() => res())),
  };
}
