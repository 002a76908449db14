/**
 * A load client for collector benchmarks, in its own process: sends OTLP/gRPC Export calls with
 * `perRequest` fresh records each (logq's encoder; unique timestamps and ids, so no request is a
 * replay of another), `concurrency` calls in flight, for `seconds` or up to `maxRecords`, optionally
 * paced to `rate` records/s. UNAVAILABLE (backpressure) answers are retried after 50 ms and counted.
 * Sends `{type:'result'}` over IPC when done. Run by bench scenarios, not by hand.
 */
import * as grpc from '@grpc/grpc-js';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { encodeLogRecords } from '../../src/exporter/encode-records.ts';
import { ProtoWriter } from '../../src/otlp/ProtoWriter.ts';
import { LOGS_EXPORT_PATH, passThrough } from '../../src/otlp/service.ts';

export interface IngestClientConfig {
  endpoint: string;
  seconds: number;
  perRequest: number;
  concurrency: number;
  /** Client id, mixed into the records so clients never send identical data. */
  id: number;
  /** Records/s to offer (0 = as fast as the collector answers). */
  rate?: number;
}

export interface IngestClientResult {
  acked: number;
  calls: number;
  unavailable: number;
  errors: number;
  lastError?: string;
  seconds: number;
}

const cfg = JSON.parse(process.argv[2]) as IngestClientConfig;
const resource = resourceFromAttributes({ 'service.name': `bench-client-${cfg.id}`, 'host.name': 'bench-host' });
const scope = { name: 'bench', version: '1.0.0' };
const writer = new ProtoWriter(1 << 20);
let seq = 0;

function nextRequest(): Buffer {
  const now = Date.now();
  const sec = Math.floor(now / 1000);
  const records: ReadableLogRecord[] = [];
  for (let i = 0; i < cfg.perRequest; i++) {
    const n = seq++;
    records.push({
      hrTime: [sec, (n % 1_000_000) * 1000 + cfg.id],
      hrTimeObserved: [sec, (n % 1_000_000) * 1000 + cfg.id],
      severityNumber: 9,
      severityText: 'INFO',
      body: `order placed ${n}`,
      attributes: { 'order.id': n, 'customer.id': 'c-4711', 'order.amount': 19.99 },
      droppedAttributesCount: 0,
      resource,
      instrumentationScope: scope,
    } as unknown as ReadableLogRecord);
  }
  return encodeLogRecords(records, writer);
}

const client = new grpc.Client(cfg.endpoint.replace(/^https?:\/\//, ''), grpc.credentials.createInsecure(), {
  'grpc.max_send_message_length': 64 * 1024 * 1024,
});
const res: IngestClientResult = { acked: 0, calls: 0, unavailable: 0, errors: 0, seconds: 0 };

function call(payload: Buffer): Promise<grpc.ServiceError | null> {
  return new Promise((resolve) =>
    client.makeUnaryRequest(LOGS_EXPORT_PATH, passThrough, passThrough, payload, new grpc.Metadata(), { deadline: Date.now() + 60_000 }, (err) =>
      resolve(err),
    ),
  );
}

async function worker(deadline: number, start: number): Promise<void> {
  while (Date.now() < deadline) {
    if (cfg.rate) {
      // Paced: wait until this client's share of the offered rate allows another request.
      const due = ((Date.now() - start) / 1000) * cfg.rate;
      if (seq >= due) {
        await new Promise((r) => setTimeout(r, 2));
        continue;
      }
    }
    const payload = nextRequest();
    for (;;) {
      res.calls++;
      const err = await call(payload);
      if (!err) {
        res.acked += cfg.perRequest;
        break;
      }
      if (err.code === grpc.status.UNAVAILABLE || err.code === grpc.status.RESOURCE_EXHAUSTED) {
        res.unavailable++;
        if (Date.now() > deadline + 30_000) break;
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      res.errors++;
      res.lastError = `${err.code}: ${err.details}`;
      break;
    }
  }
}

process.once('message', async () => {
  const start = Date.now();
  const deadline = start + cfg.seconds * 1000;
  await Promise.all(Array.from({ length: cfg.concurrency }, () => worker(deadline, start)));
  res.seconds = (Date.now() - start) / 1000;
  process.send!({ type: 'result', result: res });
  client.close();
  process.disconnect();
});
process.send!({ type: 'ready' });
