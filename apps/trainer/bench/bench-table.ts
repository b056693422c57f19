import fs from 'node:fs';
import path from 'node:path';

export type BenchRow = Record<string, string | number>;

/** Rows as an aligned text table. */
export function formatTable(rows: readonly BenchRow[]): string {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: string | number | undefined) => (v === undefined ? '' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : v);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => '| ' + vals.map((v, i) => v.padEnd(widths[i])).join(' | ') + ' |';
  return [line(cols), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n');
}

/** Writes `{ name, date, ...body }` as JSON to `file`, creating its directory. */
export function writeBenchJson(file: string, name: string, body: Record<string, unknown>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ name, date: new Date().toISOString(), ...body }, null, 2) + '\n');
  process.stdout.write(`wrote ${file}\n`);
}
