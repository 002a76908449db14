import { describe, expect, it } from 'vitest';
import { parseGrpcEndpoint } from '../../src/exporter/endpoint.ts';
import { parseHeadersEnv, resolveCompression, resolveHeaders, resolveRootCerts, resolveTimeout } from '../../src/exporter/exporter-config.ts';

function collect() {
  const warnings: string[] = [];
  return { warnings, warn: (m: string) => void warnings.push(m) };
}

describe('exporter configuration', () => {
  it('parses OTLP header lists, percent-decoding values and naming bad entries without echoing values', () => {
    const { warnings, warn } = collect();
    expect(parseHeadersEnv('Authorization=Bearer%20abc, x-a = 1 ,=orphan,bad%=x%E0%A4%A', 'OTEL_EXPORTER_OTLP_HEADERS', warn)).toEqual({ authorization: 'Bearer abc', 'x-a': '1' });
    expect(warnings).toEqual([
      'logq: OTEL_EXPORTER_OTLP_HEADERS entry 3 has no key: expected key=value; skipped',
      'logq: OTEL_EXPORTER_OTLP_HEADERS entry "bad%" is not valid percent-encoding; skipped',
    ]);
    expect(warnings.join(' ')).not.toContain('abc');
    expect(resolveHeaders({ 'X-A': 'opt' }, { OTEL_EXPORTER_OTLP_HEADERS: 'x-a=env,x-b=2' }, warn)).toEqual({ 'x-a': 'opt', 'x-b': '2' });
  });

  it('timeout: option, then logs-specific env, then generic env, then 10000; bad values warn', () => {
    const { warnings, warn } = collect();
    expect(resolveTimeout(undefined, {}, warn)).toBe(10_000);
    expect(resolveTimeout(undefined, { OTEL_EXPORTER_OTLP_TIMEOUT: '2000', OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: '3000' }, warn)).toBe(3000);
    expect(resolveTimeout(500, { OTEL_EXPORTER_OTLP_TIMEOUT: '2000' }, warn)).toBe(500);
    expect(resolveTimeout(undefined, { OTEL_EXPORTER_OTLP_TIMEOUT: 'ten' }, warn)).toBe(10_000);
    expect(warnings).toEqual(['logq: OTEL_EXPORTER_OTLP_TIMEOUT="ten": expected a positive number of ms; using 10000']);
  });

  it('compression: gzip or none; anything else warns and means none', () => {
    const { warnings, warn } = collect();
    expect(resolveCompression(undefined, { OTEL_EXPORTER_OTLP_LOGS_COMPRESSION: 'GZIP' }, warn)).toBe('gzip');
    expect(resolveCompression('none', { OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' }, warn)).toBe('none');
    expect(resolveCompression(undefined, { OTEL_EXPORTER_OTLP_COMPRESSION: 'zstd' }, warn)).toBe('none');
    expect(warnings).toEqual(['logq: compression "zstd": expected gzip or none; using none']);
  });

  it('an unreadable certificate file warns and falls back to the system CAs', () => {
    const { warnings, warn } = collect();
    expect(resolveRootCerts(undefined, { OTEL_EXPORTER_OTLP_CERTIFICATE: '/nonexistent/ca.pem' }, warn)).toBeUndefined();
    expect(warnings[0]).toMatch(/^logq: OTEL_EXPORTER_OTLP_CERTIFICATE="\/nonexistent\/ca.pem" cannot be read/);
  });

  it('endpoints: https means TLS, default ports per scheme, clear error for other schemes', () => {
    expect(parseGrpcEndpoint('https://collector.example:8443')).toEqual({ address: 'collector.example:8443', secure: true });
    expect(parseGrpcEndpoint('http://localhost')).toEqual({ address: 'localhost:4317', secure: false });
    expect(() => parseGrpcEndpoint('ftp://x')).toThrow('invalid OTLP endpoint "ftp://x": scheme must be http or https');
  });
});
