import * as grpc from '@grpc/grpc-js';
import { encodeExportLogsResponse } from '../../src/otlp/encode-response.ts';
import { LOGS_EXPORT_PATH, passThrough } from '../../src/otlp/service.ts';

/**
 * A real OTLP/gRPC endpoint on 127.0.0.1 that keeps every request's bytes. While `hold()` is in
 * effect it answers nothing (a stalled collector); `release()` answers every held call.
 */
export async function startRecordingServer() {
  const requests: Buffer[] = [];
  const server = new grpc.Server();
  const ok = encodeExportLogsResponse();
  let held: (() => void)[] | undefined;
  server.register(
    LOGS_EXPORT_PATH,
    (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      const answer = () => {
        requests.push(call.request);
        cb(null, ok);
      };
      if (held) held.push(answer);
      else answer();
    },
    passThrough,
    passThrough,
    'unary',
  );
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    /** Calls arrived but not answered yet (while held). */
    heldCalls: () => held?.length ?? 0,
    hold: () => void (held ??= []),
    release: () => {
      const waiting = held ?? [];
      held = undefined;
      for (const answer of waiting) answer();
    },
    close: () => server.forceShutdown(),
  };
}

/** A recording server as {@link startRecordingServer} returns it. */
export type RecordingServer = Awaited<ReturnType<typeof startRecordingServer>>;

/**
 * Test teardown: answers calls still held, shuts the logging handle down (its final flush then
 * completes), closes the server; returns `[undefined, undefined]` to clear the test's variables.
 */
export async function releasePipeline(handle: { shutdown(): Promise<void> } | undefined, server: RecordingServer | undefined): Promise<[undefined, undefined]> {
  server?.release();
  await handle?.shutdown();
  server?.close();
  return [undefined, undefined];
}
