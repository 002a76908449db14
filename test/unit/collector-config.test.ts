import { describe, expect, it } from 'vitest';
import { collectorHelp, DEFAULT_CONFIG, loadCollectorConfig, OPTIONS } from '../../src/collector/config.ts';
import { DEFAULT_RETENTION } from '../../src/storage/RetentionPolicy.ts';

describe('collector config: flags, env twins, defaults', () => {
  it('uses the issue-3 defaults when nothing is set', () => {
    const c = loadCollectorConfig([], {});
    expect(c.grpcListen).toBe('127.0.0.1:4317');
    expect(c.httpListen).toBe('127.0.0.1:4318');
    expect(c.dataDir).toBe('./data');
    expect(c.clickhouseUrl).toBeUndefined();
    expect(c.retention).toEqual({ TRACE: 3, DEBUG: 3, INFO: 10, WARN: 10, ERROR: 15, FATAL: 30 });
  });

  it('reads the insert sizing flags and their env twins, and refuses bad values naming the flag', () => {
    expect(loadCollectorConfig([], {})).toMatchObject({ insertMaxRows: 100_000, insertMaxDelayMs: 1000 });
    const env = { LOGQ_INSERT_MAX_ROWS: '50000', LOGQ_INSERT_MAX_DELAY: '250ms' };
    expect(loadCollectorConfig([], env)).toMatchObject({ insertMaxRows: 50_000, insertMaxDelayMs: 250 });
    expect(loadCollectorConfig(['--insert-max-rows', '7', '--insert-max-delay', '0'], env)).toMatchObject({ insertMaxRows: 7, insertMaxDelayMs: 0 });
    expect(() => loadCollectorConfig(['--insert-max-rows', '0'], {})).toThrow(/--insert-max-rows.*integer from 1/);
    expect(() => loadCollectorConfig(['--insert-max-delay', 'soon'], {})).toThrow(/--insert-max-delay.*"soon".*duration/);
  });

  it('reads every env twin and lets flags win over env', () => {
    const env = {
      LOGQ_GRPC_LISTEN: '0.0.0.0:5317',
      LOGQ_HTTP_LISTEN: '0.0.0.0:5318',
      LOGQ_DATA_DIR: '/var/lib/logq',
      LOGQ_CLICKHOUSE_URL: 'http://default:@ch:8123',
      LOGQ_RETENTION: 'INFO=7d',
    };
    const fromEnv = loadCollectorConfig([], env);
    expect(fromEnv).toMatchObject({ grpcListen: '0.0.0.0:5317', httpListen: '0.0.0.0:5318', dataDir: '/var/lib/logq', clickhouseUrl: 'http://default:@ch:8123' });
    expect(fromEnv.retention).toEqual({ ...DEFAULT_RETENTION, INFO: 7 });
    const flags = loadCollectorConfig(['--grpc-listen', '127.0.0.1:1', '--retention=ERROR=60d,INFO=1d', '--data-dir', 'x'], env);
    expect(flags.grpcListen).toBe('127.0.0.1:1');
    expect(flags.dataDir).toBe('x');
    expect(flags.retention).toEqual({ ...DEFAULT_RETENTION, ERROR: 60, INFO: 1 });
  });

  it('parses durations and sizes', () => {
    const c = loadCollectorConfig(['--batch-max-delay', '2s', '--max-request-bytes', '32MiB']);
    expect(c.batchMaxDelayMs).toBe(2000);
    expect(c.maxRequestBytes).toBe(32 * 1024 * 1024);
    expect(() => loadCollectorConfig(['--max-request-bytes', '65MiB'])).toThrow(/--max-request-bytes.*up to 64MiB|1KiB to 64MiB/);
  });

  it('names flag, env var, value and expected form on bad input', () => {
    expect(() => loadCollectorConfig(['--grpc-listen', 'abc'])).toThrow('--grpc-listen (LOGQ_GRPC_LISTEN): "abc" is not valid: expected host:port');
    expect(() => loadCollectorConfig([], { LOGQ_HTTP_LISTEN: ':80' })).toThrow(/--http-listen \(LOGQ_HTTP_LISTEN\): ":80"/);
    expect(() => loadCollectorConfig(['--data-dir'])).toThrow(/--data-dir needs a value/);
  });

  it('--help lists every option with its env twin and default', () => {
    const help = collectorHelp();
    for (const o of OPTIONS) {
      expect(help).toContain(o.flag);
      expect(help).toContain(o.env);
      expect(help).toContain(o.defaultText);
    }
    expect(DEFAULT_CONFIG.grpcListen).toBe('127.0.0.1:4317');
  });
});
