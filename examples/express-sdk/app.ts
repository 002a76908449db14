/**
 * Express 5 with logq's own SDK: levels, request context, wrappers, redaction, exit flush.
 *
 *   npm run build && npm start                        # the collector, on 127.0.0.1:4317
 *   LOG_LEVEL=info,shop.db=debug node examples/express-sdk/app.ts
 *   curl -H 'x-request-id: demo-1' -H 'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' localhost:3000/orders/42
 *   npm run logq -- query --service express-sdk
 *
 * Every record written while a request is handled carries request.id, user.id (after setUser) and
 * the trace id of the incoming traceparent; one access record per request is written by the
 * middleware (4xx WARN, 5xx ERROR). Ctrl-C flushes what is queued before the process ends.
 */
import express from 'express';
import { getLogger, logCall, registerLogging, requestLogging, setUser, withLogContext } from 'logq';

const logging = registerLogging({
  endpoint: process.env.LOGQ_ENDPOINT ?? 'http://127.0.0.1:4317',
  serviceName: process.env.OTEL_SERVICE_NAME ?? 'express-sdk',
  console: process.env.LOGQ_CONSOLE === '1', // also print records while developing
  codeLocation: true, // code.* attributes on ERROR and FATAL records
});

const log = getLogger('shop.orders');
const db = getLogger('shop.db');

const loadOrder = logCall(async function loadOrder(id: string) {
  db.debug('SELECT order', { order: { id } });
  return { id, total: 42, card: '4111 1111 1111 1111' }; // the card number is redacted in the record below
}, { logger: db });

const app = express();
app.use(requestLogging());
app.get('/orders/:id', async (req, res) => {
  setUser(req.get('x-user') ?? 'anonymous');
  const order = await withLogContext('load-order', () => loadOrder(req.params.id), { order: { id: req.params.id } });
  log.info('order served', { order });
  res.json({ id: order.id, total: order.total });
});
app.get('/fail', () => {
  throw new Error('example failure');
});

const port = Number(process.env.PORT ?? 3000);
// Loopback unless told otherwise (the compose file sets HOST=0.0.0.0 inside its container).
const host = process.env.HOST ?? '127.0.0.1';
app.listen(port, host, () => log.info('listening', { host, port }));
process.on('SIGINT', () => {
  void logging.shutdown().then(() => process.exit(0));
});
