import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerExplorer } from '../../src/collector/explorer.ts';
import { HttpServer } from '../../src/collector/HttpServer.ts';
import { startTestCollector, tempDir } from '../helpers/collector.ts';

// The explorer's static routes on a real collector (real sockets): served offline from the
// package, no path reaches the file system, and data stays behind the query API's token.

const TOKEN = 'routes-test-token';
const tmp = tempDir('logq-ui-routes-');
let c: Awaited<ReturnType<typeof startTestCollector>>;

beforeAll(async () => {
  c = await startTestCollector(tmp.dir, { authTokens: [TOKEN] });
});
afterAll(async () => {
  await c.stop();
  tmp.cleanup();
});

describe('web explorer routes', () => {
  it('serves the page at / with a self-only CSP, and its modules and styles under /ui/', async () => {
    const page = await fetch(`${c.httpBase}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    const html = await page.text();
    const refs = [...html.matchAll(/(?:src|href)="(\/ui\/[^"]+)"/g)].map((m) => m[1]);
    expect(refs).toEqual(expect.arrayContaining(['/ui/app.js', '/ui/explorer.css']));
    expect(html).not.toMatch(/https?:\/\//); // nothing from a CDN: it works offline
    for (const ref of refs) {
      const res = await fetch(c.httpBase + ref);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(ref.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
      const text = await res.text();
      expect(text).not.toMatch(/from\s+['"]https?:/);
      // Every module the app imports is served too.
      for (const m of text.matchAll(/from '\.\/([a-z-]+\.js)'/g)) expect((await fetch(`${c.httpBase}/ui/${m[1]}`)).status).toBe(200);
    }
  });

  it('needs no token for the page itself, while the data it reads does', async () => {
    expect((await fetch(`${c.httpBase}/ui/app.js`)).status).toBe(200);
    expect((await fetch(`${c.httpBase}/api/logs`)).status).toBe(401);
  });

  it('revalidates with ETag and answers HEAD', async () => {
    const first = await fetch(`${c.httpBase}/ui/app.js`);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect((await fetch(`${c.httpBase}/ui/app.js`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    const head = await fetch(`${c.httpBase}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(1000);
  });

  it('answers 404 naming the files it has for anything else, including traversal attempts', async () => {
    for (const path of ['/ui/nope.js', '/ui/..%2Fcollector%2FCollector.ts', '/ui/%2e%2e%2fpackage.json', '/ui/index.html', '/ui/']) {
      const res = await fetch(c.httpBase + path);
      expect(res.status, path).toBe(404);
      const body = await res.text();
      expect(body, path).not.toContain('import ');
      if (path !== '/ui/') expect(JSON.parse(body).error).toContain('expected one of');
    }
    expect((await fetch(`${c.httpBase}/ui/app.js`, { method: 'POST' })).status).toBe(405);
  });

  it('refuses to start without an index.html, naming the folder', () => {
    const dir = mkdtempSync(join(tmp.dir, 'empty-ui-'));
    writeFileSync(join(dir, 'app.js'), '');
    const http = new HttpServer('127.0.0.1:0', async () => {});
    expect(() => registerExplorer(http, { assetDir: dir })).toThrow(`web explorer: no index.html in ${dir}`);
  });
});
