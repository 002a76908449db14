import { describe, expect, it } from 'vitest';
import { storeFlags, UsageError } from '../../src/cli/store-flags.ts';

describe('store flags (unit)', () => {
  it('flags win over their env twins', () => {
    const env = { LOGQ_DATA_DIR: '/env/dir', LOGQ_CLICKHOUSE_URL: 'http://env:8123', LOGQ_CLUSTER: 'envc' };
    expect(storeFlags({}, env)).toEqual({ dataDir: '/env/dir', clickhouseUrl: 'http://env:8123', cluster: 'envc' });
    expect(storeFlags({ 'data-dir': '/flag', 'clickhouse-url': 'https://flag:8443', cluster: 'c1' }, env)).toEqual({
      dataDir: '/flag',
      clickhouseUrl: 'https://flag:8443',
      cluster: 'c1',
    });
    expect(storeFlags({}, {})).toEqual({ dataDir: undefined, clickhouseUrl: undefined, cluster: undefined });
  });

  it('names the bad flag and its env twin, and never echoes a URL that may hold a password', () => {
    expect(() => storeFlags({ 'clickhouse-url': 'ftp://user:s3cret@host' }, {})).toThrow(UsageError);
    let message = '';
    try {
      storeFlags({}, { LOGQ_CLICKHOUSE_URL: 'ftp://user:s3cret@host' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^--clickhouse-url \(LOGQ_CLICKHOUSE_URL\): not valid: expected an http:\/\/ or https:\/\/ URL$/);
    expect(message).not.toContain('s3cret');
    expect(() => storeFlags({ cluster: 'bad name;' }, {})).toThrow(/--cluster \(LOGQ_CLUSTER\): "bad name;" is not valid/);
    expect(() => storeFlags({ 'data-dir': ' ' }, {})).toThrow(/--data-dir \(LOGQ_DATA_DIR\): empty/);
  });
});
