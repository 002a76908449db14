import { readFileSync } from 'node:fs';
import { LogqError } from './errors.ts';

/** TLS material read from the configured PEM files. */
export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
  /** Client CA bundle: when set, clients must present a certificate it signed (mTLS). */
  clientCa?: Buffer;
}

function read(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new LogqError('LOGQ_CONFIG_INVALID', `${flag} ${file}: cannot read: ${(error as Error).message}; expected a PEM file`);
  }
}

/** Reads the TLS files of the config; undefined when TLS is off. */
export function loadTlsFiles(c: { tlsCert?: string; tlsKey?: string; tlsClientCa?: string }): TlsFiles | undefined {
  if (!c.tlsCert || !c.tlsKey) return undefined;
  return {
    cert: read(c.tlsCert, '--tls-cert'),
    key: read(c.tlsKey, '--tls-key'),
    ...(c.tlsClientCa ? { clientCa: read(c.tlsClientCa, '--tls-client-ca') } : {}),
  };
}
