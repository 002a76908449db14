/**
 * Express 5 + pino, shipping to logq through the `logq/pino` transport.
 *
 *   npm run build && npm start                        # the collector, on 127.0.0.1:4317
 *   node examples/express-pino/app.ts                 # this app, on PORT (default 3000)
 *   curl -H 'x-request-id: demo-1' localhost:3000/orders/42
 *   npm run logq -- query --service express-shop
 *
 * pino serializes on the app's thread; the transport parses, encodes OTLP and calls gRPC in pino's
 * worker thread. logq's Express middleware gives each request its id and trace; `logqPinoMixin()`
 * copies them into every pino line, so the stored rows carry `request.id`, TraceId and SpanId.
 */
import express from 'express';
import pino from 'pino';
import { logqPinoMixin, registerLogging, requestLogging } from 'logq';

const endpoint = process.env.LOGQ_ENDPOINT ?? 'http://127.0.0.1:4317';
const serviceName = process.env.OTEL_SERVICE_NAME ?? 'express-shop';

// logq's own pipeline: the request middleware's access records and the request context.
const logging = registerLogging({ endpoint, serviceName });

const logger = pino(
  { level: process.env.LOG_LEVEL ?? 'info', name: 'shop', mixin: logqPinoMixin() },
  pino.transport({ target: 'logq/pino', options: { endpoint, serviceName } }),
);

const app = express();
app.use(requestLogging());

app.get('/orders/:id', (req, res) => {
  const log = logger.child({ orderId: req.params.id });
  log.info('loading order');
  if (req.params.id === '0') {
    log.error({ err: new RangeError('order id must be positive') }, 'bad order id');
    res.status(400).json({ error: 'bad order id' });
    return;
  }
  res.json({ id: req.params.id, status: 'placed' });
});

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const address = server.address();
  logger.info({ port: typeof address === 'object' && address ? address.port : undefined }, 'listening');
  console.log(`listening on ${typeof address === 'object' && address ? address.port : ''}`);
});

// pino flushes its transport on exit; logq's pipeline flushes in shutdown().
process.once('SIGTERM', () => {
  server.close(async () => {
    await logging.shutdown();
    process.exit(0);
  });
});
