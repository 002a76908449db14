/**
 * Fastify 5 with its built-in pino logger, shipping to logq through the `logq/pino` transport.
 *
 *   npm run build && npm start                        # the collector, on 127.0.0.1:4317
 *   node examples/fastify-pino/app.ts                 # this app, on PORT (default 3000)
 *   curl -H 'x-request-id: demo-1' localhost:3000/orders/42
 *
 * Fastify's logger options are pino's: `transport` runs logq/pino in pino's worker thread and
 * `mixin` adds logq's correlation. `requestIdLogLabel: 'request.id'` makes Fastify's own request
 * records ("incoming request", "request completed") carry the same attribute name logq uses, and
 * `requestIdHeader` takes the id from X-Request-Id as logq's middleware does.
 */
import Fastify from 'fastify';
import { fastifyRequestLogging, logqPinoMixin, registerLogging } from 'logq';

const endpoint = process.env.LOGQ_ENDPOINT ?? 'http://127.0.0.1:4317';
const serviceName = process.env.OTEL_SERVICE_NAME ?? 'fastify-shop';
const logging = registerLogging({ endpoint, serviceName });

const app = Fastify({
  logger: {
    level: process.env.LOG_LEVEL ?? 'info',
    mixin: logqPinoMixin(),
    transport: { target: 'logq/pino', options: { endpoint, serviceName, loggerName: 'fastify' } },
  },
  requestIdHeader: 'x-request-id',
  requestIdLogLabel: 'request.id',
});
await app.register(fastifyRequestLogging);

app.get('/orders/:id', async (req) => {
  const { id } = req.params as { id: string };
  req.log.info({ orderId: id }, 'loading order');
  if (id === '0') throw Object.assign(new RangeError('order id must be positive'), { statusCode: 400 });
  return { id, status: 'placed' };
});

const address = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3000) });
console.log(`listening on ${new URL(address).port}`);

process.once('SIGTERM', async () => {
  await app.close();
  await logging.shutdown();
  process.exit(0);
});
