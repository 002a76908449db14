/**
 * logq's public API: register logging in an app, get loggers, and (for embedders and tests)
 * the exporter and the collector.
 */
export { registerLogging } from './sdk/register.ts';
export type { BatchOptions, LoggingHandle, RegisterLoggingOptions } from './sdk/register.ts';
export { getLogger } from './sdk/logger.ts';
export type { Logger } from './sdk/logger.ts';
export { buildResource, parseResourceAttributesEnv } from './sdk/resource.ts';
export type { ResourceOptions } from './sdk/resource.ts';
export { GrpcLogExporter } from './exporter/GrpcLogExporter.ts';
export type { GrpcLogExporterOptions } from './exporter/GrpcLogExporter.ts';
export { startCollector } from './collector/Collector.ts';
export type { RunningCollector } from './collector/Collector.ts';
export { loadCollectorConfig } from './collector/config.ts';
export type { CollectorConfig } from './collector/config.ts';
export { DEFAULT_RETENTION, parseRetention, formatRetention } from './storage/RetentionPolicy.ts';
export type { RetentionPolicy } from './storage/RetentionPolicy.ts';
export { openStore } from './storage/client.ts';
export type { Store, StoreOptions } from './storage/client.ts';
