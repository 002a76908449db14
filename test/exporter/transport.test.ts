import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createConnection, createServer as createTcpServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { afterAll, describe, expect, it } from 'vitest';
import { GrpcLogExporter, type RetryEvent } from '../../src/exporter/GrpcLogExporter.ts';
import { encodeExportLogsResponse } from '../../src/otlp/encode-response.ts';
import { encodeStatusWithRetryInfo, STATUS_DETAILS_KEY } from '../../src/otlp/retry-info.ts';
import { tempDir } from '../helpers/collector.ts';
import { startOtlpTestServer } from './otlp-test-server.ts';

/** Real SDK records (made by a real LoggerProvider). */
function makeRecords(n: number): ReadableLogRecord[] {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: memory })] });
  const logger = provider.getLogger('transport');
  for (let i = 0; i < n; i++) logger.emit({ body: `record ${i} ${'x'.repeat(200)}`, attributes: { i } });
  return memory.getFinishedLogRecords();
}

function exportOnce(exporter: GrpcLogExporter, records: ReadableLogRecord[]): Promise<ExportResult> {
  return new Promise((r) => exporter.export(records, r));
}

const servers: { close(): void }[] = [];
const exporters: GrpcLogExporter[] = [];
afterAll(async () => {
  for (const e of exporters) await e.shutdown();
  for (const s of servers) s.close();
});

async function setup(respond: Parameters<typeof startOtlpTestServer>[0], options: ConstructorParameters<typeof GrpcLogExporter>[0] = {}, env: NodeJS.ProcessEnv = {}) {
  const server = await startOtlpTestServer(respond);
  servers.push(server);
  const retries: RetryEvent[] = [];
  const exporter = new GrpcLogExporter({ endpoint: `http://127.0.0.1:${server.port}`, onRetry: (e) => retries.push(e), ...options }, env);
  exporters.push(exporter);
  return { server, exporter, retries };
}

describe('retries (OTLP exporter spec)', () => {
  it('honours RetryInfo on UNAVAILABLE: waits exactly the server delay, then succeeds', async () => {
    const { server, exporter, retries } = await setup((n) =>
      n === 1
        ? { error: { code: grpc.status.UNAVAILABLE, details: 'spool busy', metadata: withRetryInfo(grpc.status.UNAVAILABLE, 250) } }
        : {},
    );
    const result = await exportOnce(exporter, makeRecords(3));
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expect(server.calls).toHaveLength(2);
    expect(retries).toEqual([{ attempt: 1, code: grpc.status.UNAVAILABLE, delayMs: 250, fromServer: true }]);
    expect(exporter.stats).toMatchObject({ exported: 3, failed: 0, retries: 1 });
  });

  it('retries RESOURCE_EXHAUSTED only when it carries RetryInfo', async () => {
    const withInfo = await setup((n) => (n === 1 ? { error: { code: grpc.status.RESOURCE_EXHAUSTED, metadata: withRetryInfo(grpc.status.RESOURCE_EXHAUSTED, 50) } } : {}));
    expect((await exportOnce(withInfo.exporter, makeRecords(1))).code).toBe(ExportResultCode.SUCCESS);
    expect(withInfo.server.calls).toHaveLength(2);
    const without = await setup(() => ({ error: { code: grpc.status.RESOURCE_EXHAUSTED } }));
    expect((await exportOnce(without.exporter, makeRecords(1))).code).toBe(ExportResultCode.FAILED);
    expect(without.server.calls).toHaveLength(1);
  });

  it('retries retryable codes with growing, jittered backoff; never retries INVALID_ARGUMENT', async () => {
    const flaky = await setup((n) => (n <= 3 ? { error: { code: grpc.status.UNAVAILABLE } } : {}), { initialBackoffMillis: 20 });
    expect((await exportOnce(flaky.exporter, makeRecords(2))).code).toBe(ExportResultCode.SUCCESS);
    expect(flaky.server.calls).toHaveLength(4);
    const delays = flaky.retries.map((r) => r.delayMs);
    expect(flaky.retries.every((r) => !r.fromServer)).toBe(true);
    // Backoff doubles (20, 40, 80) with jitter in [0.5, 1.5) of each.
    [20, 40, 80].forEach((b, i) => {
      expect(delays[i]).toBeGreaterThanOrEqual(b * 0.5);
      expect(delays[i]).toBeLessThan(b * 1.5);
    });
    const bad = await setup(() => ({ error: { code: grpc.status.INVALID_ARGUMENT, details: 'malformed' } }));
    const result = await exportOnce(bad.exporter, makeRecords(2));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(bad.server.calls).toHaveLength(1);
    expect(bad.exporter.stats.failed).toBe(2);
  });

  it('never retries after a partial success; counts the rejected records', async () => {
    const { server, exporter } = await setup(() => ({ response: encodeExportLogsResponse({ rejectedLogRecords: 2, errorMessage: 'body too long' }) }));
    const warnings: string[] = [];
    const onWarn = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarn);
    const result = await exportOnce(exporter, makeRecords(5));
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarn);
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expect(server.calls).toHaveLength(1);
    expect(exporter.stats).toMatchObject({ exported: 3, rejected: 2, retries: 0 });
    expect(warnings).toContain('logq: collector rejected 2 log records: body too long');
  });

  it('gives up at the export timeout (a server that never answers)', async () => {
    const { exporter } = await setup(() => 'hang', { timeoutMillis: 300 });
    const result = await exportOnce(exporter, makeRecords(1));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect((result.error as grpc.ServiceError).code).toBe(grpc.status.DEADLINE_EXCEEDED);
  });
});

describe('configuration from the environment', () => {
  it('sends OTEL_EXPORTER_OTLP_HEADERS (percent-decoded); logs-specific and option headers win', async () => {
    const { server, exporter } = await setup(() => ({}), { headers: { 'X-Option': 'opt' } }, {
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20s3cret,x-tenant=generic,broken',
      OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'x-tenant=acme',
    });
    expect((await exportOnce(exporter, makeRecords(1))).code).toBe(ExportResultCode.SUCCESS);
    expect(server.calls[0].metadata).toMatchObject({ authorization: 'Bearer s3cret', 'x-tenant': 'acme', 'x-option': 'opt' });
  });

  it('compresses requests with gzip when asked (OTEL_EXPORTER_OTLP_COMPRESSION or option): fewer bytes on the wire', async () => {
    const server = await startOtlpTestServer(() => ({}));
    servers.push(server);
    const wireBytes = async (env: NodeJS.ProcessEnv, options: { compression?: 'gzip' | 'none' } = {}) => {
      const relay = await startRelay(server.port);
      const exporter = new GrpcLogExporter({ endpoint: `http://127.0.0.1:${relay.port}`, ...options }, env);
      expect((await exportOnce(exporter, makeRecords(50))).code).toBe(ExportResultCode.SUCCESS);
      await exporter.shutdown();
      relay.close();
      return relay.bytesUp();
    };
    const plain = await wireBytes({});
    const gzipEnv = await wireBytes({ OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' });
    const gzipOption = await wireBytes({}, { compression: 'gzip' });
    // 50 records with 200 repeated bytes each: gzip shrinks the request far below half.
    expect(gzipEnv).toBeLessThan(plain / 2);
    expect(gzipOption).toBeLessThan(plain / 2);
    // The server decompressed them: every call carried the same payload size.
    expect(new Set(server.calls.map((c) => c.bytes)).size).toBe(1);
  });

  it('speaks TLS to an https endpoint, trusting the given CA; refuses an untrusted server', async () => {
    const dir = tempDir('logq-tls-');
    try {
      const key = join(dir.dir, 'key.pem');
      const cert = join(dir.dir, 'cert.pem');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { stdio: 'ignore' });
      const server = await startOtlpTestServer(() => ({}), grpc.ServerCredentials.createSsl(null, [{ private_key: readFileSync(key), cert_chain: readFileSync(cert) }]), 'localhost');
      servers.push(server);
      const trusted = new GrpcLogExporter({ endpoint: `https://localhost:${server.port}`, timeoutMillis: 3000 }, { OTEL_EXPORTER_OTLP_CERTIFICATE: cert });
      exporters.push(trusted);
      expect((await exportOnce(trusted, makeRecords(1))).code).toBe(ExportResultCode.SUCCESS);
      const untrusted = new GrpcLogExporter({ endpoint: `https://localhost:${server.port}`, timeoutMillis: 1000 }, {});
      exporters.push(untrusted);
      expect((await exportOnce(untrusted, makeRecords(1))).code).toBe(ExportResultCode.FAILED);
      expect(server.calls).toHaveLength(1);
    } finally {
      dir.cleanup();
    }
  });
});

function withRetryInfo(code: number, delayMs: number): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set(STATUS_DETAILS_KEY, encodeStatusWithRetryInfo(code, 'retry later', delayMs));
  return md;
}

/** A TCP relay to `port` on 127.0.0.1 that counts the bytes the client sends. */
async function startRelay(port: number) {
  let up = 0;
  const sockets = new Set<import('node:net').Socket>();
  const relay = createTcpServer((client) => {
    const upstream = createConnection(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (d) => (up += d.length));
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
  return {
    port: (relay.address() as AddressInfo).port,
    bytesUp: () => up,
    close: () => {
      for (const s of sockets) s.destroy();
      relay.close();
    },
  };
}
