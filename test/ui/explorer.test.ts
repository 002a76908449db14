import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeverityNumber } from '@opentelemetry/api';
import type { Page } from 'playwright-core';
import { startTestCollector, tempDir } from '../helpers/collector.ts';
import {
  allRecords as allRecordsOf,
  levelOf,
  nextChartParams as nextChartParamsOf,
  NOT_BUSY,
  waitStored as waitStoredIn,
} from './explorer-helpers.ts';
import { launchBrowser } from './browser.ts';
import { REQUEST_ID, seedApp, seedRecords, TRACE_ID, type SeedApp, type Seeded } from './seed.ts';

// Issue 8: the web explorer in real headless Chromium, against a real collector fed by logq's
// exporter. Screenshots of the main views are taken on every run; they replace docs/screenshots/
// only with LOGQ_UPDATE_SCREENSHOTS=1 (otherwise they go to the test's temp dir, so a test run
// leaves the working tree clean).

const TOKEN = 'explorer-test-token';
const tmp = tempDir('logq-ui-');
const SHOTS = process.env.LOGQ_UPDATE_SCREENSHOTS === '1' ? new URL('../../docs/screenshots/', import.meta.url).pathname : `${tmp.dir}/`;
let c: Awaited<ReturnType<typeof startTestCollector>>;
let checkout: SeedApp;
let payments: SeedApp;
let seeded: Seeded;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;

const waitStored = (n: number) => waitStoredIn(c, n);
const allRecords = (params: URLSearchParams) => allRecordsOf(c.httpBase, TOKEN, params);
const nextChartParams = (action: () => Promise<unknown>) => nextChartParamsOf(page, action);
const rowTexts = (column: string) => page.locator(`#rows td.${column}`).allTextContents();
const chartTotal = async () => Number(await page.locator('#chart-total').getAttribute('data-total'));

beforeAll(async () => {
  c = await startTestCollector(tmp.dir, { authTokens: [TOKEN] });
  checkout = seedApp('checkout', c.grpcEndpoint, TOKEN);
  payments = seedApp('payments', c.grpcEndpoint, TOKEN);
  seeded = await seedRecords(checkout, payments, Date.now());
  await waitStored(seeded.total);
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.setDefaultTimeout(10_000);
});

afterAll(async () => {
  await browser?.close();
  await checkout?.provider.shutdown();
  await payments?.provider.shutdown();
  await c?.stop();
  tmp.cleanup();
});

describe('web explorer in headless Chromium (real collector, real engine)', () => {
  it('asks for the bearer token once and keeps it for the session', async () => {
    await page.goto(c.httpBase + '/');
    const dialog = page.getByRole('dialog', { name: 'Access token' });
    await expect(dialog.isVisible()).resolves.toBe(true);
    await page.getByLabel('Token', { exact: true }).fill('wrong-token');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('The token was not accepted').waitFor();
    await page.getByLabel('Token', { exact: true }).fill(TOKEN);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.locator('#rows tr').first().waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('logq.token'))).toBe(TOKEN);
    await page.reload();
    await page.locator('#rows tr').first().waitFor();
    expect(await dialog.isVisible()).toBe(false);
  });

  it('draws a histogram whose totals per level equal the API counts', async () => {
    const params = await nextChartParams(() => page.reload());
    const records = await allRecords(params);
    expect(records).toHaveLength(seeded.total);
    const perLevel: Record<string, number> = {};
    for (const r of records) perLevel[levelOf(r.severityNumber)] = (perLevel[levelOf(r.severityNumber)] ?? 0) + 1;
    expect(await chartTotal()).toBe(records.length);
    const legend = await page.locator('#legend li').evaluateAll((lis) => Object.fromEntries(lis.map((li) => [li.getAttribute('data-level'), Number(li.getAttribute('data-count'))])));
    expect(legend).toEqual(perLevel);
    const bars = await page.locator('#histogram rect.bar').evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-count'))));
    expect(bars.length).toBeGreaterThan(10);
    expect(bars.reduce((a, n) => a + n, 0)).toBe(records.length);
    await page.screenshot({ path: SHOTS + 'explorer-overview.png' });
  });

  it('lists newest first and loads further pages on scroll, with the API cursor', async () => {
    expect(await page.locator('#rows tr').count()).toBe(100);
    const scroller = page.locator('#scroller');
    for (let i = 0; i < 20 && (await page.locator('#rows tr').count()) < seeded.total; i++) {
      await scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await page.waitForTimeout(100);
    }
    expect(await page.locator('#rows tr').count()).toBe(seeded.total);
    const times = await page.locator('#rows td.time').evaluateAll((tds) => tds.map((td) => td.getAttribute('title')!));
    expect([...times].sort().reverse()).toEqual(times);
    const cursors = await page.locator('#rows tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-cursor')));
    expect(new Set(cursors).size).toBe(seeded.total);
  });

  it('filters by minimum level', async () => {
    const params = await nextChartParams(() => page.getByLabel('Minimum level').selectOption('ERROR'));
    expect(params.get('level')).toBe('ERROR');
    const levels = await page.locator('#rows td.level').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-level')));
    expect(levels).toHaveLength(seeded.errorsOrWorse);
    expect(new Set(levels)).toEqual(new Set(['ERROR', 'FATAL']));
    expect(await chartTotal()).toBe(seeded.errorsOrWorse);
    const color = await page.locator('#rows td.level[data-level="ERROR"]').first().evaluate((td) => (globalThis as any).getComputedStyle(td).color);
    expect(color).toBe('rgb(208, 52, 44)');
    await page.screenshot({ path: SHOTS + 'explorer-level-filter.png' });
    await page.getByLabel('Minimum level').selectOption('');
  });

  it('searches a word in the message', async () => {
    await page.getByLabel('Search message').fill('declined');
    await nextChartParams(() => page.getByLabel('Search message').press('Enter'));
    const messages = await rowTexts('message');
    expect(messages).toHaveLength(seeded.declined);
    expect(messages.every((m) => m.includes('payment declined'))).toBe(true);
    expect(await chartTotal()).toBe(seeded.declined);
    await page.getByLabel('Search message').fill('');
  });

  it('filters by attribute, user id and request id, and names a bad field', async () => {
    await page.getByLabel('Attribute').fill('payment.provider=acme');
    await page.getByLabel('User id').fill('u-2');
    const params = await nextChartParams(() => page.getByRole('button', { name: 'Search' }).click());
    const expected = await allRecords(params);
    expect(expected.length).toBeGreaterThan(0);
    expect(await rowTexts('message')).toEqual(expected.map((r) => r.body));
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.waitForFunction(NOT_BUSY);
    await page.getByLabel('Request id').fill(REQUEST_ID);
    await nextChartParams(() => page.getByLabel('Request id').press('Enter'));
    expect(await rowTexts('message')).toEqual([...seeded.trace].reverse().map((t) => t.body));
    await page.getByLabel('Trace id').fill('not-hex');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('alert').filter({ hasText: 'Trace id: expected 32 hex digits' }).waitFor();
    expect(await page.getByLabel('Trace id').getAttribute('aria-invalid')).toBe('true');
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.waitForFunction(() => !(globalThis as any).document.body.classList.contains('busy') && (globalThis as any).document.getElementById('error').textContent === '');
  });

  it('opens a record with the keyboard: every attribute, resource attribute and the trace id', async () => {
    const row = page.locator('#rows tr', { hasText: 'authorization slow' });
    await row.click();
    await row.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    const detail = page.locator('#detail');
    await detail.getByText('authorization slow: 1200 ms').first().waitFor();
    const attrs = await detail.locator('table.attrs').first().locator('tr').evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')!.textContent, tr.querySelector('td')!.textContent]));
    expect(attrs).toEqual([['request.id', REQUEST_ID], ['user.id', 'u-77']]);
    const resource = await detail.locator('table.attrs').nth(1).textContent();
    expect(resource).toContain('service.name');
    expect(resource).toContain('payments');
    expect(resource).toContain('deployment.environment.name');
    await expect(detail.getByRole('button', { name: `Trace ${TRACE_ID}: show every record of this request` }).isVisible()).resolves.toBe(true);
    expect(await detail.textContent()).toContain('payments.handlers');
    // Escape from the panel returns the keyboard to the record it shows.
    await detail.getByRole('button', { name: /^Trace / }).focus();
    await page.keyboard.press('Escape');
    const focused = await page.evaluate(() => {
      const el = (globalThis as any).document.activeElement;
      return { current: el.getAttribute('aria-current'), text: el.textContent as string };
    });
    expect(focused.current).toBe('true');
    expect(focused.text).toContain('authorization slow: 1200 ms');
    await page.screenshot({ path: SHOTS + 'explorer-detail.png' });
  });

  it('follows a trace id: every record of the request, in order, across services', async () => {
    await page.locator('#detail').getByRole('button', { name: new RegExp(`^Trace ${TRACE_ID}`) }).click();
    await page.getByRole('button', { name: 'Back to search results' }).waitFor();
    expect(await rowTexts('message')).toEqual(seeded.trace.map((t) => t.body));
    expect(await rowTexts('service')).toEqual(seeded.trace.map((t) => t.service));
    expect(await page.locator('#view-note').textContent()).toContain('5 records across 2 services, oldest first');
    await page.screenshot({ path: SHOTS + 'explorer-trace.png' });
    await nextChartParams(() => page.getByRole('button', { name: 'Back to search results' }).click());
    expect(await page.locator('#rows tr').count()).toBe(100);
  });

  it('live tail: a new record appears at the top without reload', async () => {
    await page.evaluate(() => ((globalThis as any).sameDocument = true));
    await page.getByLabel('Live tail').check();
    // No long digit runs: the collector redacts numbers that pass the card-number check.
    const body = `tailed record ${Date.now().toString(36)}`;
    payments.emit(SeverityNumber.WARN, body, { 'request.id': 'req-tail' });
    await payments.provider.forceFlush();
    await waitStored(seeded.total + 1);
    const tailCalls: string[] = [];
    page.on('requestfinished', (r) => void (r.url().includes('after=') && r.response().then((res) => tailCalls.push(`${Date.now()} ${res?.status()} ${r.url().split('?')[1]}`))));
    page.on('requestfailed', (r) => void (r.url().includes('after=') && tailCalls.push(`${Date.now()} failed ${r.failure()?.errorText}`)));
    try {
      await page.locator('#rows tr').first().filter({ hasText: body }).waitFor({ timeout: 20_000 });
    } catch (error) {
      const first = await page.locator('#rows tr').first().textContent();
      const status = await page.locator('#status').textContent();
      throw new Error(`tailed record not shown: status "${status}", first row "${first}", last polls:\n${tailCalls.slice(-4).join('\n')}`, { cause: error });
    }
    expect(await page.locator('#rows tr').first().getAttribute('class')).toContain('new');
    expect(await page.locator('#rows tr').count()).toBe(101);
    expect(await page.evaluate(() => (globalThis as any).sameDocument)).toBe(true); // no reload happened
    // The chart catches up too: its total counts the tailed record.
    await page.locator(`#chart-total[data-total="${seeded.total + 1}"]`).waitFor();
    await page.screenshot({ path: SHOTS + 'explorer-live-tail.png' });
    await page.getByLabel('Live tail').uncheck();
  });

  it('keeps every region in place while a search loads (no layout jump)', async () => {
    // Regions keep position and size; the legend's text changes with the data, but it starts where it did.
    const regions = ['form.filters', '#histogram', '#status', '#scroller', '#detail', '#results-title'];
    const boxes = async () => [
      ...(await Promise.all(regions.map((sel) => page.locator(sel).boundingBox()))),
      await page.locator('#legend').boundingBox().then((b) => ({ x: b!.x, y: b!.y })),
    ];
    const before = await boxes();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    // Hold the real API's answers (the collector still serves them) to look at the page mid-load.
    await page.route('**/api/logs**', async (route) => {
      await held;
      await route.continue();
    });
    await page.getByLabel('Minimum level').selectOption('WARN');
    await page.waitForFunction(() => (globalThis as any).document.body.classList.contains('busy'));
    expect(await page.locator('#status').textContent()).toBe('Loading…');
    expect(await page.locator('#results').getAttribute('aria-busy')).toBe('true');
    const loading = await boxes();
    release();
    await page.waitForFunction(NOT_BUSY);
    await page.unroute('**/api/logs**');
    const after = await boxes();
    expect(loading).toEqual(before);
    expect(after).toEqual(before);
    await page.getByLabel('Minimum level').selectOption('');
    await page.waitForFunction(NOT_BUSY);
  });

  it('a preset range asks for that window and counts what the API counts', async () => {
    const asked = Date.now();
    const params = await nextChartParams(() => page.getByLabel('Time range').selectOption('15m'));
    expect(Math.abs(Number(params.get('since')) - (asked - 15 * 60_000))).toBeLessThan(60_000);
    expect(params.has('until')).toBe(false);
    const expected = await allRecords(params);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(seeded.total);
    expect(await chartTotal()).toBe(expected.length);
    expect(await page.locator('#rows tr').count()).toBe(Math.min(100, expected.length));
    await nextChartParams(() => page.getByLabel('Time range').selectOption('1h'));
  });

  it('a custom range typed into From and To is the window searched', async () => {
    const seconds = (ms: number) => Math.floor(ms / 1000) * 1000;
    const from = seconds(Date.now() - 40 * 60_000);
    const to = seconds(Date.now() - 10 * 60_000);
    const local = (ms: number) => new Date(ms).toISOString().slice(0, 19); // the page runs in UTC
    await page.getByLabel('Time range').selectOption('custom');
    await page.getByLabel('From', { exact: true }).fill(local(from));
    await page.getByLabel('To', { exact: true }).fill(local(to));
    const params = await nextChartParams(() => page.getByLabel('To', { exact: true }).press('Enter'));
    expect([params.get('since'), params.get('until')]).toEqual([String(from), String(to)]);
    const expected = await allRecords(params);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.every((r) => Number(BigInt(r.timestampNs) / 1_000_000n) >= from && Number(BigInt(r.timestampNs) / 1_000_000n) < to)).toBe(true);
    expect(await chartTotal()).toBe(expected.length);
    await nextChartParams(() => page.getByLabel('Time range').selectOption('1h'));
  });

  it('dragging across the histogram narrows the range to what was selected', async () => {
    const box = (await page.locator('#histogram').boundingBox())!;
    const params = await nextChartParams(async () => {
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.75, box.y + box.height / 2, { steps: 5 });
      await page.mouse.up();
    });
    expect(await page.getByLabel('Time range').inputValue()).toBe('custom');
    const since = Number(params.get('since'));
    const until = Number(params.get('until'));
    expect(until - since).toBeGreaterThan(10 * 60_000);
    expect(until - since).toBeLessThan(20 * 60_000);
    const expected = await allRecords(params);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(seeded.total);
    expect(await chartTotal()).toBe(expected.length);
    const shown = await page.locator('#rows tr').evaluateAll((trs) => trs.length);
    expect(shown).toBe(Math.min(100, expected.length));
  });
  it('keeps the view in the URL: a reload or a shared link shows the same filters or request', async () => {
    await page.getByLabel('Minimum level').selectOption('WARN');
    await page.getByLabel('Search message').fill('slow');
    await nextChartParams(() => page.getByLabel('Search message').press('Enter'));
    expect(page.url()).toContain('level=WARN');
    const params = await nextChartParams(() => page.reload());
    expect(params.get('level')).toBe('WARN');
    expect(params.get('grep')).toBe('slow');
    expect(await page.getByLabel('Search message').inputValue()).toBe('slow');
    expect(await rowTexts('message')).toEqual(['authorization slow: 1200 ms']);
    await page.goto(`${c.httpBase}/#request=${TRACE_ID}`);
    await page.getByRole('button', { name: 'Back to search results' }).waitFor();
    expect(await rowTexts('message')).toEqual(seeded.trace.map((t) => t.body));
    await nextChartParams(() => page.getByRole('button', { name: 'Back to search results' }).click());
    expect(page.url()).not.toContain('request=');
  });

  it('offers every service that logged in the range in the service picker, not only those on screen', async () => {
    // A fresh load filtered to one service: the rows show only payments, the picker still offers checkout.
    await nextChartParams(() => page.goto(`${c.httpBase}/?fresh=1#service=payments`));
    expect(new Set(await rowTexts('service'))).toEqual(new Set(['payments']));
    const offered = () => page.locator('#services option').evaluateAll((options) => options.map((o) => (o as unknown as { value: string }).value).sort());
    await expect.poll(offered).toEqual(['checkout', 'payments']);
  });

  it('fits a laptop screen: no horizontal scrolling, the result list keeps room', async () => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await nextChartParams(() => page.getByRole('button', { name: 'Search' }).click());
    const overflow = await page.evaluate(() => {
      const root = (globalThis as any).document.documentElement;
      return root.scrollWidth - root.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    const list = (await page.locator('#scroller').boundingBox())!;
    expect(list.height).toBeGreaterThanOrEqual(200);
    expect(list.y + list.height).toBeLessThanOrEqual(720);
    expect((await page.locator('#detail').boundingBox())!.x + 420).toBeLessThanOrEqual(1280);
    await page.screenshot({ path: SHOTS + 'explorer-laptop.png' });
  });

  it('says so when the collector cannot be reached, and keeps what is shown', async () => {
    const shown = await page.locator('#rows tr').count();
    await c.stop();
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('alert').filter({ hasText: /cannot reach the collector/ }).waitFor();
    expect(await page.locator('#status').textContent()).toBe('Search failed');
    expect(await page.locator('#rows tr').count()).toBe(shown);
  });
});
