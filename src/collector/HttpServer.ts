import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { parseListen } from './config-options.ts';
import type { TlsFiles } from './tls.ts';

/** Answers readiness: resolves when the collector can take data, rejects with the reason when not. */
export type ReadinessCheck = () => Promise<void>;

/** A route handler; `match` is the RegExp match of the path (named groups for parameters). */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, match: RegExpExecArray) => void | Promise<void>;

interface Route {
  method: string;
  pattern: RegExp;
  handler: RouteHandler;
}

/**
 * The collector's HTTP listener. Built-in routes: `/healthz` (the process is alive) and `/readyz`
 * (storage answers; 503 with a JSON reason otherwise). Other features (OTLP/HTTP, the query API,
 * metrics, the web explorer) register their routes with {@link HttpServer.route}.
 */
export class HttpServer {
  private readonly server: Server;
  private readonly listen: string;
  private readonly routes: Route[] = [];
  /** The port actually bound. */
  port = 0;

  /**
   * @param tls serve HTTPS with these files; with `clientCa`, clients must present a certificate
   *   it signed (mTLS — probes then need one too). @default undefined (plain HTTP)
   */
  constructor(listen: string, ready: ReadinessCheck, tls?: TlsFiles) {
    this.listen = listen;
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.dispatch(req, res);
    this.server = tls
      ? createTlsServer(
          { cert: tls.cert, key: tls.key, ...(tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}) },
          handler,
        )
      : createServer(handler);
    this.route('GET', /^\/healthz$/, (_req, res) => sendJson(res, 200, { status: 'ok' }));
    this.route('GET', /^\/readyz$/, async (_req, res) => {
      try {
        await ready();
        sendJson(res, 200, { status: 'ready' });
      } catch (error) {
        sendJson(res, 503, { status: 'unavailable', reason: (error as Error).message });
      }
    });
  }

  /** Adds a route. `GET` routes also answer `HEAD`. A string pattern must match the whole path. */
  route(method: string, pattern: RegExp | string, handler: RouteHandler): void {
    const re = typeof pattern === 'string' ? new RegExp('^' + pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '$') : pattern;
    this.routes.push({ method: method.toUpperCase(), pattern: re, handler });
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (r.method === req.method || (r.method === 'GET' && req.method === 'HEAD')) {
        try {
          await r.handler(req, res, m);
        } catch (error) {
          if (!res.headersSent) sendJson(res, 500, { error: `internal error: ${(error as Error).message}` });
          else res.destroy();
        }
        return;
      }
    }
    if (pathMatched) sendJson(res, 405, { error: `method ${req.method} not allowed on ${path}` });
    else sendJson(res, 404, { error: `no route ${path}` });
  }

  start(): Promise<void> {
    const { host, port } = parseListen(this.listen)!;
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host.replace(/^\[|\]$/g, ''), () => {
        this.server.off('error', reject);
        const addr = this.server.address();
        this.port = typeof addr === 'object' && addr ? addr.port : port;
        resolve();
      });
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** Sends a JSON response with the right length and content type. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
