import type { IncomingMessage, ServerResponse } from 'node:http';
import { beginRequest, finishRequest, resolveRequestOptions, runRequest, type RequestLoggingOptions } from './request-core.ts';

/**
 * Wraps a `node:http` request handler: request id, log context and one access record per
 * request, as {@link requestLogging} does for Express. Returns the wrapped handler.
 */
export function withRequestLogging<Req extends IncomingMessage, Res extends ServerResponse>(
  handler: (req: Req, res: Res) => unknown,
  options: RequestLoggingOptions = {},
): (req: Req, res: Res) => void {
  const opts = resolveRequestOptions(options);
  return (req, res) => {
    const state = beginRequest(opts, req.headers, req.method, req.url);
    res.setHeader(opts.header, state.ctx.requestId!);
    let done = false;
    const finish = (aborted: boolean) => {
      if (done) return;
      done = true;
      finishRequest(opts, state, aborted && !res.headersSent ? 499 : res.statusCode, undefined, aborted);
    };
    res.once('finish', () => finish(false));
    res.once('close', () => finish(!res.writableFinished));
    runRequest(state, () => {
      try {
        const result = handler(req, res);
        if (result && typeof (result as Promise<unknown>).catch === 'function') {
          (result as Promise<unknown>).catch((err: unknown) => fail(res, err));
        }
      } catch (err) {
        fail(res, err);
      }
    });
  };
}

/** A handler that throws answers 500 (and is logged by the access record) instead of crashing the server. */
function fail(res: ServerResponse, err: unknown): void {
  void err;
  if (!res.headersSent) {
    res.statusCode = 500;
    res.end();
  } else res.destroy();
}
