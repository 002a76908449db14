import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { queryRows } from '../helpers/collector.ts';
import type { RunningCollector } from '../../src/collector/Collector.ts';

/** Rows in otel_logs. */
export async function storedCount(c: RunningCollector): Promise<number> {
  const [row] = await queryRows<{ n: string }>(c, 'SELECT count() AS n FROM otel.otel_logs');
  return Number(row.n);
}

/** Waits until the store holds `n` rows (the collector acknowledges before it inserts). */
export async function waitStored(c: RunningCollector, n: number): Promise<void> {
  for (let i = 0; i < 200 && (await storedCount(c)) < n; i++) await new Promise((r) => setTimeout(r, 50));
  expect(await storedCount(c)).toBe(n);
}

/** Every record the query API returns for `params`, following its cursor. */
export async function allRecords(httpBase: string, token: string, params: URLSearchParams): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | null = null;
  do {
    const p = new URLSearchParams(params);
    p.set('limit', '1000');
    if (cursor) p.set('cursor', cursor);
    const res = await fetch(`${httpBase}/api/logs?${p}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const r: any = await res.json();
    out.push(...r.records);
    cursor = r.nextCursor;
  } while (cursor);
  return out;
}

/** logq's level name of a severity number. */
export const levelOf = (n: number): string => (n < 1 ? 'UNSPECIFIED' : ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'][(n - 1) >> 2]);

/**
 * Runs in the page: no search in flight. (The test compiles without DOM types and the page's CSP
 * forbids string evaluation; it is serialized into the page, so it must not close over anything.)
 */
export const NOT_BUSY = () => !(globalThis as any).document.body.classList.contains('busy');

/** Runs `action` and returns the filters the page then sent with its histogram request (so a test can ask the API the same). */
export async function nextChartParams(page: Page, action: () => Promise<unknown>): Promise<URLSearchParams> {
  const [request] = await Promise.all([page.waitForRequest((r) => r.url().includes('/api/logs/histogram')), action()]);
  const params = new URL(request.url()).searchParams;
  params.delete('bucket');
  await page.waitForFunction(NOT_BUSY);
  return params;
}
