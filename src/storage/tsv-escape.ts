/**
 * TabSeparated escaping (ClickHouse input format): a String field escapes `\`, tab, LF and CR with
 * a backslash; a string inside a Map is single-quoted and escapes `'` as well. Strings are scanned
 * with a charCode loop first: most log text needs no escaping, and the loop is ~3x cheaper than a
 * regex test on short strings (measured in bench/storage-ceiling).
 */

function escapeFrom(s: string, i: number, quote: boolean): string {
  let out = s.slice(0, i);
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92) out += '\\\\';
    else if (c === 9) out += '\\t';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 39 && quote) out += "\\'";
    else out += s[i];
  }
  return out;
}

/** A String field of a TabSeparated line. */
export function tsvField(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 || c === 9 || c === 10 || c === 13) return escapeFrom(s, i, false);
  }
  return s;
}

/** A single-quoted string inside a Map (or Array) field of a TabSeparated line. */
export function tsvQuoted(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 || c === 9 || c === 10 || c === 13 || c === 39) return "'" + escapeFrom(s, i, true) + "'";
  }
  return "'" + s + "'";
}
