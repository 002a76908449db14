import type { LogRow } from './rows.ts';

/**
 * otel_logs rows as ClickHouse `TabSeparated` text, the input format the engine parses fastest
 * among those `@clickhouse/client` can send (measured in bench/storage-ceiling against
 * JSONCompactEachRow). One line per row, columns in INSERT_COLUMNS order.
 *
 * Escaping follows the TabSeparated spec: in a field, `\` tab, LF and CR are backslash-escaped;
 * Map values are written as `{'key':'value',…}` whose strings are single-quoted with `\` and `'`
 * escaped as well (one level of escaping, as ClickHouse reads them).
 */
export function rowsToTabSeparated(rows: readonly LogRow[]): string {
  let out = '';
  for (const r of rows) {
    out +=
      r[0] + '\t' +
      field(r[1]) + '\t' +
      field(r[2]) + '\t' +
      r[3] + '\t' +
      field(r[4]) + '\t' +
      r[5] + '\t' +
      field(r[6]) + '\t' +
      field(r[7]) + '\t' +
      field(r[8]) + '\t' +
      map(r[9]) + '\t' +
      field(r[10]) + '\t' +
      field(r[11]) + '\t' +
      field(r[12]) + '\t' +
      map(r[13]) + '\t' +
      map(r[14]) + '\t' +
      field(r[15]) + '\t' +
      r[16] + '\n';
  }
  return out;
}

const NEEDS_FIELD_ESCAPE = /[\\\t\n\r]/;
const FIELD_ESCAPES = /[\\\t\n\r]/g;
const NEEDS_QUOTED_ESCAPE = /[\\\t\n\r']/;
const QUOTED_ESCAPES = /[\\\t\n\r']/g;

function escapeChar(c: string): string {
  switch (c) {
    case '\t':
      return '\\t';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    default:
      return '\\' + c; // backslash, single quote
  }
}

/** A String field: escaped only when it holds a special character (most do not: one regex test). */
function field(s: string): string {
  return NEEDS_FIELD_ESCAPE.test(s) ? s.replace(FIELD_ESCAPES, escapeChar) : s;
}

function quoted(s: string): string {
  return "'" + (NEEDS_QUOTED_ESCAPE.test(s) ? s.replace(QUOTED_ESCAPES, escapeChar) : s) + "'";
}

/** A Map(String, String) field. */
function map(m: Record<string, string>): string {
  let out = '{';
  let first = true;
  for (const k in m) {
    if (!first) out += ',';
    first = false;
    out += quoted(k) + ':' + quoted(m[k]);
  }
  return out + '}';
}
