import fs from 'node:fs';

/**
 * `n` evaluation records from the embedded HH-RLHF sample: the train and test files' records
 * (2,303 pairs) shuffled with a seeded generator, then the shuffle repeated until `n` are written
 * (5,000 pairs: each source pair two or three times, in a different order each round). Each record
 * gets a unique id; text, prompt and source are unchanged.
 */
export function writeBenchPairs(files: readonly string[], n: number, out: string, seed = 1): number {
  const records = files.flatMap((f) => fs.readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>));
  let s = seed >>> 0 || 1;
  // xorshift32: enough for a reproducible shuffle
  const rand = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  const lines: string[] = [];
  while (lines.length < n) {
    const order = records.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const i of order.slice(0, n - lines.length)) lines.push(JSON.stringify({ id: `bench-${lines.length}`, ...records[i] }));
  }
  fs.writeFileSync(out, lines.join('\n') + '\n');
  return records.length;
}
