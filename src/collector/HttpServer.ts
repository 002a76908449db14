import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { parseListen } from './config.ts';

/** Answers readiness: resolves when the collector can take data, rejects with the reason when not. */
export type ReadinessCheck = () => Promise<void>;

/**
 * The HTTP listener: `/healthz` (the process is alive) and `/readyz` (storage answers; 503 with
 * a JSON reason otherwise).
 */
export class HttpServer {
  private readonly server: Server;
  private readonly listen: string;
  /** The port actually bound. */
  port = 0;

  constructor(listen: string, ready: ReadinessCheck) {
    this.listen = listen;
    this.server = createServer((req, res) => void this.route(req, res, ready));
  }

  private async route(req: IncomingMessage, res: ServerResponse, ready: ReadinessCheck): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'method not allowed' });
    if (path === '/healthz') return send(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      try {
        await ready();
        return send(res, 200, { status: 'ready' });
      } catch (error) {
        return send(res, 503, { status: 'unavailable', reason: (error as Error).message });
      }
    }
    send(res, 404, { error: `no route ${path}` });
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

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
