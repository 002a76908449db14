import { ROOT_CONTEXT, SeverityNumber, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { GrpcLogExporter } from '../../src/exporter/GrpcLogExporter.ts';

/** The trace that crosses both services (follow-a-trace test). */
export const TRACE_ID = '5b8efff798038103d269b633813fc60c';
/** The request id of the same request. */
export const REQUEST_ID = 'req-checkout-7';

/** One app sending through logq's own OTLP/gRPC exporter, as a service of its own. */
export interface SeedApp {
  provider: LoggerProvider;
  emit(severity: number, body: string, attrs?: Record<string, string>, atMs?: number, traceId?: string): void;
}

/** An app named `service` exporting to `endpoint` with the bearer `token`. */
export function seedApp(service: string, endpoint: string, token: string): SeedApp {
  const exporter = new GrpcLogExporter({ endpoint, headers: { authorization: `Bearer ${token}` } });
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'deployment.environment.name': 'ui-test' }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger(`${service}.handlers`, '1.0.0');
  return {
    provider,
    emit(severity, body, attrs = {}, atMs = Date.now(), traceId) {
      const context = traceId ? trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: '00f067aa0ba902b7', traceFlags: 1 }) : ROOT_CONTEXT;
      logger.emit({ severityNumber: severity, severityText: SeverityNumber[severity], body, attributes: attrs, timestamp: atMs, context });
    },
  };
}

/** What the seed wrote, for the assertions. */
export interface Seeded {
  total: number;
  errorsOrWorse: number;
  declined: number;
  trace: { body: string; service: string }[];
}

/**
 * Seeds ~170 records over the last 50 minutes: two services, every level from DEBUG to FATAL,
 * "payment declined" errors, users and request ids, and one request that crosses both services.
 */
export async function seedRecords(checkout: SeedApp, payments: SeedApp, nowMs: number): Promise<Seeded> {
  const levels = [SeverityNumber.DEBUG, SeverityNumber.INFO, SeverityNumber.INFO, SeverityNumber.WARN, SeverityNumber.INFO];
  let total = 0;
  let errorsOrWorse = 0;
  let declined = 0;
  for (let i = 0; i < 150; i++) {
    const at = nowMs - 50 * 60_000 + i * 19_000;
    checkout.emit(levels[i % levels.length], `order ${i} placed with ${1 + (i % 4)} items`, { 'user.id': `u-${i % 10}`, 'request.id': `req-${i}`, 'order.id': String(1000 + i) }, at);
    total++;
    if (i % 15 === 7) {
      payments.emit(SeverityNumber.ERROR, `payment declined for order ${i}: card expired`, { 'user.id': `u-${i % 10}`, 'request.id': `req-${i}`, 'payment.provider': 'acme' }, at + 5);
      total++;
      errorsOrWorse++;
      declined++;
    }
  }
  payments.emit(SeverityNumber.FATAL, 'payment provider unreachable, giving up', { 'payment.provider': 'acme' }, nowMs - 30 * 60_000);
  total++;
  errorsOrWorse++;
  const trace = [
    { service: 'checkout', severity: SeverityNumber.INFO, body: 'checkout started for cart 77', dt: 0 },
    { service: 'payments', severity: SeverityNumber.INFO, body: 'authorizing 49.90 EUR', dt: 40 },
    { service: 'payments', severity: SeverityNumber.WARN, body: 'authorization slow: 1200 ms', dt: 1240 },
    { service: 'checkout', severity: SeverityNumber.INFO, body: 'order 77 confirmed', dt: 1300 },
    { service: 'checkout', severity: SeverityNumber.INFO, body: 'receipt mailed for order 77', dt: 1500 },
  ];
  const start = nowMs - 20 * 60_000 + 333;
  for (const t of trace) {
    (t.service === 'checkout' ? checkout : payments).emit(t.severity, t.body, { 'request.id': REQUEST_ID, 'user.id': 'u-77' }, start + t.dt, TRACE_ID);
    total++;
  }
  await Promise.all([checkout.provider.forceFlush(), payments.provider.forceFlush()]);
  return { total, errorsOrWorse, declined, trace: trace.map(({ body, service }) => ({ body, service })) };
}
