/**
 * The alternative to the `logq/pino` transport: `@opentelemetry/instrumentation-pino` sends
 * pino's records to the OTel LoggerProvider registerLogging() installed (logq's pipeline, on the
 * app's thread), keeping pino's own destination (stdout here) as it was.
 *
 *   npm run build && npm start
 *   node examples/pino-instrumentation/app.ts
 *
 * The instrumentation patches pino when it is loaded with require (require-in-the-middle): enable
 * it before pino is required. An ESM `import pino from 'pino'` is patched only with the
 * import-in-the-middle loader (`node --import @opentelemetry/instrumentation/hook.mjs ...`,
 * registered before the app's imports).
 * Trade-off (see bench/bridge-pino.ts): encoding and export run on the app's thread, and a full
 * queue drops records (counted), where the transport's worker waits instead.
 */
import { createRequire } from 'node:module';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { logqPinoMixin, registerLogging } from 'logq';

const logging = registerLogging({
  endpoint: process.env.LOGQ_ENDPOINT ?? 'http://127.0.0.1:4317',
  serviceName: process.env.OTEL_SERVICE_NAME ?? 'pino-instrumented',
});
new PinoInstrumentation();
const require = createRequire(import.meta.url);
const pino = require('pino') as typeof import('pino').default;

const logger = pino({ level: 'info', mixin: logqPinoMixin() });
logger.info({ orderId: 42 }, 'order placed');
logger.error({ err: new Error('payment declined') }, 'payment failed');
await logging.shutdown();
