import { performance } from 'node:perf_hooks';
import { context, logs, trace, type Attributes, type HrTime, type Logger as OtelLogger } from '@opentelemetry/api';
import { flattenInto } from './attributes.ts';
import { addCodeLocation } from './code-location.ts';
import { describeError } from '../otlp/describe-error.ts';
import { logContextStorage } from './context.ts';
import { directPipeline, emitDirect, scopeFor, type DirectPipeline } from './intake.ts';
import type { InstrumentationScope } from '@opentelemetry/core';
import { resolveLevelConfig, severityFor, type LevelConfig } from './level-config.ts';
import { LEVEL_INFO, LEVEL_NAMES, levelSeverity, SILENT_SEVERITY, type LevelName } from './levels.ts';

/** Attributes a log call accepts: nested objects are flattened to dotted keys (see attributes.ts). */
export type LogAttributes = Record<string, unknown>;

/** A log method: message plus optional attributes. */
export type LogMethod = (message: string, attributes?: LogAttributes) => void;

/** The logger apps use (the seed's AsyncLogger, Django's named loggers). */
export interface Logger {
  /** The logger's name (the OTel instrumentation scope name, dot-separated hierarchy). */
  readonly name: string;
  trace: LogMethod;
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
  fatal: LogMethod;
  /** Alias of {@link Logger.fatal} (Python's CRITICAL). */
  critical: LogMethod;
  /** Logs `err` at ERROR with OTel `exception.type`, `exception.message`, `exception.stacktrace`. */
  exception(err: unknown, message?: string, attributes?: LogAttributes): void;
  /** Logs a named event at INFO (OTLP `event_name`; the seed's `log_event`). */
  event(name: string, attributes?: LogAttributes): void;
  /** A logger with the same name and level whose records all carry `attributes` (flattened once). */
  child(attributes: LogAttributes): Logger;
  /** Whether a record at `level` would be emitted by this logger. */
  isLevelEnabled(level: LevelName): boolean;
}

/** Options of the logger façade, set by {@link registerLogging} (or {@link configureLoggers}). */
export interface LoggerSettings {
  /** Resolved levels. @default LOG_LEVEL ?? trace (no filtering) */
  levels: LevelConfig;
  /**
   * Add code location (`code.function.name`, `code.file.path`, `code.line.number`) to records at or
   * above this level; `true` means ERROR and above, `false` none. @default false
   */
  codeLocation: boolean | LevelName;
}

let settings: LoggerSettings = { levels: resolveLevelConfig({}, process.env, () => {}), codeLocation: false };
const roots = new Map<string, LoggerImpl>();

function noop(): void {}

/**
 * Log calls that hit an exception inside logq: in the façade (a getter of the attributes that
 * throws: the record is not shipped) or in one of the app's processors (registerLogging runs them
 * guarded: the record goes on without that processor's work). The call itself returns as usual; the
 * count is {@link LoggingHandle.stats} `errors`, and a line goes to stderr at most every 10 s per
 * kind of failure (per logger, per processor role), naming the cause ({@link describeError}: never
 * throws, secrets replaced, cut short).
 */
let callErrors = 0;
/** When each kind of failure (`what`: per logger, per processor role) last got a line. */
const lastErrorLine = new Map<string, number>();
export function logCallErrors(): number {
  return callErrors;
}
export function reportLogCallError(what: string, error: unknown): void {
  callErrors++;
  const now = Date.now();
  if (now - (lastErrorLine.get(what) ?? -Infinity) < 10_000) return;
  if (lastErrorLine.size >= 1000) lastErrorLine.clear();
  lastErrorLine.set(what, now);
  try {
    process.stderr.write(`logq: ${what}: ${describeError(error)} (${callErrors} so far)\n`);
  } catch {
    // stderr itself failed: the count stays.
  }
}

// performance.timeOrigin as HrTime, computed once: the SDK recomputes it for every record when
// given performance.now() (timeInputToHrTime → hrTime: ~9% of the SDK path in a profile).
const ORIGIN_SEC = Math.trunc(performance.timeOrigin / 1000);
const ORIGIN_NANOS = Math.round((performance.timeOrigin % 1000) * 1e6);

/**
 * Now as HrTime: timeOrigin + performance.now(), the same arithmetic as the SDK's `hrTime()`
 * (sub-ms and monotonic, so records of one millisecond keep their order in otel_logs).
 */
export function nowHrTime(): HrTime {
  const now = performance.now();
  let sec = ORIGIN_SEC + Math.trunc(now / 1000);
  let nanos = ORIGIN_NANOS + Math.round((now % 1000) * 1e6);
  if (nanos >= 1e9) {
    nanos -= 1e9;
    sec += 1;
  }
  return [sec, nanos];
}

function codeThreshold(setting: boolean | LevelName): number {
  if (setting === false) return SILENT_SEVERITY;
  if (setting === true) return LEVEL_INFO.error.number;
  return levelSeverity(setting) ?? LEVEL_INFO.error.number;
}

class LoggerImpl implements Logger {
  readonly name: string;
  // Set on the root logger; children inherit them through the prototype chain, so changing the
  // levels of a root re-levels every child without tracking them.
  declare otel: OtelLogger;
  declare minSeverity: number;
  declare codeSeverity: number;
  declare trace: LogMethod;
  declare debug: LogMethod;
  declare info: LogMethod;
  declare warn: LogMethod;
  declare error: LogMethod;
  declare fatal: LogMethod;
  declare critical: LogMethod;
  declare bound: Attributes | undefined;
  /** registerLogging's pipeline when its provider is the global one: records go there directly (intake.ts). */
  declare direct: DirectPipeline | undefined;
  declare scope: InstrumentationScope | undefined;

  constructor(name: string) {
    this.name = name;
    this.bound = undefined;
    this.apply();
  }

  /** Precomputes the methods: a disabled level is the shared no-op (pino's approach). */
  apply(): void {
    this.otel = logs.getLogger(this.name);
    this.direct = directPipeline();
    this.scope = this.direct ? scopeFor(this.direct, this.name) : undefined;
    this.minSeverity = severityFor(this.name, settings.levels);
    this.codeSeverity = codeThreshold(settings.codeLocation);
    for (const level of LEVEL_NAMES) this[level] = this.minSeverity <= LEVEL_INFO[level].number ? makeMethod(level) : noop;
    this.critical = this.fatal;
  }

  exception(err: unknown, message?: string, attributes?: LogAttributes): void {
    if (this.minSeverity > LEVEL_INFO.error.number) return;
    const e = err instanceof Error ? err : undefined;
    const extra: Attributes = {
      'exception.type': e ? e.name || e.constructor?.name || 'Error' : typeof err,
      'exception.message': e ? e.message : String(err),
    };
    if (e?.stack) extra['exception.stacktrace'] = e.stack;
    this.emit(LEVEL_INFO.error.number, 'ERROR', message ?? String(extra['exception.message']), attributes, this.exception, undefined, extra);
  }

  event(name: string, attributes?: LogAttributes): void {
    if (this.minSeverity > LEVEL_INFO.info.number) return;
    this.emit(LEVEL_INFO.info.number, 'INFO', name, attributes, this.event, name);
  }

  child(attributes: LogAttributes): Logger {
    const child = Object.create(this) as LoggerImpl;
    child.bound = flattenInto({ ...this.bound }, attributes);
    return child;
  }

  isLevelEnabled(level: LevelName): boolean {
    const info = LEVEL_INFO[level];
    return info !== undefined && this.minSeverity <= info.number;
  }

  /** Builds and emits one record; never throws into the app. */
  emit(
    severityNumber: number,
    severityText: string,
    body: string,
    attributes: LogAttributes | undefined,
    entry: Function,
    eventName?: string,
    extra?: Attributes,
  ): void {
    try {
      const store = logContextStorage.getStore();
      let out: Attributes;
      if (store?.attributes === undefined && this.bound === undefined && extra === undefined && isPlainObject(attributes)) {
        // Nothing to merge (the common call): one shallow clone (each getter read once), kept as
        // it is when it has nothing to flatten.
        const copy: Attributes = { ...attributes };
        out = isFlatScalars(copy) ? copy : flattenInto({}, copy);
      } else {
        out = {};
        if (store?.attributes) Object.assign(out, store.attributes);
        if (this.bound) Object.assign(out, this.bound);
        if (attributes !== undefined && attributes !== null) addCallAttributes(out, attributes);
        if (extra) Object.assign(out, extra);
      }
      let ctx = context.active();
      if (store) {
        if (store.requestId !== undefined) out['request.id'] = store.requestId;
        if (store.shared.userId !== undefined) out['user.id'] = store.shared.userId;
        // A tracing SDK's active span wins; else the request's own (traceparent or generated) ids.
        if (store.spanContext && !trace.getSpanContext(ctx)) ctx = trace.setSpanContext(ctx, store.spanContext);
      }
      if (severityNumber >= this.codeSeverity) addCodeLocation(out, entry);
      // One HrTime for both: the record is observed when it is logged (the SDK would otherwise take
      // Date.now() again for the observed time).
      const time = nowHrTime();
      if (this.direct) emitDirect(this.direct, this.scope!, time, severityNumber, severityText, body, out, ctx, eventName);
      else this.otel.emit({ timestamp: time, observedTimestamp: time, severityNumber, severityText, body, attributes: out, context: ctx, eventName });
    } catch (error) {
      // The logging path never throws into the application; the loss is counted and reported.
      reportLogCallError(`a log call on logger "${this.name}" failed and its record was not shipped`, error);
    }
  }
}

/** A `{…}` literal (or JSON.parse result): no prototype but Object.prototype, so no inherited keys. */
function isPlainObject(attributes: LogAttributes | undefined): attributes is LogAttributes {
  return attributes !== undefined && attributes !== null && typeof attributes === 'object' && Object.getPrototypeOf(attributes) === Object.prototype;
}

/**
 * True when every value of `copy` (own data properties) is a string, number, boolean or null and
 * no key is `__proto__`: then {@link flattenInto} would give the same map, and the copy is used as
 * it is (~3% of the app's CPU at 100k records/s went to flattenInto's key-by-key stores). Symbol
 * keys ride along on the copy (flattenInto skips them); no exporter or processor of logq reads
 * them, and OTel attribute keys are strings.
 */
function isFlatScalars(copy: Attributes): boolean {
  for (const key in copy) {
    const v = copy[key];
    const t = typeof v;
    if ((t !== 'string' && t !== 'number' && t !== 'boolean' && v !== null) || key === '__proto__') return false;
  }
  return true;
}

/**
 * Adds the attributes of one call. `log.error('failed', err)` is a common slip: an Error becomes
 * the OTel exception attributes rather than an empty map; a non-object is kept as `log.argument`.
 */
function addCallAttributes(out: Attributes, attributes: unknown): void {
  if (attributes instanceof Error) {
    out['exception.type'] = attributes.name;
    out['exception.message'] = attributes.message;
    if (attributes.stack) out['exception.stacktrace'] = attributes.stack;
  } else if (typeof attributes === 'object') {
    flattenInto(out, attributes as LogAttributes);
  } else {
    out['log.argument'] = String(attributes);
  }
}

function makeMethod(level: LevelName): LogMethod {
  const { number, text } = LEVEL_INFO[level];
  const method = function (this: LoggerImpl, message: string, attributes?: LogAttributes): void {
    this.emit(number, text, message, attributes, method);
  };
  return method;
}

/**
 * Returns the logger named `name` (one instance per name). Its level comes from the level
 * settings (`LOG_LEVEL`, `level`, `levels` by prefix). Safe to call before {@link registerLogging}:
 * records go through the OTel API's global provider, and registration re-levels existing loggers.
 * While the global provider is registerLogging's own, records go straight to its processors
 * (same records, same order, same queue; see intake.ts) instead of through the SDK's Logger.
 */
export function getLogger(name: string): Logger {
  let logger = roots.get(name);
  if (!logger) {
    logger = new LoggerImpl(name);
    roots.set(name, logger);
  }
  return logger;
}

/** Applies new settings to every logger (existing ones are re-levelled in place). */
export function configureLoggers(next: Partial<LoggerSettings>): void {
  settings = { ...settings, ...next };
  for (const logger of roots.values()) logger.apply();
}

/** The settings in force (for tests and diagnostics). */
export function loggerSettings(): Readonly<LoggerSettings> {
  return settings;
}
