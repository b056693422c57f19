import fs from 'node:fs';
import path from 'node:path';

/** Prints rows as an aligned table and writes them, with context, to `bench-results/<name>.json`. */
export function reportBench(name: string, rows: Record<string, string | number>[], context: Record<string, unknown>): string {
  const cols = Object.keys(rows[0] ?? {});
  const cell = (v: string | number) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : v);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => '| ' + vals.map((v, i) => v.padEnd(widths[i])).join(' | ') + ' |';
  const table = [line(cols), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n');
  process.stdout.write(table + '\n');
  const file = path.join('bench-results', `${name}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ name, date: new Date().toISOString(), ...context, rows }, null, 2) + '\n');
  process.stdout.write(`wrote ${file}\n`);
  return table;
}
