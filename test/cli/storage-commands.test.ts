import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanCommand } from '../../src/cli/clean-command.ts';
import { migrateCommand } from '../../src/cli/migrate-command.ts';
import { queryCommand } from '../../src/cli/query-command.ts';
import { retentionCommand } from '../../src/cli/retention-command.ts';
import { tailCommand } from '../../src/cli/tail-command.ts';
import { openStore, type Store } from '../../src/storage/client.ts';
import { tempDir } from '../helpers/collector.ts';
import { countRows, DAY, insertRecords } from '../storage/fixtures.ts';
import { fakeIo } from './fake-io.ts';

// The commands run in this process against the real engine; they open the same data directory
// as `store` (chDB shares one engine per directory within a process).
const tmp = tempDir('logq-cli-');
const dir = tmp.dir;
const env = { LOGQ_DATA_DIR: dir };
let store: Store;
const now = Date.now();

beforeAll(() => {
  store = openStore({ dataDir: dir });
});
afterAll(async () => {
  await store.close();
  tmp.cleanup();
});

async function run(cmd: typeof cleanCommand, args: string[], opts: Parameters<typeof fakeIo>[0] = {}) {
  const f = fakeIo(opts);
  const code = await cmd(args, env, f.io);
  return { code, out: f.out(), err: f.err(), questions: f.questions };
}

async function seedOld(): Promise<void> {
  await store.client.command({ query: 'TRUNCATE TABLE otel.otel_logs' });
  const old = now - 40 * DAY;
  await insertRecords(store.client, [
    ...Array.from({ length: 4 }, (_, i) => ({ ts: old + i, severity: 9, service: 'api' })),
    ...Array.from({ length: 3 }, (_, i) => ({ ts: old + i, severity: 13, service: 'api' })),
    ...Array.from({ length: 2 }, (_, i) => ({ ts: old + i, severity: 17, service: 'api' })),
    { ts: now, severity: 9, service: 'api' },
  ]);
}

describe('logq migrate', () => {
  it('--dry-run prints the DDL and changes nothing; then applies, then is current', async () => {
    const dry = await run(migrateCommand, ['--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/-- migration 1: create otel_logs\nCREATE TABLE IF NOT EXISTS `otel`.`otel_logs`/);
    expect(dry.out).toContain("ADD INDEX IF NOT EXISTS idx_body_text Body TYPE text(tokenizer = 'splitByNonAlpha')");
    expect(dry.out).toContain('dry run: nothing changed');
    const tables = await store.client.query({ query: "SELECT count() AS n FROM system.tables WHERE database = 'otel'", format: 'JSONEachRow' });
    expect(Number((await tables.json<{ n: string }>())[0].n)).toBe(0);
    const cluster = await run(migrateCommand, ['--dry-run', '--cluster', 'logs']);
    expect(cluster.out).toContain('ON CLUSTER `logs`');
    expect(cluster.out).toContain("ENGINE = Distributed('logs', 'otel', 'otel_logs_local', rand())");
    // Long retention: the clean tests below insert 40-day-old rows the TTL must not drop.
    const apply = await run(migrateCommand, ['--retention', 'DEFAULT=400d']);
    expect(apply.out).toContain('applied migrations: 1, 2, 3');
    expect((await run(migrateCommand, [])).out).toContain('schema is current');
  });
});

describe('logq clean', () => {
  it('--dry-run prints rows and partitions and deletes nothing; the real run deletes that many', async () => {
    await seedOld();
    const dry = await run(cleanCommand, ['--dry-run', '--days', '30']);
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/^9 rows older than \S+ \(all levels, all services\) in \d+ partitions?/);
    expect(dry.out).toMatch(/partition \S+: \d+ of \d+ rows → DROP PARTITION/);
    expect(dry.out).toContain('dry run: nothing deleted');
    expect(await countRows(store.client)).toBe(10);
    const real = await run(cleanCommand, ['--days', '30']);
    expect(real.code).toBe(0);
    expect(real.out).toContain('deleted 9 rows');
    expect(real.err).toMatch(/\[1\/\d+\] dropped partition/);
    expect(await countRows(store.client)).toBe(1);
  });

  it('--level INFO leaves WARN and above alone', async () => {
    await seedOld();
    const r = await run(cleanCommand, ['--level', 'info', '--yes']);
    expect(r.out).toContain('deleted 4 rows');
    expect(r.out).toContain('level INFO and below');
    expect(await countRows(store.client, 'SeverityNumber >= 13')).toBe(5);
    expect(await countRows(store.client, 'SeverityNumber < 13')).toBe(1);
  });

  it('asks on a terminal unless --yes; "no" deletes nothing', async () => {
    await seedOld();
    const no = await run(cleanCommand, ['--service', 'api'], { interactive: true, answer: false });
    expect(no.questions).toEqual(['Delete 9 rows?']);
    expect(no.code).toBe(1);
    expect(no.out).toContain('cancelled: nothing deleted');
    expect(await countRows(store.client)).toBe(10);
    const yes = await run(cleanCommand, ['--service', 'api', '--yes'], { interactive: true, answer: false });
    expect(yes.questions).toEqual([]);
    expect(yes.out).toContain('deleted 9 rows');
  });

  it('refuses bad flags with a message naming them', async () => {
    expect(await run(cleanCommand, ['--days', 'soon'])).toMatchObject({ code: 2, err: expect.stringContaining('--days "soon" is not valid') });
    expect(await run(cleanCommand, ['--level', 'LOUD'])).toMatchObject({ code: 2, err: expect.stringContaining('--level "LOUD" is not valid') });
  });
});

describe('logq retention', () => {
  it('show prints the policy and per-level contents; set changes it and explains stored rows', async () => {
    await seedOld();
    const show = await run(retentionCommand, ['show']);
    expect(show.code).toBe(0);
    expect(show.out).toContain('policy: TRACE=400d,DEBUG=400d,INFO=400d,WARN=400d,ERROR=400d,FATAL=400d');
    expect(show.out).toMatch(/^INFO\s+│ 400d\s+│ 5\s+│ [\d.]+ \w+\s+│ \d{4}-\d\d-\d\dT[\d:]+Z │ 400d$/m);
    const set = await run(retentionCommand, ['set', 'ERROR=30d', 'DEFAULT=500d']);
    expect(set.code).toBe(0);
    expect(set.out).toContain('retention now: TRACE=500d,DEBUG=500d,INFO=500d,WARN=500d,ERROR=30d,FATAL=500d');
    expect(set.out).toContain('Rows already stored keep the retention they were written with');
    const json = JSON.parse((await run(retentionCommand, ['show', '--format', 'json'])).out);
    expect(json.policy.ERROR).toBe(30);
    expect(json.levels.find((l: { level: string }) => l.level === 'ERROR')).toMatchObject({ policyDays: 30, rows: 2, storedRetentionDays: [400] });
    const bad = await run(retentionCommand, ['set', 'INFO=forever']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('"INFO=forever" is not LEVEL=<days>d');
  });
});

describe('logq query with filters', () => {
  beforeAll(async () => {
    await store.client.command({ query: 'TRUNCATE TABLE otel.otel_logs' });
    await insertRecords(store.client, Array.from({ length: 12 }, (_, i) => ({
      ts: now - i * 1000,
      severity: i % 2 ? 17 : 9,
      service: i % 3 ? 'api' : 'web',
      body: `job ${i} done`,
      traceId: i === 5 ? 'ab'.repeat(16) : '',
      attrs: { 'request.id': `r-${i}`, 'user.id': i < 3 ? 'alice' : 'bob' },
    })));
  });

  it('prints a table, json or jsonl of matching records, newest first', async () => {
    const t = await run(queryCommand, ['--service', 'api', '--level', 'error']);
    expect(t.code).toBe(0);
    const lines = t.out.trim().split('\n');
    expect(lines[0]).toMatch(/^time\s+│ level │ service │ body\s+│ trace_id\s+│ request_id$/);
    expect(lines.at(-1)).toBe('(4 rows)');
    const jsonl = (await run(queryCommand, ['--user', 'alice', '--format', 'jsonl'])).out.trim().split('\n').map((l) => JSON.parse(l));
    expect(jsonl.map((r) => r.body)).toEqual(['job 0 done', 'job 1 done', 'job 2 done']);
    const json = JSON.parse((await run(queryCommand, ['--trace-id', 'AB'.repeat(16), '--format', 'json'])).out);
    expect(json.map((r: { body: string }) => r.body)).toEqual(['job 5 done']);
    expect(JSON.parse((await run(queryCommand, ['--request-id', 'r-7', '--format', 'json'])).out)).toHaveLength(1);
    expect(JSON.parse((await run(queryCommand, ['--grep', 'job 11', '--format', 'json'])).out)).toHaveLength(1);
    expect(JSON.parse((await run(queryCommand, ['--attr', 'user.id=bob', '--since', '10m', '--format', 'json'])).out).length).toBeGreaterThan(0);
  });

  it('--limit pages with --cursor; every record once', async () => {
    const first = await run(queryCommand, ['--limit', '5', '--format', 'jsonl']);
    const cursor = /--cursor (\S+)/.exec(first.err)![1];
    const rest = await run(queryCommand, ['--limit', '100', '--cursor', cursor, '--format', 'jsonl']);
    const all = [...first.out.trim().split('\n'), ...rest.out.trim().split('\n')].map((l) => JSON.parse(l).body);
    expect(new Set(all).size).toBe(12);
    expect(all).toHaveLength(12);
  });

  it("a value carrying SQL matches nothing; bad values name the flag", async () => {
    const evil = await run(queryCommand, ['--service', "' OR 1=1 --", '--format', 'json']);
    expect(evil.code).toBe(0);
    expect(JSON.parse(evil.out)).toEqual([]);
    expect(await countRows(store.client)).toBe(12);
    expect(await run(queryCommand, ['--level', 'LOUD'])).toMatchObject({ code: 2, err: expect.stringContaining('--level: "LOUD" is not a level') });
    expect(await run(queryCommand, ['--since', 'later'])).toMatchObject({ code: 2, err: expect.stringContaining('--since: "later"') });
    expect(await run(queryCommand, ['--trace-id', 'zz'])).toMatchObject({ code: 2, err: expect.stringContaining('--trace-id:') });
    expect(await run(queryCommand, ['--format', 'xml'])).toMatchObject({ code: 2, err: expect.stringContaining('--format "xml" is not valid') });
    expect(await run(queryCommand, ['--sql', 'SELECT 1', '--service', 'x'])).toMatchObject({ code: 2 });
  });
});

describe('logq tail', () => {
  it('prints the last N oldest first, and -f prints a record inserted after it started', async () => {
    const f = fakeIo();
    const done = tailCommand(['-n', '3', '-f', '--interval', '100ms', '--format', 'jsonl'], env, f.io);
    await f.waitFor(/following new records/);
    const firstBodies = f.out().trim().split('\n').map((l) => JSON.parse(l).body);
    expect(firstBodies).toEqual(['job 2 done', 'job 1 done', 'job 0 done']);
    await insertRecords(store.client, [{ ts: Date.now(), service: 'api', body: 'arrived while tailing' }]);
    await f.waitFor(/arrived while tailing/);
    f.abort();
    expect(await done).toBe(0);
    expect(f.out().match(/arrived while tailing/g)).toHaveLength(1);
  });
});
