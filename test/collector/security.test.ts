import { writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, startTestCollector, tempDir } from '../helpers/collector.ts';
import { encodeRequest, RawOtlpClient } from './otlp-client.ts';
import { makeTestCerts, pem, type TestCerts } from './tls-certs.ts';

const tmp = tempDir();
const certDir = tempDir('logq-certs-');
let certs: TestCerts;
beforeAll(() => {
  certs = makeTestCerts(certDir.dir);
});
afterAll(() => {
  tmp.cleanup();
  certDir.cleanup();
});

function bearer(token?: string): grpc.Metadata {
  const m = new grpc.Metadata();
  if (token !== undefined) m.set('authorization', `Bearer ${token}`);
  return m;
}

/** HTTPS request with the test CA (and optionally a client certificate). */
function https(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; cert?: string; key?: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: opts.method ?? 'GET',
        headers: opts.headers,
        ca: pem(certs.caCert),
        ...(opts.cert ? { cert: pem(opts.cert), key: pem(opts.key!) } : {}),
      },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const tlsClient = (port: number, cert?: string, key?: string) =>
  new RawOtlpClient(
    `localhost:${port}`,
    grpc.credentials.createSsl(pem(certs.caCert), key ? pem(key) : null, cert ? pem(cert) : null),
  );

const payload = (body: string, attributes: Record<string, string> = {}) => encodeRequest('security-svc', [{ body, severityNumber: 9, attributes }]);

describe('bearer-token auth over TLS', () => {
  it('refuses missing and wrong tokens on gRPC and HTTP, accepts configured and file tokens, reloads the file', async () => {
    const tokensFile = join(tmp.dir, 'tokens.txt');
    writeFileSync(tokensFile, '# collector tokens\nfile-token-1\n');
    const c = await startTestCollector(tmp.dir, {
      authTokens: ['flag-token'],
      authTokensFile: tokensFile,
      tlsCert: certs.serverCert,
      tlsKey: certs.serverKey,
    });
    try {
      const client = tlsClient(c.grpcPort);
      const none = await client.export(payload('no token'));
      expect(none.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(none.details).toMatch(/LOGQ_UNAUTHENTICATED/);
      expect((await client.export(payload('wrong'), bearer('nope'))).code).toBe(grpc.status.UNAUTHENTICATED);
      expect((await client.export(payload('flag token'), bearer('flag-token'))).ok).toBe(true);
      expect((await client.export(payload('file token'), bearer('file-token-1'))).ok).toBe(true);

      // Plaintext clients cannot talk to the TLS port.
      const plain = new RawOtlpClient(`127.0.0.1:${c.grpcPort}`);
      expect((await plain.export(payload('plain'), bearer('flag-token'), 3000)).ok).toBe(false);
      plain.close();

      const url = `https://localhost:${c.httpPort}/api/logs`;
      const json = JSON.stringify({ level: 'info', message: 'over https' });
      const h = { 'content-type': 'application/json' };
      expect((await https(url, { method: 'POST', headers: h, body: json })).status).toBe(401);
      expect((await https(url, { method: 'POST', headers: { ...h, authorization: 'Bearer nope' }, body: json })).status).toBe(401);
      expect((await https(url, { method: 'POST', headers: { ...h, authorization: 'Bearer flag-token' }, body: json })).status).toBe(200);
      const v1 = await https(`https://localhost:${c.httpPort}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(v1.status).toBe(401);
      // Health stays open for probes.
      expect((await https(`https://localhost:${c.httpPort}/healthz`, {})).status).toBe(200);

      // The tokens file is re-read when it changes: the new token works, the removed one no longer does.
      writeFileSync(tokensFile, 'file-token-2\n');
      const end = Date.now() + 10_000;
      while ((await client.export(payload('rotated'), bearer('file-token-2'))).code === grpc.status.UNAUTHENTICATED && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 200));
      }
      expect((await client.export(payload('rotated 2'), bearer('file-token-2'))).ok).toBe(true);
      expect((await client.export(payload('old'), bearer('file-token-1'))).code).toBe(grpc.status.UNAUTHENTICATED);
      client.close();
      expect(c.receiverStats.unauthenticatedRequests).toBeGreaterThanOrEqual(6);
    } finally {
      await c.stop();
    }
  });
});

describe('mTLS', () => {
  it('accepts clients with a certificate from the client CA and refuses the rest', async () => {
    const c = await startTestCollector(tmp.dir, { tlsCert: certs.serverCert, tlsKey: certs.serverKey, tlsClientCa: certs.caCert });
    try {
      const good = tlsClient(c.grpcPort, certs.clientCert, certs.clientKey);
      expect((await good.export(payload('mtls ok'))).ok).toBe(true);
      good.close();
      const noCert = tlsClient(c.grpcPort);
      expect((await noCert.export(payload('no cert'), undefined, 3000)).code).toBe(grpc.status.UNAVAILABLE);
      noCert.close();
      const rogue = tlsClient(c.grpcPort, certs.rogueCert, certs.rogueKey);
      expect((await rogue.export(payload('rogue'), undefined, 3000)).code).toBe(grpc.status.UNAVAILABLE);
      rogue.close();

      expect((await https(`https://localhost:${c.httpPort}/healthz`, { cert: certs.clientCert, key: certs.clientKey })).status).toBe(200);
      await expect(https(`https://localhost:${c.httpPort}/healthz`, {})).rejects.toThrow();
      await expect(https(`https://localhost:${c.httpPort}/healthz`, { cert: certs.rogueCert, key: certs.rogueKey })).rejects.toThrow();
    } finally {
      await c.stop();
    }
  });
});

describe('server-side redaction', () => {
  it('replaces secret keys, card numbers, bearer tokens and private keys with [REDACTED]', async () => {
    const c = await startTestCollector(tmp.dir);
    try {
      const client = new RawOtlpClient(`127.0.0.1:${c.grpcPort}`);
      const key = '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----';
      const r = await client.export(
        encodeRequest('redact-svc', [{
          body: `paid with 4111 1111 1111 1111 using ${key}`,
          severityNumber: 9,
          attributes: { password: 'hunter2', 'X-Api-Key': 'k', Authorization: 'Bearer abc.def', note: 'sent Bearer eyJhbGciOi to upstream', order: '1234567890123', user: 'ann' },
        }]),
      );
      client.close();
      expect(r.ok).toBe(true);
      const end = Date.now() + 10_000;
      let rows: { Body: string; LogAttributes: Record<string, string> }[] = [];
      while (rows.length === 0 && Date.now() < end) {
        rows = await queryRows(c, "SELECT Body, LogAttributes FROM otel.otel_logs WHERE ServiceName = 'redact-svc'");
        if (!rows.length) await new Promise((res) => setTimeout(res, 50));
      }
      expect(rows[0].Body).toBe('paid with [REDACTED] using [REDACTED]');
      expect(rows[0].LogAttributes).toEqual({
        password: '[REDACTED]',
        'X-Api-Key': '[REDACTED]',
        Authorization: '[REDACTED]',
        note: 'sent [REDACTED] to upstream',
        order: '1234567890123', // not Luhn-valid: not a card number
        user: 'ann',
      });
    } finally {
      await c.stop();
    }
  });
});

describe('redaction rules', () => {
  it('use the same secret-key fragments and value patterns as the SDK redactor', async () => {
    const { SECRET_KEY_FRAGMENTS, isSecretKey, redactValue } = await import('../../src/collector/redact.ts');
    const { DEFAULT_SECRET_KEYS, Redactor } = await import('../../src/sdk/processors/redact.ts');
    expect([...SECRET_KEY_FRAGMENTS].sort()).toEqual([...DEFAULT_SECRET_KEYS].sort());
    const sdk = new Redactor();
    for (const key of ['password', 'DB_PASSWORD', 'x-session-id', 'user.name', 'Set-Cookie', 'aws.credential', 'count', 'http.request.header.authorization']) {
      expect(isSecretKey(key)).toBe(sdk.isSecretKey(key));
    }
    expect(redactValue('card 4111-1111-1111-1111 ok')).toBe('card [REDACTED] ok');
    expect(redactValue('id 4111-1111-1111-1112')).toBe('id 4111-1111-1111-1112');
    // A UUID whose all-digit groups pass Luhn is an identifier; a card dash-joined to a word is a card: on both sides.
    const uuid = '62941638-4072-4155-89ff-713caf14468d';
    for (const text of [`request ${uuid}`, `card-4111111111111111`, `pan 4111111111111111-1225`, `${uuid} 4111-1111-1111-1111`]) {
      expect(redactValue(text)).toBe(sdk.redactString(text));
    }
    expect(redactValue(`request ${uuid}`)).toBe(`request ${uuid}`);
    expect(redactValue('card-4111111111111111')).toBe('card-[REDACTED]');
  });
});
