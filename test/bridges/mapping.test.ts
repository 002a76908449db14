import { describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import { spanContextFromFields } from '../../src/bridges/correlation.ts';
import { exceptionAttributes, typeFromStack } from '../../src/bridges/exception-attributes.ts';
import { pinoSeverity } from '../../src/bridges/pino-levels.ts';
import { mapPinoRecord } from '../../src/bridges/pino-record.ts';
import { winstonSeverity } from '../../src/bridges/winston-levels.ts';

// Issue 9: the mapping rules of the bridges, on the edges the end-to-end tests do not reach.

describe('pinoSeverity', () => {
  it('keeps the order of custom levels inside and around the six bands', () => {
    expect([5, 10, 15, 20, 25, 30, 35, 39, 40, 50, 60, 70, 100].map((l) => pinoSeverity(l).number)).toEqual([1, 1, 3, 5, 7, 9, 11, 12, 13, 17, 21, 24, 24]);
    expect(pinoSeverity(35, 'audit')).toEqual({ number: 11, text: 'AUDIT' });
  });
  it('treats a missing or non-numeric level as INFO', () => {
    expect(pinoSeverity(undefined).number).toBe(9);
    expect(pinoSeverity('warn').number).toBe(9);
  });
});

describe('mapPinoRecord', () => {
  it('honours custom messageKey and errorKey, ISO times and a missing message', () => {
    const { record } = mapPinoRecord({ level: 50, time: '2026-11-23T10:00:00.123Z', text: 'hello', error: { type: 'Error', message: 'x', stack: 'Error: x\n  at y' } }, { messageKey: 'text', errorKey: 'error' });
    expect(record.body).toBe('hello');
    expect(record.timestamp).toBe(Date.parse('2026-11-23T10:00:00.123Z'));
    expect(record.attributes).toMatchObject({ 'exception.type': 'Error', 'exception.message': 'x' });
    expect(record.attributes).not.toHaveProperty('text');
    // No message at all: an error's message is the body; otherwise no body.
    expect(mapPinoRecord({ level: 50, err: { type: 'E', message: 'only err' } }).record.body).toBe('only err');
    expect(mapPinoRecord({ level: 30, a: 1 }).record.body).toBeUndefined();
  });
  it('keeps invalid trace fields as attributes instead of dropping them', () => {
    const { record } = mapPinoRecord({ level: 30, msg: 'm', trace_id: 'not-hex', span_id: '00f067aa0ba902b7' });
    expect(record.context).toBeUndefined();
    expect(record.attributes).toMatchObject({ trace_id: 'not-hex', span_id: '00f067aa0ba902b7' });
  });
  it('sets the trace context from valid trace fields', () => {
    const { record } = mapPinoRecord({ level: 30, msg: 'm', trace_id: '4BF92F3577B34DA6A3CE929D0E0E4736', span_id: '00f067aa0ba902b7', trace_flags: '01' });
    expect(trace.getSpanContext(record.context!)).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 });
  });
  it('flattens nested bindings, cuts cycles and keeps a string err as the exception message', () => {
    const cyclic: Record<string, unknown> = { id: 1 };
    cyclic.self = cyclic;
    const { record } = mapPinoRecord({ level: 40, msg: 'm', ctx: cyclic, err: 'plain string' });
    expect(record.attributes).toMatchObject({ 'ctx.id': 1, 'ctx.self': '[Circular]', 'exception.message': 'plain string' });
  });
});

describe('winstonSeverity', () => {
  it('maps npm and syslog levels, custom overrides, and unknown levels to INFO', () => {
    expect(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'].map((l) => winstonSeverity(l))).toEqual([17, 13, 9, 7, 6, 5, 1]);
    expect(['emerg', 'alert', 'crit', 'warning', 'notice'].map((l) => winstonSeverity(l))).toEqual([23, 22, 21, 13, 10]);
    expect(winstonSeverity('audit', { audit: 11 })).toBe(11);
    expect(winstonSeverity('whatever')).toBe(9);
  });
});

describe('exception attributes', () => {
  it('reads the type from a stack when nothing else names it', () => {
    expect(typeFromStack('ValidationError: bad\n    at x')).toBe('ValidationError');
    expect(typeFromStack('no colon here at all\n')).toBeUndefined();
    expect(exceptionAttributes({ message: 'm', stack: 'TypeError: m\n at z' })).toEqual({ 'exception.type': 'TypeError', 'exception.message': 'm', 'exception.stacktrace': 'TypeError: m\n at z' });
  });
});

describe('spanContextFromFields', () => {
  it('rejects all-zero, short and non-string ids', () => {
    expect(spanContextFromFields('0'.repeat(32), '00f067aa0ba902b7', '01')).toBeUndefined();
    expect(spanContextFromFields('4bf92f3577b34da6a3ce929d0e0e4736', '0'.repeat(16), '01')).toBeUndefined();
    expect(spanContextFromFields('abc', '00f067aa0ba902b7', 1)).toBeUndefined();
    expect(spanContextFromFields(42, '00f067aa0ba902b7', 1)).toBeUndefined();
    expect(spanContextFromFields('4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', 1)?.traceFlags).toBe(1);
  });
});
