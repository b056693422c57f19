/**
 * Per-tensor seeds from one run seed: a 31-bit FNV-1a hash of `seed/label`, so each parameter (by
 * name) and each dropout site gets its own stream, equal on every rank for equal seeds.
 */
export function seedFor(seed: number, label: string): number {
  let h = 0x811c9dc5;
  const text = `${seed}/${label}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 1;
}
