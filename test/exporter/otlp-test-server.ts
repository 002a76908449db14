import * as grpc from '@grpc/grpc-js';
import { LOGS_EXPORT_PATH, passThrough } from '../../src/otlp/service.ts';

/** One call the test server saw. */
export interface SeenCall {
  metadata: Record<string, unknown>;
  bytes: number;
}

/** Decides the answer to call number `n` (1-based). */
export type Responder = (n: number, call: grpc.ServerUnaryCall<Buffer, Buffer>) => { error?: Partial<grpc.StatusObject>; response?: Buffer } | 'hang';

/**
 * A real OTLP/gRPC endpoint on 127.0.0.1 whose answers the test scripts (faults injected on
 * purpose: RetryInfo, partial success, hangs). Returns its endpoint and the calls it received.
 */
export async function startOtlpTestServer(respond: Responder, credentials = grpc.ServerCredentials.createInsecure(), host = '127.0.0.1') {
  const server = new grpc.Server();
  const calls: SeenCall[] = [];
  server.register(
    LOGS_EXPORT_PATH,
    (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      calls.push({ metadata: call.metadata.getMap(), bytes: call.request.length });
      const answer = respond(calls.length, call);
      if (answer === 'hang') return;
      if (answer.error) callback(answer.error as grpc.ServerErrorResponse);
      else callback(null, answer.response ?? Buffer.alloc(0));
    },
    passThrough,
    passThrough,
    'unary',
  );
  const port = await new Promise<number>((res, rej) => server.bindAsync(`${host}:0`, credentials, (e, p) => (e ? rej(e) : res(p))));
  return { port, calls, close: () => server.forceShutdown() };
}
