import { describe, expect, it } from 'vitest';
import { DEFAULT_RETENTION, formatRetention, parseRetention, retentionExpression } from '../../src/storage/RetentionPolicy.ts';
import { alterRetentionSql, createLogsTableSql } from '../../src/storage/schema.ts';

describe('retention policy', () => {
  it('parses the documented form, case-insensitive, with Python level names and weeks', () => {
    expect(parseRetention('DEBUG=3d,INFO=10d,WARN=10d,ERROR=15d,FATAL=30d')).toEqual(DEFAULT_RETENTION);
    expect(parseRetention('warning=2w critical=90 info=1d')).toEqual({ ...DEFAULT_RETENTION, WARN: 14, FATAL: 90, INFO: 1 });
  });

  it('rejects bad specs with the part and the expected form', () => {
    expect(() => parseRetention('INFO=10x')).toThrow('"INFO=10x" is not LEVEL=<days>d (e.g. INFO=10d)');
    expect(() => parseRetention('LOUD=1d')).toThrow(/unknown level "LOUD"/);
    expect(() => parseRetention('INFO=0d')).toThrow(/between 1 and 65535/);
    expect(() => parseRetention('')).toThrow(/empty retention/);
  });

  it('formats canonically and builds a multiIf over severity ranges', () => {
    expect(formatRetention(DEFAULT_RETENTION)).toBe('TRACE=3d,DEBUG=3d,INFO=10d,WARN=10d,ERROR=15d,FATAL=30d');
    const expr = retentionExpression({ ...DEFAULT_RETENTION, ERROR: 45 });
    expect(expr).toBe(
      'toUInt16(multiIf(SeverityNumber = 0, 10, SeverityNumber <= 4, 3, SeverityNumber <= 8, 3, SeverityNumber <= 12, 10, ' +
        'SeverityNumber <= 16, 10, SeverityNumber <= 20, 45, 30))',
    );
  });

  it('DDL partitions by day and retention, expires whole parts, never uses TTL … WHERE', () => {
    const ddl = createLogsTableSql(DEFAULT_RETENTION);
    expect(ddl).toContain('PARTITION BY (toDate(TimestampTime), RetentionDays)');
    expect(ddl).toContain('TTL TimestampTime + toIntervalDay(RetentionDays)');
    expect(ddl).toContain('ttl_only_drop_parts = 1');
    expect(ddl).not.toMatch(/TTL[^\n]*WHERE/);
    expect(alterRetentionSql({ ...DEFAULT_RETENTION, INFO: 7 })).toMatch(
      /^ALTER TABLE `otel`\.`otel_logs` MODIFY COLUMN RetentionDays UInt16 DEFAULT .*SeverityNumber <= 12, 7,.* COMMENT 'logq retention .*INFO=7d/,
    );
  });
});
