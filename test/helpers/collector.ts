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
