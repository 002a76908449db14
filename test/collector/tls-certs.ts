import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** PEM files made by openssl for a test: a CA, a server cert for 127.0.0.1, client certs. */
export interface TestCerts {
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** Signed by another CA: must be refused under mTLS. */
  rogueCert: string;
  rogueKey: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

function ca(dir: string, name: string): void {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`], dir);
}

function leaf(dir: string, name: string, caName: string, cn: string, ext: string): void {
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`], dir);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`], dir);
}

/** Creates the certificates in `dir` with the openssl command line tool. */
export function makeTestCerts(dir: string): TestCerts {
  ca(dir, 'ca');
  ca(dir, 'rogue-ca');
  leaf(dir, 'server', 'ca', 'localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  leaf(dir, 'client', 'ca', 'test-client', 'extendedKeyUsage=clientAuth\n');
  leaf(dir, 'rogue', 'rogue-ca', 'rogue-client', 'extendedKeyUsage=clientAuth\n');
  const p = (f: string) => join(dir, f);
  return {
    caCert: p('ca.crt'),
    serverCert: p('server.crt'),
    serverKey: p('server.key'),
    clientCert: p('client.crt'),
    clientKey: p('client.key'),
    rogueCert: p('rogue.crt'),
    rogueKey: p('rogue.key'),
  };
}

/** Reads a PEM file. */
export const pem = (file: string): Buffer => readFileSync(file);
