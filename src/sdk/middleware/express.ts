import type { IncomingMessage, ServerResponse } from 'node:http';
import { beginRequest, finishRequest, resolveRequestOptions, runRequest, type RequestLoggingOptions } from './request-core.ts';

/** The parts of an Express 5 / Connect request the middleware reads. */
interface ExpressLikeRequest extends IncomingMessage {
  originalUrl?: string;
  baseUrl?: string;
  route?: { path?: unknown };
}

/**
 * Express 5 / Connect middleware: gives each request a request id (X-Request-Id in, or
 * generated; set on the response) and a log context, so every record logged while handling it
 * carries `request.id`, `user.id` (after {@link setUser}) and trace ids; writes one access record
 * when the response finishes (or the client goes away). Mount it before your routes.
 */
export function requestLogging(options: RequestLoggingOptions = {}) {
  const opts = resolveRequestOptions(options);
  return function logqRequestLogging(req: ExpressLikeRequest, res: ServerResponse, next: (err?: unknown) => void): void {
    const state = beginRequest(opts, req.headers, req.method, req.originalUrl ?? req.url);
    if (!res.headersSent) res.setHeader(opts.header, state.ctx.requestId!);
    let done = false;
    const finish = (aborted: boolean) => {
      if (done) return;
      done = true;
      const routePath = typeof req.route?.path === 'string' ? req.route.path : undefined;
      const route = routePath !== undefined ? `${req.baseUrl ?? ''}${routePath}` : undefined;
      finishRequest(opts, state, aborted && !res.headersSent ? 499 : res.statusCode, route, aborted);
    };
    res.once('finish', () => finish(false));
    res.once('close', () => finish(!res.writableFinished));
    runRequest(state, () => next());
  };
}
