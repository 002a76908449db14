import type { LogRow } from './rows.ts';
import { tsvField, tsvQuoted } from './tsv-escape.ts';

/**
 * otel_logs rows as ClickHouse `TabSeparated` text (a raw input format `@clickhouse/client` can
 * send as one string; the engine parses it without a JSON step; compared with JSONCompactEachRow
 * in bench/storage-ceiling). One line per row, columns in INSERT_COLUMNS order.
 *
 * Escaping follows the TabSeparated spec: in a field, `\` tab, LF and CR are backslash-escaped;
 * Map values are written as `{'key':'value',…}` whose strings are single-quoted with `\` and `'`
 * escaped as well (one level of escaping, as ClickHouse reads them).
 */
export function rowsToTabSeparated(rows: readonly LogRow[]): string {
  let out = '';
  // Rows of one resource / scope share their attribute objects (requestToRows): serialize each once.
  let resAttrs: Record<string, string> | undefined;
  let resText = '';
  let scopeAttrs: Record<string, string> | undefined;
  let scopeText = '';
  for (const r of rows) {
    if (r[9] !== resAttrs) {
      resAttrs = r[9];
      resText = map(resAttrs);
    }
    if (r[13] !== scopeAttrs) {
      scopeAttrs = r[13];
      scopeText = map(scopeAttrs);
    }
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
      resText + '\t' +
      field(r[10]) + '\t' +
      field(r[11]) + '\t' +
      field(r[12]) + '\t' +
      scopeText + '\t' +
      map(r[14]) + '\t' +
      field(r[15]) + '\t' +
      r[16] + '\n';
  }
  return out;
}

const field = tsvField;
const quoted = tsvQuoted;

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
