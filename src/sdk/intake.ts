import { diag, isSpanContextValid, trace, type AnyValue, type Attributes, type Context, type HrTime, type SeverityNumber, type SpanContext } from '@opentelemetry/api';
import { AddAttributeDecision, maybeAddAttribute, type InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { LogRecordProcessor, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import type { PreEncodeProcessor } from '../exporter/PreEncodeProcessor.ts';
import type { Redactor } from './processors/redact.ts';

/**
 * logq's loggers → the processors of the provider `registerLogging` installed, without the SDK's
 * `Logger.emit` / `LogRecordImpl`.
 *
 * Per record the SDK path copies the call's options twice (`{ context, ...logRecord }`, the
 * `enabled()` options), converts both timestamps, and copies the attributes one by one through
 * `setAttribute` (key check, a recursive `isAnyValue` with a fresh WeakSet per value, a deep copy
 * of each value): together about half of the SDK path in `node --cpu-prof bench/app-breakdown.ts`,
 * and most of the short-lived garbage that makes the young generation collect (and copy the queued
 * records) more often. logq's façade already has everything in final form — one fresh, flat
 * attribute object per call, one HrTime, the span context — so when the global provider is
 * registerLogging's own, the façade builds a {@link LogqLogRecord} (the SDK's record semantics:
 * same limits, same validation for anything but plain scalars, read-only once emitted) and hands it
 * to that provider's processors, in order, exactly as the SDK's `MultiLogRecordProcessor` would.
 * The queue is still the SDK's `BatchLogRecordProcessor` with its drop counting; records logged
 * through the OTel Logs API take the SDK's own path into the same processors.
 */
export interface DirectPipeline {
  readonly resource: Resource;
  /** The provider's processors, in order (the {@link IntakeProcessor} first). */
  readonly processors: readonly LogRecordProcessor[];
  /** Attribute limits of the provider. */
  readonly limits: { attributeCountLimit: number; attributeValueLengthLimit: number };
  /** True once the provider began shutting down (the SDK's loggers then emit nothing). */
  closed: boolean;
  /** One scope object per logger name (what the SDK's `getLogger(name)` would carry). */
  readonly scopes: Map<string, InstrumentationScope>;
  /** Set when the processors are registerLogging's defaults: see {@link DefaultChain}. */
  defaultChain?: DefaultChain;
}

/**
 * registerLogging's default processors — the intake count, redaction (unless turned off) and the
 * encoder in front of the queue, nothing else — run as one function for logq's loggers: the same
 * steps in the same order on the call's own attribute object, without a record object or the
 * calls through it (per record: the record, its attribute check, three processor calls and a
 * getter per field the redactor and the encoder read). Any other chain, and any record this
 * path does not cover (see {@link emitDirect}), takes the processors one by one.
 */
export interface DefaultChain {
  readonly counts: { emitted: number };
  readonly redactor: Redactor | undefined;
  readonly encoder: PreEncodeProcessor;
}

let installed: DirectPipeline | undefined;

/** The pipeline logq's loggers write to directly, if registerLogging's provider is the global one. */
export function directPipeline(): DirectPipeline | undefined {
  return installed;
}

/** Set by registerLogging once its provider is the global one; cleared at shutdown. */
export function installDirectPipeline(pipeline: DirectPipeline | undefined): void {
  installed = pipeline;
}

/** The scope of records of the logger `name` in `pipeline` (as the SDK builds it: no version, no schema URL). */
export function scopeFor(pipeline: DirectPipeline, name: string): InstrumentationScope {
  let scope = pipeline.scopes.get(name);
  if (!scope) {
    scope = { name: name || 'unknown', version: undefined, schemaUrl: undefined };
    pipeline.scopes.set(name, scope);
  }
  return scope;
}

/**
 * Emits one record of logq's façade into `pipeline`: the span context of `ctx` (when valid), the
 * attributes (adopted when plain, else through the SDK's validation), every processor in order,
 * then read-only — what `Logger.emit` does for a record of an enabled logger. On the
 * {@link DefaultChain}, a string message with attributes the record would adopt as they are is
 * redacted and encoded in one go instead (A/B, default pipeline, 200k records in turns of 1000 into
 * a sink in another process, 12 rounds x 3: app CPU per record, best round 0.95-1.05 → 0.84-0.91 µs).
 */
export function emitDirect(
  pipeline: DirectPipeline,
  scope: InstrumentationScope,
  time: HrTime,
  severityNumber: SeverityNumber,
  severityText: string,
  body: AnyValue,
  attributes: Attributes,
  ctx: Context,
  eventName: string | undefined,
): void {
  if (pipeline.closed) return;
  const sc = trace.getSpanContext(ctx);
  const spanContext = sc && isSpanContextValid(sc) ? sc : undefined;
  const chain = pipeline.defaultChain;
  // The default chain in one go: a string body and attributes the record would adopt as they are.
  if (chain !== undefined && typeof body === 'string' && !chain.encoder.busy && plainAttributeCount(attributes, pipeline.limits) >= 0) {
    const text = chain.redactor === undefined ? body : redactInPlace(chain.redactor, body, attributes);
    if (text !== undefined && chain.encoder.emitFields(pipeline.resource, scope, time, severityNumber, severityText, text, attributes, spanContext, eventName, ctx)) {
      chain.counts.emitted++;
      return;
    }
    // Not redacted or not encoded here: the processors one by one (redacting again changes nothing).
  }
  const record = new LogqLogRecord(pipeline, scope, time, severityNumber, severityText, body, eventName, spanContext, attributes);
  const processors = pipeline.processors;
  for (let i = 0; i < processors.length; i++) processors[i].onEmit(record, ctx);
  record._makeReadonly();
}

/**
 * RedactionProcessor.onEmit on a string message and plain attributes (values replaced in place);
 * returns the message to ship, or undefined if a rule threw (the processor path then handles the
 * record, and the processor's own fallback applies).
 */
function redactInPlace(r: Redactor, body: string, attributes: Attributes): string | undefined {
  try {
    for (const key in attributes) {
      const value = attributes[key];
      const clean = r.redactScalar(key, value);
      if (clean !== value) attributes[key] = clean as string;
    }
    return r.redactString(body);
  } catch {
    return undefined;
  }
}

/** The number of keys of `attributes` if they are all plain (see LogqLogRecord's constructor), else -1. */
function plainAttributeCount(attributes: Attributes, limits: DirectPipeline['limits']): number {
  let n = 0;
  for (const key in attributes) {
    const v = attributes[key];
    const t = typeof v;
    if (
      (t === 'string' ? (v as string).length > limits.attributeValueLengthLimit : t !== 'number' && t !== 'boolean' && v !== null) ||
      key.length === 0 ||
      ++n > limits.attributeCountLimit
    ) {
      return -1;
    }
  }
  return n;
}

/**
 * A log record with the semantics of the SDK's `LogRecordImpl` (sdk-logs 3.x): attribute count and
 * value-length limits, `setAttribute` validation and copies, `droppedAttributesCount`, and writes
 * refused (with a diag warning) once the record was emitted.
 */
export class LogqLogRecord implements ReadWriteLogRecord {
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  attributes: Attributes;
  private _hrTime: HrTime;
  private _hrTimeObserved: HrTime;
  private _spanContext: SpanContext | undefined;
  private _severityText: string | undefined;
  private _severityNumber: SeverityNumber | undefined;
  private _body: AnyValue;
  private _eventName: string | undefined;
  private _attributesCount: number;
  private _droppedAttributesCount = 0;
  private readonly _limits: DirectPipeline['limits'];
  private _isReadonly = false;

  constructor(
    pipeline: DirectPipeline,
    scope: InstrumentationScope,
    time: HrTime,
    severityNumber: SeverityNumber | undefined,
    severityText: string | undefined,
    body: AnyValue,
    eventName: string | undefined,
    spanContext: SpanContext | undefined,
    attributes: Attributes,
  ) {
    this.resource = pipeline.resource;
    this.instrumentationScope = scope;
    this._limits = pipeline.limits;
    this._hrTime = time;
    this._hrTimeObserved = time;
    this._spanContext = spanContext;
    this._severityNumber = severityNumber;
    this._severityText = severityText;
    this._body = body;
    this._eventName = eventName;
    // `attributes` (a fresh object of the caller's) becomes the attribute map as it is when every
    // value is a scalar (string within the length limit, number, boolean, null), no key is empty
    // and the count limit holds: exactly the cases in which setAttributes would store the same
    // values unchanged. Anything else goes through setAttributes (validation, copies, dropped count).
    const n = plainAttributeCount(attributes, this._limits);
    if (n >= 0) {
      this.attributes = attributes;
      this._attributesCount = n;
    } else {
      this.attributes = {};
      this._attributesCount = 0;
      this.setAttributes(attributes);
    }
  }

  get hrTime(): HrTime {
    return this._hrTime;
  }
  set hrTime(value: HrTime) {
    if (!this.refused()) this._hrTime = value;
  }
  get hrTimeObserved(): HrTime {
    return this._hrTimeObserved;
  }
  set hrTimeObserved(value: HrTime) {
    if (!this.refused()) this._hrTimeObserved = value;
  }
  get spanContext(): SpanContext | undefined {
    return this._spanContext;
  }
  set spanContext(value: SpanContext | undefined) {
    if (!this.refused()) this._spanContext = value;
  }
  get severityText(): string | undefined {
    return this._severityText;
  }
  set severityText(value: string | undefined) {
    if (!this.refused()) this._severityText = value;
  }
  get severityNumber(): SeverityNumber | undefined {
    return this._severityNumber;
  }
  set severityNumber(value: SeverityNumber | undefined) {
    if (!this.refused()) this._severityNumber = value;
  }
  get body(): AnyValue {
    return this._body;
  }
  set body(value: AnyValue) {
    if (!this.refused()) this._body = value;
  }
  get eventName(): string | undefined {
    return this._eventName;
  }
  set eventName(value: string | undefined) {
    if (!this.refused()) this._eventName = value;
  }
  get droppedAttributesCount(): number {
    return this._droppedAttributesCount;
  }

  setAttribute(key: string, value?: AnyValue): this {
    if (this.refused()) return this;
    const decision = maybeAddAttribute({
      key,
      value,
      attributes: this.attributes,
      limits: this._limits,
      currentAttributesCount: this._attributesCount,
    });
    if (decision === AddAttributeDecision.DROP_LIMIT_REACHED) {
      this._droppedAttributesCount++;
      if (this._droppedAttributesCount === 1) diag.warn('Dropping extra attributes.');
    } else if (decision === AddAttributeDecision.ADD_NEW) {
      this._attributesCount++;
    }
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const [k, v] of Object.entries(attributes)) this.setAttribute(k, v);
    return this;
  }

  setBody(body: AnyValue): this {
    this.body = body;
    return this;
  }

  setEventName(eventName: string): this {
    this.eventName = eventName;
    return this;
  }

  setSeverityNumber(severityNumber: SeverityNumber): this {
    this.severityNumber = severityNumber;
    return this;
  }

  setSeverityText(severityText: string): this {
    this.severityText = severityText;
    return this;
  }

  /** Called once every processor has seen the record: later writes are refused (as the SDK does). */
  _makeReadonly(): void {
    this._isReadonly = true;
  }

  private refused(): boolean {
    if (this._isReadonly) diag.warn('Can not execute the operation on emitted log record');
    return this._isReadonly;
  }
}

/**
 * First processor of the provider registerLogging builds: counts records as emitted
 * (`stats().emitted`) when given the counters (i.e. when no filter stands between it and the
 * pipeline), and closes the direct pipeline when the provider shuts down.
 */
export class IntakeProcessor implements LogRecordProcessor {
  private readonly counts: { emitted: number } | undefined;
  /** The direct pipeline of the same provider (closed at shutdown). */
  pipeline: DirectPipeline | undefined;

  constructor(counts?: { emitted: number }) {
    this.counts = counts;
  }

  onEmit(): void {
    if (this.counts) this.counts.emitted++;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    if (this.pipeline) this.pipeline.closed = true;
    return Promise.resolve();
  }
}
