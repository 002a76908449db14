/**
 * One bridge-pino contender in its own process. Protocol over IPC (as bench/lib/app-export-child.ts):
 * warm up, send `ready`; on `go`, log at the offered rate (or in a burst), flush, send `result`.
 * Run by bench/bridge-pino.ts, not by hand.
 */
import { createRequire } from 'node:module';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** pino → logq/pino transport | pino → /dev/null | pino + instrumentation-pino → official sdk-logs + OTLP/gRPC exporter | pino + instrumentation-pino → logq's provider. */
export type BridgeContender = 'logq-transport' | 'pino-devnull' | 'otel-official' | 'instr-logq';

export interface BridgeChildConfig {
  contender: BridgeContender;
  endpoint: string;
  /** Offered records/s; 0 = unthrottled burst. */
  rate: number;
  total: number;
  /** Burst mode: records per event-loop turn. */
  perTurn: number;
}

export interface BridgeChildResult {
  offered: number;
  /** CPU of the app's main thread (process.threadCpuUsage), µs. */
  mainCpuMicros: number;
  /** CPU of the whole process (all threads: pino's worker, libuv, GC), µs. */
  processCpuMicros: number;
  wallMs: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

const WARMUP = 5000;
const MESSAGE = 'order placed';
const fields = (i: number) => ({ 'order.id': i, 'customer.id': 'c-4711', 'order.amount': 19.99 });

type PinoLogger = { info(obj: object, msg: string): void; flush(cb?: (err?: Error) => void): void };
interface Contender {
  logger: PinoLogger;
  flush(): Promise<void>;
}

async function make(cfg: BridgeChildConfig): Promise<Contender> {
  const require = createRequire(import.meta.url);
  if (cfg.contender === 'otel-official' || cfg.contender === 'instr-logq') {
    // The instrumentation patches pino on require: set it up first, then require pino.
    const { PinoInstrumentation } = await import('@opentelemetry/instrumentation-pino');
    let flush: () => Promise<void>;
    if (cfg.contender === 'otel-official') {
      const { logs } = await import('@opentelemetry/api');
      const { LoggerProvider, BatchLogRecordProcessor } = await import('@opentelemetry/sdk-logs');
      const { OTLPLogExporter } = await import('@opentelemetry/exporter-logs-otlp-grpc');
      const { resourceFromAttributes } = await import('@opentelemetry/resources');
      const provider = new LoggerProvider({
        resource: resourceFromAttributes({ 'service.name': 'bench' }),
        processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: cfg.endpoint }) })],
      });
      logs.setGlobalLoggerProvider(provider);
      flush = () => provider.forceFlush();
    } else {
      const { registerLogging } = await import('../src/sdk/register.ts');
      const handle = registerLogging({ endpoint: cfg.endpoint, serviceName: 'bench', flushOnExit: false });
      flush = () => handle.forceFlush();
    }
    new PinoInstrumentation();
    const pino = require('pino');
    const logger = pino(pino.destination({ dest: '/dev/null', sync: true })) as PinoLogger;
    return { logger, flush };
  }
  const pino = require('pino');
  if (cfg.contender === 'pino-devnull') {
    const dest = pino.destination({ dest: '/dev/null', sync: true });
    return { logger: pino(dest) as PinoLogger, flush: async () => dest.flushSync() };
  }
  const transport = pino.transport({ target: 'logq/pino', options: { endpoint: cfg.endpoint, serviceName: 'bench' } });
  const logger = pino(transport) as PinoLogger;
  await new Promise((r) => transport.once('ready', r));
  return { logger, flush: () => new Promise<void>((res, rej) => logger.flush((e) => (e ? rej(e) : res()))) };
}

function emit(logger: PinoLogger, cfg: BridgeChildConfig): Promise<void> {
  return new Promise((resolve) => {
    let sent = 0;
    const start = performance.now();
    if (cfg.rate === 0) {
      const turn = () => {
        const end = Math.min(cfg.total, sent + cfg.perTurn);
        while (sent < end) logger.info(fields(sent++), MESSAGE);
        if (sent < cfg.total) setImmediate(turn);
        else resolve();
      };
      turn();
      return;
    }
    // Paced: every ~1 ms timer turn emits what is due at the offered rate.
    const tick = () => {
      const due = Math.min(cfg.total, Math.floor(((performance.now() - start) / 1000) * cfg.rate));
      while (sent < due) logger.info(fields(sent++), MESSAGE);
      if (sent < cfg.total) setTimeout(tick, 1);
      else resolve();
    };
    setTimeout(tick, 1);
  });
}

async function main(): Promise<void> {
  const cfg = JSON.parse(process.argv[2]) as BridgeChildConfig;
  const c = await make(cfg);
  for (let i = 0; i < WARMUP; i++) c.logger.info(fields(i), MESSAGE);
  await c.flush();
  await new Promise((r) => setTimeout(r, 500));
  process.send!({ type: 'ready' });
  await new Promise<void>((r) => process.once('message', () => r()));

  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const main0 = process.threadCpuUsage();
  const proc0 = process.cpuUsage();
  const t0 = performance.now();
  await emit(c.logger, cfg);
  await c.flush();
  const wallMs = performance.now() - t0;
  const mainCpu = process.threadCpuUsage(main0);
  const procCpu = process.cpuUsage(proc0);
  loop.disable();
  const result: BridgeChildResult = {
    offered: cfg.total,
    mainCpuMicros: mainCpu.user + mainCpu.system,
    processCpuMicros: procCpu.user + procCpu.system,
    wallMs,
    loopDelayP99Ms: loop.percentile(99) / 1e6,
    loopDelayMaxMs: loop.max / 1e6,
  };
  process.send!({ type: 'result', result });
  // Wait for the parent's `exit` so the transport's last records are counted before we end.
  await new Promise<void>((r) => process.once('message', () => r()));
  process.disconnect();
}

if (import.meta.main) void main();
