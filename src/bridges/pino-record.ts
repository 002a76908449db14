import { ROOT_CONTEXT, trace, type Attributes, type LogRecord } from '@opentelemetry/api';
import { flattenInto } from '../sdk/attributes.ts';
import { spanContextFromFields } from './correlation.ts';
import { exceptionAttributes } from './exception-attributes.ts';
import { pinoSeverity } from './pino-levels.ts';

/** How pino names things in its JSON lines (from the pino config the worker receives). */
export interface PinoLineShape {
  /** Key of the message. @default 'msg' */
  messageKey?: string;
  /** Key of the serialized error. @default 'err' */
  errorKey?: string;
  /** Level number → label, for custom levels. @default pino's six levels */
  labels?: ReadonlyMap<number, string>;
}

/** A pino line turned into an OTel record, with the logger (scope) name it belongs to. */
export interface MappedPinoRecord {
  /** pino's `name` (the logger name) when set, else undefined. */
  name: string | undefined;
  record: LogRecord;
}

// Fields that become record fields (not attributes). pid and hostname are pino's base bindings:
// the transport runs in the app's process, so they equal the resource's process.pid/host.name.
const RESERVED = new Set(['level', 'time', 'name', 'pid', 'hostname', 'trace_id', 'span_id', 'trace_flags']);

/** pino's `time`: epoch ms by default, an ISO string with `stdTimeFunctions.isoTime`. */
function timestampOf(time: unknown): number | undefined {
  if (typeof time === 'number' && Number.isFinite(time)) return time;
  if (typeof time === 'string') {
    const ms = Date.parse(time);
    if (!Number.isNaN(ms)) return ms;
  }
  return undefined;
}

/**
 * Maps one parsed pino line to an OTel log record: `level` → severity (see {@link pinoSeverity}),
 * the message key → body, `time` → timestamp, the error key → `exception.type/message/stacktrace`
 * (its other fields, e.g. `code`, as `err.code`), `trace_id`/`span_id`/`trace_flags` (logq's mixin,
 * the OTel pino instrumentation) → the record's trace context, every other field (bindings, child
 * bindings, the merging object) → attributes, nested objects flattened to dotted keys.
 */
export function mapPinoRecord(obj: Record<string, unknown>, shape: PinoLineShape = {}): MappedPinoRecord {
  const messageKey = shape.messageKey ?? 'msg';
  const errorKey = shape.errorKey ?? 'err';
  const level = obj.level;
  const severity = pinoSeverity(level, typeof level === 'number' ? shape.labels?.get(level) : undefined);
  const attributes: Attributes = {};
  const rest: Record<string, unknown> = {};
  for (const key in obj) {
    if (RESERVED.has(key) || key === messageKey || key === errorKey) continue;
    rest[key] = obj[key];
  }
  flattenInto(attributes, rest);

  const err = obj[errorKey];
  if (err !== undefined && err !== null) {
    exceptionAttributes(err, attributes);
    if (typeof err === 'object') {
      const extra: Record<string, unknown> = {};
      for (const key in err as Record<string, unknown>) {
        if (key !== 'type' && key !== 'message' && key !== 'stack') extra[key] = (err as Record<string, unknown>)[key];
      }
      flattenInto(attributes, extra, errorKey);
    }
  }

  const record: LogRecord = { severityNumber: severity.number, severityText: severity.text, attributes };
  const message = obj[messageKey];
  if (message !== undefined) record.body = typeof message === 'string' ? message : (message as LogRecord['body']);
  else if (typeof attributes['exception.message'] === 'string') record.body = attributes['exception.message'];
  const ts = timestampOf(obj.time);
  if (ts !== undefined) record.timestamp = ts;
  const spanContext = spanContextFromFields(obj.trace_id, obj.span_id, obj.trace_flags);
  if (spanContext) record.context = trace.setSpanContext(ROOT_CONTEXT, spanContext);
  else {
    // Not a valid id pair: keep what was there rather than lose it.
    for (const key of ['trace_id', 'span_id', 'trace_flags']) if (obj[key] !== undefined) flattenInto(attributes, { [key]: obj[key] });
  }
  return { name: typeof obj.name === 'string' ? obj.name : undefined, record };
}
