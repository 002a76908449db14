import type { Registry } from 'prom-client';
import { openStore, type Store } from '../storage/client.ts';
import type { LogRow } from '../storage/rows.ts';
import { ensureSchema } from '../storage/schema.ts';
import { formatRetention } from '../storage/RetentionPolicy.ts';
import { Authenticator } from './Authenticator.ts';
import type { BatcherStats } from './Batcher.ts';
import { createClickHouseSink, enableInsertDeduplication } from './clickhouse-sink.ts';
import { registerExplorer } from './explorer.ts';
import { spoolDirOf, type CollectorConfig } from './config.ts';
import { GrpcReceiver } from './GrpcReceiver.ts';
import { registerIngestRoutes } from './http-ingest-routes.ts';
import { HttpServer } from './HttpServer.ts';
import { createLogsIngest, newReceiverStats, type ReceiverStats } from './ingest-logs.ts';
import { IngestPipeline } from './IngestPipeline.ts';
import { collectorLog, setCollectorLogLevel } from './log.ts';
import { createMetrics, registerMetricsRoute } from './metrics.ts';
import { registerQueryApi } from './query-api.ts';
import { Shipper, type BatchSink, type ShipperStats } from './Shipper.ts';
import { RequestJournal } from './RequestJournal.ts';
import { Spool, type SpoolEntry } from './Spool.ts';
import { loadTlsFiles } from './tls.ts';

/** A running collector. */
export interface RunningCollector {
  /** Port the OTLP/gRPC receiver is bound to. */
  readonly grpcPort: number;
  /** Port the HTTP listener is bound to. */
  readonly httpPort: number;
  /** The open store (queries in tests and the CLI go through it while the collector holds it). */
  readonly store: Store;
  /** The HTTP listener, for features that add routes (query API, web UI). */
  readonly http: HttpServer;
  /** Batching counters (rows waiting in memory). */
  readonly stats: BatcherStats;
  /** Receiver counters. */
  readonly receiverStats: ReceiverStats;
  /** Insert counters and ClickHouse health. */
  readonly shipperStats: ShipperStats;
  /** The write-ahead spool. */
  readonly spool: Spool;
  /** Prometheus registry behind /metrics. */
  readonly metrics: Registry;
  /** Stops accepting, spools every accepted record, ships what it can, closes the store. Safe to call twice. */
  stop(): Promise<void>;
}

/** Options beyond the config that embedders and tests may set. */
export interface CollectorHooks {
  /** Wraps the ClickHouse writer (fault injection in tests). The second argument is the dedup token. */
  wrapSink?(sink: BatchSink): BatchSink;
  /** On stop, how long the shipper may go without shipping a batch before it leaves the rest in the spool for the next start, in ms. @default 10000 */
  drainTimeoutMs?: number;
}

/**
 * Starts the collector: opens the store and the spool, creates or updates the schema, replays
 * batches a previous run left in the spool, then serves OTLP/gRPC and HTTP. Records flow
 * receiver → validate, limit, redact → batcher → fsync'ed spool (the client is acknowledged
 * here) → shipper → ClickHouse.
 */
export async function startCollector(config: CollectorConfig, hooks: CollectorHooks = {}): Promise<RunningCollector> {
  setCollectorLogLevel(config.logLevel);
  const tls = loadTlsFiles(config);
  const store = openStore({ dataDir: config.dataDir, clickhouseUrl: config.clickhouseUrl, engineProcess: config.embeddedEngine !== 'in-process' });
  let spool: Spool;
  let journal: RequestJournal;
  try {
    const schema = await ensureSchema(store.client, config.retention, undefined, { cluster: config.cluster });
    // Replicated tables (cluster variant) deduplicate by default; a plain MergeTree needs the window.
    const dedup = config.cluster ? true : await enableInsertDeduplication(store.client);
    collectorLog('info', 'storage ready', {
      store: store.kind,
      location: store.location,
      ...(store.engine ? { engineProcess: store.engine.pid } : {}),
      tableCreated: schema.created,
      retention: formatRetention(config.retention),
      retentionChanged: schema.retentionChanged,
      insertDeduplication: dedup,
      ...(schema.retentionChanged ? { previousRetention: schema.previousRetention } : {}),
    });
    spool = await Spool.open({
      dir: spoolDirOf(config),
      maxBytes: config.spoolMaxBytes,
      whenFull: config.spoolWhenFull,
      // Blocks kept in memory for the shipper: one full insert's worth. Beyond it (the shipper is
      // behind) batches are read back from their files, so a backlog does not grow the heap.
      maxCachedRows: Math.min(config.maxPendingRows, config.insertMaxRows),
    });
    journal = await RequestJournal.open(spool.options.dir, spool.entries.flatMap((e) => e.requests));
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }

  const baseSink = createClickHouseSink(store, config.cluster);
  const sink = hooks.wrapSink ? hooks.wrapSink(baseSink) : baseSink;
  const receiverStats = newReceiverStats();
  let observeInsert = (_rows: number, _s: number, _ok: boolean) => {};
  const shipper = new Shipper(
    spool,
    sink,
    { initialBackoffMs: 200, maxBackoffMs: 5000, maxInsertRows: config.insertMaxRows, maxInsertDelayMs: config.insertMaxDelayMs, onInserted: (entries: readonly SpoolEntry[]) => journal.persist(entries.flatMap((e) => e.requests)),
      onPoison: (row, reason) => spool.quarantineRow(row, reason) },
    (r, s, ok) => observeInsert(r, s, ok),
  );
  const pipeline = new IngestPipeline(spool, shipper, journal, {
    batchMaxRows: config.batchMaxRows,
    batchMaxDelayMs: config.batchMaxDelayMs,
    maxPendingRows: config.maxPendingRows,
    retryDelayMs: config.retryDelayMs,
  });
  const metrics = createMetrics({
    receiver: receiverStats,
    ingest: pipeline.stats,
    batcher: pipeline.batcher.stats,
    shipper: shipper.stats,
    spoolStats: spool.stats,
    spool,
    engine: store.engine,
  });
  observeInsert = metrics.insert.observeInsert;
  shipper.start();

  const auth = new Authenticator({ tokens: config.authTokens, tokensFile: config.authTokensFile });
  const ingest = createLogsIngest(pipeline, config, receiverStats);
  const retryDelayMs = () => pipeline.retryDelayMs();
  const grpcReceiver = new GrpcReceiver(ingest, {
    listen: config.grpcListen,
    maxRequestBytes: config.maxRequestBytes,
    auth,
    tls,
    stats: receiverStats,
    retryDelayMs,
    serving: () => pipeline.notReadyReason() === undefined,
  });
  const http = new HttpServer(
    config.httpListen,
    async () => {
      const reason = pipeline.notReadyReason();
      if (reason) throw new Error(reason);
      await store.client.query({ query: 'SELECT 1', format: 'JSONEachRow' }).then((r) => r.json());
    },
    tls,
  );
  registerIngestRoutes(http, { ingest, auth, maxRequestBytes: config.maxRequestBytes, stats: receiverStats, retryDelayMs });
  registerMetricsRoute(http, metrics.registry);
  registerQueryApi(http, store.client, { authorize: (header) => auth.check(header) });
  registerExplorer(http);
  try {
    await grpcReceiver.start();
    await http.start();
  } catch (error) {
    await grpcReceiver.stop(0).catch(() => {});
    await http.stop().catch(() => {});
    await shipper.drainAndStop(0);
    auth.close();
    await store.close().catch(() => {});
    throw error;
  }
  collectorLog('info', 'collector listening', {
    grpc: config.grpcListen,
    grpcPort: grpcReceiver.port,
    http: config.httpListen,
    httpPort: http.port,
    tls: tls ? (tls.clientCa ? 'mtls' : 'tls') : 'off',
    auth: auth.enabled,
    spoolDir: spool.options.dir,
    spoolWhenFull: spool.options.whenFull,
    spoolMaxBytes: spool.options.maxBytes,
    maxPendingRows: config.maxPendingRows,
    maxRequestBytes: config.maxRequestBytes,
    batchMaxRows: config.batchMaxRows,
    batchMaxDelayMs: config.batchMaxDelayMs,
    insertMaxRows: config.insertMaxRows,
    insertMaxDelayMs: config.insertMaxDelayMs,
    redact: config.redact,
    cluster: config.cluster ?? null,
  });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      collectorLog('info', 'collector stopping: spooling accepted records');
      const receiverDone = grpcReceiver.stop();
      // Calls in flight wait on the batcher: spool now rather than when the batch ages.
      void pipeline.batcher.flush();
      await receiverDone;
      await pipeline.close();
      await http.stop();
      await shipper.drainAndStop(hooks.drainTimeoutMs ?? 10_000);
      auth.close();
      await store.close();
      collectorLog('info', 'collector stopped', {
        accepted: pipeline.stats.acceptedRows,
        inserted: shipper.stats.insertedRows,
        replayed: shipper.stats.replayedRows,
        duplicateRequests: pipeline.stats.duplicateRequests,
        leftInSpool: spool.rows,
      });
    })());

  return {
    grpcPort: grpcReceiver.port,
    httpPort: http.port,
    store,
    http,
    stats: pipeline.batcher.stats,
    receiverStats,
    shipperStats: shipper.stats,
    spool,
    metrics: metrics.registry,
    stop,
  };
}
