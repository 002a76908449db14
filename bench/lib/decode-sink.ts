/**
 * Baseline for collector-ingest: an OTLP/gRPC server in its own process that does the collector's
 * JavaScript work per request — decode, map to otel_logs rows, serialize as TabSeparated (or, with
 * argument `fused`, the one-pass otlpToTabSeparatedBytes) — and then discards the text instead of
 * inserting it. Prints `listening <port>` on stdout.
 */
import * as grpc from '@grpc/grpc-js';
import { decodeExportLogsRequest } from '../../src/otlp/decode-logs.ts';
import { encodeExportLogsResponse } from '../../src/otlp/encode-response.ts';
import { LOGS_SERVICE_DEFINITION } from '../../src/otlp/service.ts';
import { requestToRows } from '../../src/storage/rows.ts';
import { rowsToTabSeparated } from '../../src/storage/tab-separated.ts';
import { otlpToTabSeparatedBytes } from '../../src/storage/otlp-tab-separated.ts';

/** `fused`: one pass from protobuf to TabSeparated (otlpToTabSeparated) instead of decode → rows → text. */
const FUSED = process.argv[2] === 'fused';
let bytes = 0;
const ok = encodeExportLogsResponse();
const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
server.addService(
  LOGS_SERVICE_DEFINITION,
  {
    Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      const size = FUSED ? otlpToTabSeparatedBytes(call.request).bytes.length : rowsToTabSeparated(requestToRows(decodeExportLogsRequest(call.request))).length;
      bytes += size;
      cb(null, ok);
    },
  },
);
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  process.stdout.write(`listening ${port}\n`);
});
process.on('SIGTERM', () => {
  process.stdout.write(`serialized ${bytes} chars\n`);
  server.forceShutdown();
  process.exit(0);
});
