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
// App-side SDK (issue 4)
export { configureLoggers } from './sdk/logger.ts';
export type { LogAttributes, LogMethod, LoggerSettings } from './sdk/logger.ts';
export type { LevelName, LevelSetting } from './sdk/levels.ts';
export { resolveLevelConfig, parseLogLevelEnv } from './sdk/level-config.ts';
export type { LevelOptions, LevelConfig } from './sdk/level-config.ts';
export { currentRequestId, setUser, currentLogContext } from './sdk/context.ts';
export type { LogContext } from './sdk/context.ts';
export { parseTraceparent } from './sdk/trace-context.ts';
export { requestLogging } from './sdk/middleware/express.ts';
export { fastifyRequestLogging } from './sdk/middleware/fastify.ts';
export { withRequestLogging } from './sdk/middleware/node-http.ts';
export type { RequestLoggingOptions } from './sdk/middleware/request-core.ts';
export { logCall, logPerformance, withLogContext } from './sdk/wrappers.ts';
export type { LogCallOptions, LogPerformanceOptions } from './sdk/wrappers.ts';
export { LogCall, LogPerformance } from './sdk/decorators.ts';
export { RedactionProcessor } from './sdk/processors/RedactionProcessor.ts';
export { Redactor, REDACTED, DEFAULT_SECRET_KEYS } from './sdk/processors/redact.ts';
export type { RedactOptions } from './sdk/processors/redact.ts';
export { FilterProcessor } from './sdk/processors/FilterProcessor.ts';
export type { LogFilter } from './sdk/processors/FilterProcessor.ts';
export { NotifyProcessor } from './sdk/processors/NotifyProcessor.ts';
export type { NotifyProcessorOptions } from './sdk/processors/NotifyProcessor.ts';
export { ConsoleLogExporter } from './sdk/exporters/ConsoleLogExporter.ts';
export type { ConsoleLogExporterOptions } from './sdk/exporters/ConsoleLogExporter.ts';
export { RotatingFileExporter } from './sdk/exporters/RotatingFileExporter.ts';
export type { RotatingFileExporterOptions } from './sdk/exporters/RotatingFileExporter.ts';
export type { PipelineStats } from './sdk/QueueStats.ts';
export type { ExitFlushOptions } from './sdk/exit-flush.ts';
export type { GrpcExporterStats, RetryEvent } from './exporter/GrpcLogExporter.ts';
export { logqPinoMixin } from './bridges/pino-mixin.ts';
export type { LogqPinoMixinOptions } from './bridges/pino-mixin.ts';
export type { LogqPinoTransportOptions } from './bridges/pino-transport.ts';
export { LogqTransport } from './bridges/LogqTransport.ts';
export type { LogqTransportOptions } from './bridges/LogqTransport.ts';
export { captureConsole, restoreConsole } from './bridges/console-capture.ts';
export type { CaptureConsoleOptions } from './bridges/console-capture.ts';
// Storage operations and querying (issue 6)
export { searchLogs } from './storage/search.ts';
export type { LogRecordView, SearchOptions, SearchPage } from './storage/search.ts';
export { parseFilter, filterToSql, FilterError } from './storage/LogFilter.ts';
export type { LogFilter as LogQueryFilter, RawFilter } from './storage/LogFilter.ts';
export { logHistogram } from './storage/histogram.ts';
export { LogFollower } from './storage/LogFollower.ts';
export { planClean, runClean } from './storage/clean.ts';
export type { CleanOptions, CleanPlan } from './storage/clean.ts';
export { retentionReport, setRetention } from './storage/retention-admin.ts';
export { applyMigrations, pendingMigrations, MIGRATIONS } from './storage/migrations.ts';
export { ensureSchema } from './storage/schema.ts';
export { registerQueryApi } from './collector/query-api.ts';
export type { QueryApiOptions } from './collector/query-api.ts';
// Collector as a service (issue 5)
export type { CollectorHooks } from './collector/Collector.ts';
export { LogqError, ERROR_CODES } from './collector/errors.ts';
export type { ErrorCode } from './collector/errors.ts';
// Web explorer (issue 8)
export { registerExplorer } from './collector/explorer.ts';
export type { ExplorerOptions } from './collector/explorer.ts';
