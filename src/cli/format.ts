/** Renders rows as an aligned text table (the default output of `logq query`). */
export function formatTable(columns: string[], rows: Record<string, unknown>[]): string {
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    return s.replace(/\n/g, '\\n');
  };
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.min(80, Math.max(c.length, ...cells.map((row) => row[i].length))));
  const fit = (s: string, w: number) => (s.length > w ? s.slice(0, w - 1) + '…' : s.padEnd(w));
  const line = (vals: string[]) => vals.map((v, i) => fit(v, widths[i])).join(' │ ').trimEnd();
  const out = [line(columns), widths.map((w) => '─'.repeat(w)).join('─┼─')];
  for (const row of cells) out.push(line(row));
  out.push(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
  return out.join('\n');
}
