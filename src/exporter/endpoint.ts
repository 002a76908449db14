/** Where and how the exporter connects, derived from an OTLP endpoint URL. */
export interface GrpcTarget {
  /** `host:port` for grpc-js. */
  address: string;
  /** TLS when the URL scheme is https. */
  secure: boolean;
}

/** The OTLP/gRPC default endpoint (OTLP exporter spec). */
export const DEFAULT_GRPC_ENDPOINT = 'http://localhost:4317';

/**
 * Parses `http://host:port`, `https://host:port` or a bare `host:port` into a grpc-js target.
 * Throws a message naming the bad value and the expected form.
 */
export function parseGrpcEndpoint(endpoint: string): GrpcTarget {
  const raw = endpoint.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(`invalid OTLP endpoint "${endpoint}": expected http://host:port or https://host:port`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`invalid OTLP endpoint "${endpoint}": scheme must be http or https`);
  }
  const secure = url.protocol === 'https:';
  const port = url.port || (secure ? '443' : '4317');
  return { address: `${url.hostname.startsWith('[') ? url.hostname : url.hostname}:${port}`, secure };
}
