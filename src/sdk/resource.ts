import { hostname } from 'node:os';
import type { Attributes } from '@opentelemetry/api';
import { defaultResource, resourceFromAttributes, type Resource } from '@opentelemetry/resources';

/** What the app says about itself; everything else comes from the environment. */
export interface ResourceOptions {
  /** `service.name`. @default OTEL_SERVICE_NAME ?? OTEL_RESOURCE_ATTRIBUTES' service.name ?? 'unknown_service:node' */
  serviceName?: string;
  /** `service.version`. @default OTEL_RESOURCE_ATTRIBUTES' service.version, else unset */
  serviceVersion?: string;
  /** Extra resource attributes; they win over the environment. @default {} */
  resourceAttributes?: Attributes;
}

/**
 * Parses OTEL_RESOURCE_ATTRIBUTES (`key1=value1,key2=value2`, values percent-encoded, per the
 * OTel SDK environment spec). Malformed pairs are skipped: configuration must never break the app.
 */
export function parseResourceAttributesEnv(raw: string | undefined): Attributes {
  const out: Attributes = {};
  if (!raw) return out;
  for (const pair of raw.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const key = pair.slice(0, eq).trim();
    try {
      out[key] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      continue;
    }
  }
  return out;
}

/**
 * Builds the resource of every record: SDK defaults (telemetry.sdk.*), OTEL_RESOURCE_ATTRIBUTES,
 * host.name, process.pid, then service.name/service.version, then the app's own attributes.
 */
export function buildResource(options: ResourceOptions = {}, env: NodeJS.ProcessEnv = process.env): Resource {
  const fromEnv = parseResourceAttributesEnv(env.OTEL_RESOURCE_ATTRIBUTES);
  const serviceName =
    options.serviceName ?? env.OTEL_SERVICE_NAME ?? (fromEnv['service.name'] as string | undefined) ?? 'unknown_service:node';
  const attributes: Attributes = {
    ...fromEnv,
    'host.name': hostname(),
    'process.pid': process.pid,
    'service.name': serviceName,
  };
  const version = options.serviceVersion ?? fromEnv['service.version'];
  if (version !== undefined) attributes['service.version'] = version;
  Object.assign(attributes, options.resourceAttributes);
  return defaultResource().merge(resourceFromAttributes(attributes));
}
