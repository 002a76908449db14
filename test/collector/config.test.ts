import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectorHelp, loadCollectorConfig, OPTIONS, spoolDirOf, yamlKey } from '../../src/collector/config.ts';
import { tempDir } from '../helpers/collector.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function yaml(name: string, text: string): string {
  const file = join(tmp.dir, name);
  writeFileSync(file, text);
  return file;
}

describe('collector config: YAML file < env < flags', () => {
  const file = yaml('c.yaml', [
    'grpc-listen: 0.0.0.0:4317',
    'spool-max-bytes: 2GiB',
    'spool-when-full: drop-oldest',
    'max-request-bytes: 32MiB',
    'retry-delay: 3s',
    'redact: false',
    'auth-token: [one, two]',
    'batch-max-rows: 5000',
  ].join('\n'));

  it('reads the file, then lets env vars and flags override it', () => {
    const fromFile = loadCollectorConfig(['--config', file], {});
    expect(fromFile).toMatchObject({
      grpcListen: '0.0.0.0:4317',
      spoolMaxBytes: 2 * 1024 ** 3,
      spoolWhenFull: 'drop-oldest',
      maxRequestBytes: 32 * 1024 * 1024,
      retryDelayMs: 3000,
      redact: false,
      authTokens: ['one', 'two'],
      batchMaxRows: 5000,
    });
    const env = { LOGQ_BATCH_MAX_ROWS: '7000', LOGQ_SPOOL_WHEN_FULL: 'refuse' };
    const withEnv = loadCollectorConfig(['--config', file], env);
    expect(withEnv.batchMaxRows).toBe(7000);
    expect(withEnv.spoolWhenFull).toBe('refuse');
    const withFlags = loadCollectorConfig(['--config', file, '--batch-max-rows', '9000'], env);
    expect(withFlags.batchMaxRows).toBe(9000);
    expect(loadCollectorConfig([], { LOGQ_CONFIG: file }).grpcListen).toBe('0.0.0.0:4317');
  });

  it('defaults the spool under the data dir', () => {
    expect(spoolDirOf(loadCollectorConfig(['--data-dir', '/var/lib/logq'], {}))).toBe('/var/lib/logq/logq-spool');
    expect(spoolDirOf(loadCollectorConfig(['--spool-dir', '/spool'], {}))).toBe('/spool');
  });

  it('refuses to start with messages naming the key and the expected form', () => {
    expect(() => loadCollectorConfig(['--config', yaml('bad1.yaml', 'spool-max-byte: 1GiB')], {})).toThrow(/unknown key "spool-max-byte": expected one of .*spool-max-bytes/);
    expect(() => loadCollectorConfig(['--config', yaml('bad2.yaml', 'spool-when-full: block')], {})).toThrow(
      /bad2.yaml: key "spool-when-full" \(--spool-when-full \(LOGQ_SPOOL_WHEN_FULL\)\): "block" is not valid: expected refuse or drop-oldest/,
    );
    expect(() => loadCollectorConfig(['--config', yaml('bad3.yaml', 'grpc-listen: [a: b')], {})).toThrow(/not valid YAML/);
    expect(() => loadCollectorConfig(['--config', yaml('bad4.yaml', '- a\n- b')], {})).toThrow(/expected a mapping/);
    expect(() => loadCollectorConfig(['--config', join(tmp.dir, 'missing.yaml')], {})).toThrow(/cannot read/);
    expect(() => loadCollectorConfig(['--max-request-bytes', '65MiB'], {})).toThrow(/expected a size from 1KiB to 64MiB/);
    expect(() => loadCollectorConfig(['--tls-cert', '/x.pem'], {})).toThrow(/--tls-cert and --tls-key .*expected both or neither/);
    expect(() => loadCollectorConfig(['--tls-client-ca', '/ca.pem'], {})).toThrow(/needs --tls-cert and --tls-key/);
    expect(() => loadCollectorConfig(['--redact', 'maybe'], {})).toThrow(/--redact \(LOGQ_REDACT\): "maybe" is not valid: expected true or false/);
  });

  it('never echoes a token or a URL password in errors', () => {
    expect(() => loadCollectorConfig(['--auth-token', ' , '], {})).toThrow(/"\*\*\*"/);
    let message = '';
    try {
      loadCollectorConfig(['--clickhouse-url', 'ftp://user:hunter2@host'], {});
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/expected an http/);
    expect(message).not.toContain('hunter2');
  });

  it('--help lists every option, its env var, YAML key and default', () => {
    const help = collectorHelp();
    for (const o of OPTIONS) {
      expect(help).toContain(o.flag);
      expect(help).toContain(o.env);
      expect(help).toContain(`[default: ${o.defaultText}]`);
      expect(yamlKey(o)).toBe(o.flag.slice(2));
    }
    expect(help).toContain('--config');
    expect(help).toMatch(/defaults < YAML file .* < LOGQ_\* env vars < flags/s);
  });
});
