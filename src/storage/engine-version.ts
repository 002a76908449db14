import type { ClickHouseClient } from '@clickhouse/client';

/** What the connected ClickHouse engine is and which features logq uses on it. */
export interface EngineInfo {
  /** `version()`, e.g. `26.7.2.1`. */
  version: string;
  major: number;
  minor: number;
  /**
   * The `text` (inverted) index is generally available from 26.2: logq uses it for body search
   * and trace ids there, and bloom/token filters before.
   */
  textIndex: boolean;
}

/** Reads a `major.minor...` version string into {@link EngineInfo}. */
export function engineInfoFromVersion(version: string): EngineInfo {
  const m = /^(\d+)\.(\d+)/.exec(version);
  const major = m ? Number(m[1]) : 0;
  const minor = m ? Number(m[2]) : 0;
  return { version, major, minor, textIndex: major > 26 || (major === 26 && minor >= 2) };
}

/** Asks the engine its version (done at start-up, before migrations). */
export async function detectEngine(client: ClickHouseClient): Promise<EngineInfo> {
  const rs = await client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' });
  const rows = await rs.json<{ v: string }>();
  return engineInfoFromVersion(rows[0]?.v ?? '');
}
