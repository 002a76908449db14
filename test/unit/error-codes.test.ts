import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/collector/errors.ts';
import { ROOT } from '../helpers/process.ts';

// CONVENTIONS: typed errors with stable codes in one catalogue, and every code documented.

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('error code catalogue', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Error codes'));

  it('documents every code of ERROR_CODES in the README’s "Error codes" table', () => {
    for (const code of Object.keys(ERROR_CODES)) expect(section, code).toContain(`| \`${code}\` |`);
  });

  it('uses no error code in src that is missing from the catalogue', () => {
    const settings = /^LOGQ_(GRPC|HTTP|DATA|CLICKHOUSE|CLUSTER|RETENTION|BATCH|INSERT_MAX_(ROWS|DELAY)|EMBEDDED_ENGINE$|MAX|REDACT|SPOOL_(DIR|MAX_BYTES|WHEN_FULL)|RETRY|AUTH_TOKEN|TLS|LOG_LEVEL|CONFIG$|API_)/;
    const used = new Set<string>();
    for (const file of sourceFiles(join(ROOT, 'src'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/['"`](LOGQ_[A-Z_]+)['"`]/g)) {
        if (!settings.test(m[1])) used.add(m[1]);
      }
    }
    expect(used.size).toBeGreaterThan(5);
    for (const code of used) expect(Object.keys(ERROR_CODES), code).toContain(code);
  });
});
