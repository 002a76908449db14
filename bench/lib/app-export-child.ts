/**
 * One app-export contender in its own process (isolation: its own heap, event loop and CPU
 * account). Protocol over the IPC channel: the child warms up, sends `ready`; the parent resets
 * its sink and sends `go`; the child logs at the offered rate (or in a burst), flushes, and sends
 * its `result`. Run by bench/app-export.ts, not by hand.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Attributes } from '@opentelemetry/api';

export type Contender = 'logq' | 'logq-tuned' | 'otel' | 'pino' | 'noop';

/**
 * Queue and batch settings this benchmark suggests as logq's defaults (contender `logq-tuned`,
 * with the PipelinedLogExporter): batches large enough that per-call gRPC overhead is amortized
 * (512 → 8192 cut app CPU per record ~25% here), several calls in flight, and a queue that covers
 * the in-flight window twice over.
 */
export const TUNED_BATCH = { maxQueueSize: 32_768, maxExportBatchSize: 4096, scheduledDelayMillis: 200 };
/** Exports in flight for `logq-tuned` (PipelinedLogExporter around GrpcLogExporter). */
export const TUNED_IN_FLIGHT = 4;

export interface ChildConfig {
  contender: Contender;
  endpoint: string;
  /** Offered records/s; 0 = unthrottled burst. */
  rate: number;
  /** Records to emit. */
  total: number;
  /** Burst mode: records emitted per event-loop turn. */
  perTurn: number;
  /**
   * Settling run before measuring, after the baseline GC: this many ms at the offered rate (a burst
   * of a quarter of `total` in burst mode), flushed, not measured. 0 = none.
   */
  settleMs?: number;
}

export interface ChildResult {
  offered: number;
  cpuMicros: number;
  wallMs: number;
  heapGrowthBytes: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

interface Sink {
  log(i: number): void;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Records each child logs (and flushes) before measuring. */
export const WARMUP_RECORDS = 5000;

const MESSAGE = 'order placed';
// The same record for every contender: a message and 3 attributes (string, int, double).
const attrs = (i: number): Attributes => ({ 'order.id': i, 'customer.id': 'c-4711', 'order.amount': 19.99 });

async function makeSink(cfg: ChildConfig): Promise<Sink> {
  if (cfg.contender === 'noop') {
    // The harness alone (pacing timers, samplers, building the attributes): its CPU is subtracted
    // from the contenders' to show the logging cost net of the benchmark's own.
    let sink = 0;
    return { log: (i) => void (sink += attrs(i)['order.id'] as number), flush: async () => {}, shutdown: async () => void sink };
  }
  if (cfg.contender === 'pino') {
    const { pino } = await import('pino');
    const dest = pino.destination({ dest: '/dev/null', sync: true });
    const logger = pino(dest);
    return {
      log: (i) => logger.info(attrs(i), MESSAGE),
      flush: async () => dest.flushSync(),
      shutdown: async () => dest.end(),
    };
  }
  if (cfg.contender === 'logq' || cfg.contender === 'logq-tuned') {
    const { registerLogging } = await import('../../src/sdk/register.ts');
    const { getLogger } = await import('../../src/sdk/logger.ts');
    const tuned = cfg.contender === 'logq-tuned';
    const extra = process.env.LOGQ_BENCH_BATCH ? JSON.parse(process.env.LOGQ_BENCH_BATCH) : tuned ? TUNED_BATCH : undefined;
    let exporter;
    if (tuned) {
      const { GrpcLogExporter } = await import('../../src/exporter/GrpcLogExporter.ts');
      const { PipelinedLogExporter } = await import('../../src/exporter/PipelinedLogExporter.ts');
      exporter = new PipelinedLogExporter(new GrpcLogExporter({ endpoint: cfg.endpoint }), { maxInFlight: TUNED_IN_FLIGHT });
    }
    const handle = registerLogging({ endpoint: cfg.endpoint, serviceName: 'bench', batch: extra, exporter });
    const logger = getLogger('bench');
    return { log: (i) => logger.info(MESSAGE, attrs(i)), flush: () => handle.forceFlush(), shutdown: () => handle.shutdown() };
  }
  const { LoggerProvider, BatchLogRecordProcessor } = await import('@opentelemetry/sdk-logs');
  const { OTLPLogExporter } = await import('@opentelemetry/exporter-logs-otlp-grpc');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench' }),
    processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: cfg.endpoint }) })],
  });
  const logger = provider.getLogger('bench');
  return {
    log: (i) => logger.emit({ severityNumber: 9, severityText: 'INFO', body: MESSAGE, attributes: attrs(i) }),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

function emit(sink: Sink, cfg: ChildConfig): Promise<void> {
  return new Promise((resolve) => {
    let sent = 0;
    const start = performance.now();
    if (cfg.rate === 0) {
      const turn = () => {
        const end = Math.min(cfg.total, sent + cfg.perTurn);
        while (sent < end) sink.log(sent++);
        if (sent < cfg.total) setImmediate(turn);
        else resolve();
      };
      turn();
      return;
    }
    // Paced: every ~1 ms timer turn emits what is due so far at the offered rate.
    const tick = () => {
      const due = Math.min(cfg.total, Math.floor(((performance.now() - start) / 1000) * cfg.rate));
      while (sent < due) sink.log(sent++);
      if (sent < cfg.total) setTimeout(tick, 1);
      else resolve();
    };
    setTimeout(tick, 1);
  });
}

/**
 * The JS heap plus ArrayBuffer memory (Buffers, typed arrays: outside the heap, e.g. logq's encoded
 * records waiting in the queue, gRPC and pino buffers), so that moving data out of the heap does
 * not hide it.
 */
function heapAndBuffers(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

async function main(): Promise<void> {
  const cfg = JSON.parse(process.argv[2]) as ChildConfig;
  const sink = await makeSink(cfg);
  // Warm-up: JIT, channel connection, first allocations; not measured.
  for (let i = 0; i < WARMUP_RECORDS; i++) sink.log(i);
  await sink.flush();
  await new Promise((r) => setTimeout(r, 200));

  // Heap baseline after a full GC. That GC also throws away much of the optimized code of the hot
  // path (V8 deoptimizes code whose embedded objects it cleared: `--trace-deopt`), and recompiling
  // it cost logq ~1.1 µs/record of V8 worker-thread CPU over a 5 s run at 20k/s (the official
  // exporter ~1.5): the settling run lets the JIT reach steady state again before measuring.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heap0 = heapAndBuffers();
  if (cfg.settleMs) {
    const settle = cfg.rate ? Math.round((cfg.rate * cfg.settleMs) / 1000) : Math.round(cfg.total / 4);
    await emit(sink, { ...cfg, total: settle });
    await sink.flush();
  }
  process.send!({ type: 'ready' });
  await new Promise<void>((r) => process.once('message', () => r()));
  let heapPeak = heap0;
  const heapTimer = setInterval(() => {
    heapPeak = Math.max(heapPeak, heapAndBuffers());
  }, 20);
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();

  await emit(sink, cfg);
  await sink.flush();

  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  loop.disable();
  clearInterval(heapTimer);
  heapPeak = Math.max(heapPeak, heapAndBuffers());
  const result: ChildResult = {
    offered: cfg.total,
    cpuMicros: cpu.user + cpu.system,
    wallMs,
    heapGrowthBytes: heapPeak - heap0,
    loopDelayP99Ms: loop.percentile(99) / 1e6,
    loopDelayMaxMs: loop.max / 1e6,
  };
  process.send!({ type: 'result', result });
  await sink.shutdown();
  process.disconnect();
}

if (import.meta.main) void main();
