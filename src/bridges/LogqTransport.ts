import { context, logs, trace, type Attributes, type Context, type LogRecord, type Logger, type LoggerProvider } from '@opentelemetry/api';
import TransportStream from 'winston-transport';
import { flattenInto } from '../sdk/attributes.ts';
import { currentCorrelation, spanContextFromFields } from './correlation.ts';
import { exceptionAttributes, typeFromStack } from './exception-attributes.ts';
import { winstonSeverity } from './winston-levels.ts';

/** Options of {@link LogqTransport} (winston's own transport options included). */
export interface LogqTransportOptions extends TransportStream.TransportStreamOptions {
  /** Logger (instrumentation scope) name of the records. @default 'winston' */
  loggerName?: string;
  /** Where records go. @default the global OTel provider, i.e. logq's after `registerLogging()` */
  provider?: LoggerProvider;
  /** Severity numbers of custom winston levels (name → 1..24). @default npm/syslog/cli mapping */
  severities?: Record<string, number>;
}

const LEVEL = Symbol.for('level');
// Fields of winston's info object that become record fields rather than attributes.
const RESERVED = new Set(['level', 'message', 'stack', 'timestamp', 'trace_id', 'span_id', 'trace_flags']);

type Info = Record<string | symbol, unknown> & { level?: string; message?: unknown };

/**
 * A winston transport that sends every record through OpenTelemetry to logq: winston's level →
 * severity (see {@link WINSTON_SEVERITY}), `message` → body, `timestamp` (from
 * `format.timestamp()`) → timestamp, a stack from `format.errors({ stack: true })` →
 * `exception.type/message/stacktrace`, every other field (metadata, defaultMeta, child
 * metadata) → attributes, flattened. It also adds logq's correlation (request id, user id, trace
 * and span ids) read when winston calls it.
 *
 * @example winston.createLogger({ format: winston.format.errors({ stack: true }), transports: [new LogqTransport()] })
 */
export class LogqTransport extends TransportStream {
  private readonly loggerName: string;
  private readonly provider: LoggerProvider | undefined;
  private readonly severities: Record<string, number> | undefined;
  private otel: Logger | undefined;
  private otelProvider: LoggerProvider | undefined;

  constructor(options: LogqTransportOptions = {}) {
    super(options);
    this.loggerName = options.loggerName ?? 'winston';
    this.provider = options.provider;
    this.severities = options.severities;
  }

  /** The OTel logger; re-fetched when the global provider changes (registration after creation). */
  private logger(): Logger {
    const provider = this.provider ?? logs.getLoggerProvider();
    if (!this.otel || provider !== this.otelProvider) {
      this.otel = provider.getLogger(this.loggerName);
      this.otelProvider = provider;
    }
    return this.otel;
  }

  override log(info: Info, next: () => void): void {
    try {
      this.logger().emit(this.toRecord(info));
    } catch {
      // The logging path never throws into the application.
    }
    setImmediate(() => this.emit('logged', info));
    next();
  }

  private toRecord(info: Info): LogRecord {
    const level = typeof info[LEVEL] === 'string' ? (info[LEVEL] as string) : String(info.level ?? 'info');
    const attributes: Attributes = {};
    const c = currentCorrelation();
    if (c.attributes) Object.assign(attributes, c.attributes);
    const rest: Record<string, unknown> = {};
    let errorValue: Error | undefined;
    for (const key in info) {
      if (RESERVED.has(key)) continue;
      const value = info[key];
      if (value instanceof Error && !errorValue) errorValue = value;
      rest[key] = value;
    }
    flattenInto(attributes, rest);
    if (c.requestId !== undefined) attributes['request.id'] = c.requestId;
    if (c.userId !== undefined) attributes['user.id'] = c.userId;

    if (typeof info.stack === 'string') {
      const type = typeof info.name === 'string' ? info.name : typeFromStack(info.stack);
      if (type) attributes['exception.type'] = type;
      attributes['exception.message'] = errorMessage(info.message, info.stack);
      attributes['exception.stacktrace'] = info.stack;
    } else if (info.message instanceof Error) {
      exceptionAttributes(info.message, attributes);
    } else if (errorValue) {
      exceptionAttributes(errorValue, attributes);
    }

    const record: LogRecord = {
      severityNumber: winstonSeverity(level, this.severities),
      severityText: level.toUpperCase(),
      attributes,
    };
    const message = info.message instanceof Error ? info.message.message : info.message;
    if (message !== undefined) record.body = typeof message === 'string' ? message : (message as LogRecord['body']);
    const ts = typeof info.timestamp === 'string' || typeof info.timestamp === 'number' ? new Date(info.timestamp).getTime() : NaN;
    if (!Number.isNaN(ts)) record.timestamp = ts;
    else if (info.timestamp !== undefined) attributes.timestamp = String(info.timestamp);

    let ctx: Context | undefined;
    const fromFields = spanContextFromFields(info.trace_id, info.span_id, info.trace_flags);
    if (fromFields) ctx = trace.setSpanContext(context.active(), fromFields);
    else if (c.spanContext && !trace.getSpanContext(context.active())) ctx = trace.setSpanContext(context.active(), c.spanContext);
    if (ctx) record.context = ctx;
    return record;
  }
}

/** The error's own message: the stack's first line after `Type: ` when it is part of the message. */
function errorMessage(message: unknown, stack: string): string {
  const first = stack.slice(0, stack.indexOf('\n') >>> 0);
  const colon = first.indexOf(': ');
  const fromStack = colon >= 0 ? first.slice(colon + 2) : undefined;
  if (fromStack !== undefined && (typeof message !== 'string' || message.endsWith(fromStack))) return fromStack;
  return typeof message === 'string' ? message : String(message);
}
