import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';
import { sendJson, type HttpServer } from './HttpServer.ts';

/** Options of {@link registerExplorer}. */
export interface ExplorerOptions {
  /** Folder holding the page's static files (index.html, *.js, *.css). @default the `src/ui` folder of the logq package */
  assetDir?: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

// The page loads nothing from elsewhere (it must work offline) and runs no inline script.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/**
 * Finds the UI folder: `src/ui` next to this module when running from source; from `dist/collector`
 * (the build does not copy non-TS files) the package's `src/ui`, which the package ships.
 */
function defaultAssetDir(): string {
  const candidates = ['../ui/', '../../src/ui/'].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0];
}

/** Reads every servable file of `dir` once: the set of files is fixed, so no request path reaches the file system. */
function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const type = CONTENT_TYPES[extname(name)];
    if (!type || !/^[a-z0-9][a-z0-9.-]*$/.test(name)) continue;
    const body = readFileSync(join(dir, name));
    assets.set(name, { body, type, etag: `"${body.length.toString(16)}-${hashOf(body)}"` });
  }
  return assets;
}

/** FNV-1a over the bytes: enough to tell versions of a file apart for ETag revalidation. */
function hashOf(body: Buffer): string {
  let h = 0x811c9dc5;
  for (const byte of body) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h.toString(16);
}

function sendAsset(res: ServerResponse, asset: Asset, ifNoneMatch: string | undefined, head: boolean): void {
  const headers = { ...SECURITY_HEADERS, etag: asset.etag, 'cache-control': 'no-cache' };
  if (ifNoneMatch === asset.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'content-type': asset.type, 'content-length': asset.body.length });
  res.end(head ? undefined : asset.body);
}

/**
 * Serves the web log explorer on the collector's HTTP listener: `GET /` is the page, `GET /ui/<file>`
 * its scripts and styles (plain ES modules and CSS, no CDN: it works offline). The page reads
 * data from the query API (`/api/logs...`), which enforces the bearer token; the static files
 * themselves hold no data and need none. Throws at start-up if the asset folder has no index.html.
 */
export function registerExplorer(http: HttpServer, options: ExplorerOptions = {}): void {
  const dir = options.assetDir ?? defaultAssetDir();
  if (!existsSync(join(dir, 'index.html'))) {
    throw new Error(`web explorer: no index.html in ${dir}: expected the logq package's src/ui folder`);
  }
  const assets = loadAssets(dir);
  const index = assets.get('index.html')!;
  http.route('GET', /^\/(?:index\.html)?$/, (req, res) => sendAsset(res, index, req.headers['if-none-match'], req.method === 'HEAD'));
  http.route('GET', /^\/ui\/(?<file>[^/]+)$/, (req, res, m) => {
    const asset = m.groups!.file === 'index.html' ? undefined : assets.get(m.groups!.file);
    if (!asset) {
      sendJson(res, 404, { error: `no UI file ${m.groups!.file.slice(0, 80)}: expected one of ${[...assets.keys()].filter((n) => n !== 'index.html').join(', ')}` });
      return;
    }
    sendAsset(res, asset, req.headers['if-none-match'], req.method === 'HEAD');
  });
}
