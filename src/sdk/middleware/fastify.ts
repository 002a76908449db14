import type { IncomingMessage, ServerResponse } from 'node:http';
import { logContextStorage } from '../context.ts';
import { beginRequest, finishRequest, resolveRequestOptions, type RequestLoggingOptions, type RequestState } from './request-core.ts';
import { context as otelContext, trace } from '@opentelemetry/api';

/** The parts of Fastify 5 the plugin uses (typed structurally: fastify is not a runtime dependency). */
interface FastifyLikeRequest {
  raw: IncomingMessage;
  url: string;
  method: string;
  routeOptions?: { url?: string };
}
interface FastifyLikeReply {
  raw: ServerResponse;
  statusCode: number;
  header(name: string, value: string): unknown;
}
type Done = (err?: Error) => void;
type Hook = (req: FastifyLikeRequest, reply: FastifyLikeReply, done: Done) => void;
interface FastifyLikeInstance {
  addHook(name: 'onRequest' | 'preHandler' | 'onResponse', hook: Hook): unknown;
  addHook(name: 'onRequestAbort', hook: (req: FastifyLikeRequest, done: Done) => void): unknown;
}

const kState = Symbol('logq.requestState');
type WithState = FastifyLikeRequest & { [kState]?: RequestState & { logged?: boolean } };

function enter(state: RequestState, done: Done): void {
  logContextStorage.run(state.ctx, () => {
    const sc = state.ctx.spanContext;
    if (sc) otelContext.with(trace.setSpanContext(otelContext.active(), sc), () => done());
    else done();
  });
}

/**
 * Fastify 5 plugin: request id, log context and one access record per request (route pattern
 * from `routeOptions.url`). Register with `app.register(fastifyRequestLogging, options)`; it
 * applies to every route (it skips Fastify's encapsulation, as `fastify-plugin` would).
 */
export function fastifyRequestLogging(instance: FastifyLikeInstance, options: RequestLoggingOptions, done: Done): void {
  const opts = resolveRequestOptions(options ?? {});
  instance.addHook('onRequest', (req: WithState, reply, next) => {
    const state = beginRequest(opts, req.raw.headers, req.method, req.url);
    req[kState] = state;
    reply.header(opts.header, state.ctx.requestId!);
    enter(state, next);
  });
  // Body parsing can lose the async context: enter it again right before the handler.
  instance.addHook('preHandler', (req: WithState, _reply, next) => {
    const state = req[kState];
    if (state) enter(state, next);
    else next();
  });
  instance.addHook('onResponse', (req: WithState, reply, next) => {
    const state = req[kState];
    if (state && !state.logged) {
      state.logged = true;
      finishRequest(opts, state, reply.statusCode, req.routeOptions?.url);
    }
    next();
  });
  instance.addHook('onRequestAbort', (req: WithState, next) => {
    const state = req[kState];
    if (state && !state.logged) {
      state.logged = true;
      finishRequest(opts, state, 499, req.routeOptions?.url, true);
    }
    next();
  });
  done();
}

// Skip encapsulation so the hooks apply to the whole app (the flag fastify-plugin sets).
(fastifyRequestLogging as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')] = true;
(fastifyRequestLogging as unknown as Record<symbol, unknown>)[Symbol.for('fastify.display-name')] = 'logq-request-logging';
