/**
 * winston with logq's `LogqTransport`, next to its usual console transport.
 *
 *   npm run build && npm start                        # the collector, on 127.0.0.1:4317
 *   node examples/winston/app.ts                      # this app, on PORT (default 3000)
 *   curl -H 'x-request-id: demo-1' localhost:3000/orders/42
 *
 * LogqTransport emits on the app's thread into the provider registerLogging() installed (so the
 * records share logq's queue, redaction and exporter); `format.errors({ stack: true })` gives it
 * the stacks it stores as exception.*.
 */
import { createServer } from 'node:http';
import winston from 'winston';
import { LogqTransport, registerLogging, withRequestLogging } from 'logq';

const endpoint = process.env.LOGQ_ENDPOINT ?? 'http://127.0.0.1:4317';
const logging = registerLogging({ endpoint, serviceName: process.env.OTEL_SERVICE_NAME ?? 'winston-shop' });

const logger = winston.createLogger({
  level: process.env.LOG_LEVEL ?? 'info',
  format: winston.format.combine(winston.format.errors({ stack: true }), winston.format.timestamp(), winston.format.json()),
  defaultMeta: { component: 'shop' },
  transports: [new LogqTransport({ loggerName: 'shop' }), new winston.transports.Console({ level: 'warn' })],
});

const server = createServer(
  withRequestLogging((req, res) => {
    const id = /^\/orders\/(\w+)$/.exec(req.url ?? '')?.[1];
    if (!id) {
      logger.warn('no such route', { url: req.url });
      res.writeHead(404).end();
      return;
    }
    logger.info('loading order', { orderId: id });
    if (id === '0') {
      logger.error(new RangeError('order id must be positive'));
      res.writeHead(400).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id, status: 'placed' }));
  }),
);
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening on ${typeof address === 'object' && address ? address.port : ''}`);
});

process.once('SIGTERM', () => {
  server.close(async () => {
    await logging.shutdown();
    process.exit(0);
  });
});
