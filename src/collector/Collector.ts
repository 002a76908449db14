import { LogWriter } from '../storage/LogWriter.ts';
import { openStore, type Store } from '../storage/client.ts';
import { requestToRows, type LogRow } from '../storage/rows.ts';
import { ensureSchema } from '../storage/schema.ts';
import { formatRetention } from '../storage/RetentionPolicy.ts';
import { Batcher, type BatcherStats } from './Batcher.ts';
import type { CollectorConfig } from './config.ts';
import { GrpcReceiver } from './GrpcReceiver.ts';
import { HttpServer } from './HttpServer.ts';
import { collectorLog } from './log.ts';

/** A running collector. */
export interface RunningCollector {
  /** Port the OTLP/gRPC receiver is bound to. */
  readonly grpcPort: number;
  /** Port the HTTP listener is bound to. */
  readonly httpPort: number;
  /** The open store (queries in tests and the CLI go through it while the collector holds it). */
  readonly store: Store;
  readonly stats: BatcherStats;
  /** Stops accepting, writes every accepted record to ClickHouse, closes the store. Safe to call twice. */
  stop(): Promise<void>;
}

/** Options beyond the config that embedders and tests may set. */
export interface CollectorHooks {
  /** Wraps the ClickHouse writer (fault injection in tests). */
  wrapSink?(sink: (rows: LogRow[]) => Promise<void>): (rows: LogRow[]) => Promise<void>;
}

/**
 * Starts the collector: opens the store, creates or updates the schema, then serves OTLP/gRPC
 * and HTTP. Records flow receiver → rows → batcher → ClickHouse; a client's Export is answered
 * only once its records are inserted.
 */
export async function startCollector(config: CollectorConfig, hooks: CollectorHooks = {}): Promise<RunningCollector> {
  const store = openStore({ dataDir: config.dataDir, clickhouseUrl: config.clickhouseUrl });
  let schema;
  try {
    schema = await ensureSchema(store.client, config.retention);
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
  collectorLog('info', 'storage ready', {
    store: store.kind,
    location: store.location,
    tableCreated: schema.created,
    retention: formatRetention(config.retention),
    retentionChanged: schema.retentionChanged,
    ...(schema.retentionChanged ? { previousRetention: schema.previousRetention } : {}),
  });

  const writer = new LogWriter(store.client);
  const baseSink = (rows: LogRow[]) => writer.write(rows);
  const batcher = new Batcher<LogRow>(hooks.wrapSink ? hooks.wrapSink(baseSink) : baseSink, {
    maxRows: config.batchMaxRows,
    maxDelayMs: config.batchMaxDelayMs,
    maxPendingRows: config.maxPendingRows,
  });

  const grpcReceiver = new GrpcReceiver((req) => batcher.add(requestToRows(req)), {
    listen: config.grpcListen,
    maxRequestBytes: config.maxRequestBytes,
  });
  const http = new HttpServer(config.httpListen, async () => {
    await store.client.query({ query: 'SELECT 1', format: 'JSONEachRow' }).then((r) => r.json());
  });
  try {
    await grpcReceiver.start();
    await http.start();
  } catch (error) {
    await grpcReceiver.stop(0).catch(() => {});
    await http.stop().catch(() => {});
    await store.close().catch(() => {});
    throw error;
  }
  collectorLog('info', 'collector listening', { grpc: config.grpcListen, grpcPort: grpcReceiver.port, http: config.httpListen, httpPort: http.port });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      collectorLog('info', 'collector stopping: flushing accepted records');
      const receiverDone = grpcReceiver.stop();
      // Calls in flight wait on the batcher: write now rather than when the batch ages.
      void batcher.flush();
      await receiverDone;
      await batcher.close();
      await http.stop();
      await store.close();
      collectorLog('info', 'collector stopped', { ...batcher.stats });
    })());

  return { grpcPort: grpcReceiver.port, httpPort: http.port, store, stats: batcher.stats, stop };
}
