import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector, type CollectorHooks, type RunningCollector } from '../../src/collector/Collector.ts';
import { DEFAULT_CONFIG, type CollectorConfig } from '../../src/collector/config.ts';

/** A temporary directory removed by the returned cleanup. */
export function tempDir(prefix = 'logq-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Starts a real collector in this process on free ports of 127.0.0.1 with an embedded store in
 * `dataDir` (chDB binds one data directory per process: reuse the same dir within a test file).
 */
export async function startTestCollector(
  dataDir: string,
  overrides: Partial<CollectorConfig> = {},
  hooks: CollectorHooks = {},
): Promise<RunningCollector & { grpcEndpoint: string; httpBase: string }> {
  const c = await startCollector(
    {
      ...DEFAULT_CONFIG,
      grpcListen: '127.0.0.1:0',
      httpListen: '127.0.0.1:0',
      dataDir,
      batchMaxDelayMs: 50,
      ...overrides,
    },
    hooks,
  );
  return Object.assign(c, {
    grpcEndpoint: `http://127.0.0.1:${c.grpcPort}`,
    httpBase: `http://127.0.0.1:${c.httpPort}`,
  });
}

/** Runs a query on the collector's store and returns JSON rows. */
export async function queryRows<T = Record<string, unknown>>(
  c: RunningCollector,
  query: string,
  params: Record<string, unknown> = {},
): Promise<T[]> {
  const rs = await c.store.client.query({
    query,
    query_params: params,
    format: 'JSONEachRow',
    clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
  });
  return rs.json<T>();
}

/**
 * Polls `probe` until it returns true (the collector acknowledges once records are durable in its
 * spool and inserts them right after, so tests wait for rows instead of assuming them).
 */
export async function eventually(probe: () => Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Waits until `SELECT count() FROM otel.otel_logs WHERE <where>` reaches `n`. */
export async function waitForCount(
  c: RunningCollector,
  where: string,
  n: number,
  params: Record<string, unknown> = {},
  timeoutMs = 20_000,
): Promise<void> {
  let last = -1;
  await eventually(
    async () => {
      const [row] = await queryRows<{ n: string }>(c, `SELECT count() AS n FROM otel.otel_logs WHERE ${where}`, params);
      last = Number(row.n);
      return last >= n;
    },
    timeoutMs,
    `${n} rows WHERE ${where} (last count ${last})`,
  );
}

/** Waits until the collector holds nothing unwritten: no rows in memory, none in its spool. */
export async function waitForDrain(c: RunningCollector, timeoutMs = 20_000): Promise<void> {
  await eventually(async () => c.stats.pendingRows === 0 && c.spool.rows === 0, timeoutMs, 'the spool to drain into ClickHouse');
}
