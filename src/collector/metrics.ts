import { readFileSync } from 'node:fs';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EngineProcessStats } from '../storage/engine-process.ts';
import type { BatcherStats } from './Batcher.ts';
import type { HttpServer } from './HttpServer.ts';
import type { ReceiverStats } from './ingest-logs.ts';
import type { IngestStats } from './IngestPipeline.ts';
import type { ShipperStats } from './Shipper.ts';
import type { Spool, SpoolStats } from './Spool.ts';

/** The live counters the metrics read on each scrape. */
export interface MetricSources {
  receiver: ReceiverStats;
  ingest: IngestStats;
  batcher: BatcherStats;
  shipper: ShipperStats;
  spoolStats: SpoolStats;
  spool: Spool;
  /** The embedded engine's process, when it runs in one. */
  engine?: { readonly pid: number | undefined; readonly stats: EngineProcessStats };
}

/** Resident memory of a process from /proc (0 where /proc is not there or the process is gone). */
function residentBytes(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Histograms fed by the shipper on each insert. */
export interface InsertMetrics {
  observeInsert(rows: number, seconds: number, ok: boolean): void;
}

/**
 * Prometheus metrics (prom-client), one registry per collector. Names follow the OTel Collector's
 * internal telemetry (`otelcol_receiver_accepted_log_records`, `otelcol_exporter_sent_log_records`)
 * with the `logq_` prefix. Counters mirror the components' own counters at scrape time.
 */
export function createMetrics(s: MetricSources): { registry: Registry; insert: InsertMetrics } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'logq_process_' });
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  counter('logq_receiver_received_log_records_total', 'Log records in decoded requests (gRPC, OTLP/HTTP, REST).', () => s.receiver.receivedRecords);
  counter('logq_receiver_accepted_log_records_total', 'Log records acknowledged to clients (durable in the spool).', () => s.ingest.acceptedRows);
  counter('logq_receiver_rejected_log_records_total', 'Invalid log records rejected individually (partial success).', () => s.receiver.rejectedRecords);
  counter('logq_receiver_refused_log_records_total', 'Log records refused by backpressure (client told to retry).', () => s.ingest.refusedRows);
  counter('logq_receiver_duplicate_requests_total', 'Retried requests acknowledged without storing them twice (already durable).', () => s.ingest.duplicateRequests);
  counter('logq_receiver_undecodable_requests_total', 'Requests that were not a valid OTLP request.', () => s.receiver.undecodableRequests);
  counter('logq_receiver_unauthenticated_requests_total', 'Requests without a valid bearer token.', () => s.receiver.unauthenticatedRequests);
  counter('logq_processor_dropped_attributes_total', 'Attributes dropped by --max-attributes.', () => s.receiver.droppedAttributes);
  counter('logq_processor_truncated_values_total', 'Attribute values and bodies truncated by the length caps.', () => s.receiver.truncatedValues);
  counter('logq_processor_redacted_values_total', 'Values replaced by [REDACTED].', () => s.receiver.redactedValues);
  counter('logq_exporter_sent_log_records_total', 'Log records inserted into ClickHouse.', () => s.shipper.insertedRows);
  counter('logq_exporter_rejected_log_records_total', 'Rows ClickHouse refused as invalid data, set aside in the quarantine.', () => s.shipper.poisonRows);
  counter('logq_exporter_send_failed_requests_total', 'ClickHouse inserts that failed (retried from the spool).', () => s.shipper.insertFailures);
  counter('logq_spool_spooled_log_records_total', 'Log records written to the spool.', () => s.spoolStats.spooledRows);
  counter('logq_spool_replayed_log_records_total', 'Log records inserted from the spool after an outage or a restart.', () => s.shipper.replayedRows);
  counter('logq_spool_dropped_log_records_total', 'Log records deleted by the drop-oldest policy.', () => s.spoolStats.droppedRows);
  counter('logq_spool_quarantined_files_total', 'Corrupt spool files moved to quarantine.', () => s.spoolStats.quarantinedFiles);
  gauge('logq_buffer_log_records', 'Log records in memory, not yet spooled.', () => s.batcher.pendingRows);
  gauge('logq_spool_log_records', 'Log records in the spool, not yet in ClickHouse.', () => s.spool.rows);
  gauge('logq_spool_batches', 'Batches in the spool.', () => s.spool.entries.length);
  gauge('logq_spool_bytes', 'Bytes in the spool.', () => s.spool.bytes);
  gauge('logq_spool_max_bytes', 'The spool bound.', () => s.spool.options.maxBytes);
  gauge('logq_exporter_failing', '1 while ClickHouse inserts are failing.', () => (s.shipper.failingSince ? 1 : 0));
  const engine = s.engine;
  if (engine) {
    counter('logq_engine_process_starts_total', 'Embedded engine processes started (the first included).', () => engine.stats.starts);
    counter('logq_engine_process_crashes_total', 'Embedded engine processes that exited unasked (calls in flight failed; the next call starts a new one).', () => engine.stats.crashes);
    gauge('logq_engine_process_resident_memory_bytes', 'Resident memory of the embedded engine process (0 while none runs).', () => residentBytes(engine.pid));
  }
  const latency = new Histogram({
    name: 'logq_exporter_insert_duration_seconds',
    help: 'ClickHouse insert latency.',
    labelNames: ['outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const size = new Histogram({
    name: 'logq_exporter_insert_batch_size',
    help: 'Rows per ClickHouse insert.',
    buckets: [1, 10, 100, 500, 1000, 2500, 5000, 10000, 25000, 50000],
    registers: [registry],
  });
  return {
    registry,
    insert: {
      observeInsert(rows, seconds, ok) {
        latency.observe({ outcome: ok ? 'ok' : 'failed' }, seconds);
        if (ok) size.observe(rows);
      },
    },
  };
}

/** Serves `GET /metrics` in the Prometheus text format. */
export function registerMetricsRoute(http: HttpServer, registry: Registry): void {
  http.route('GET', '/metrics', async (_req, res) => {
    const text = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
}
