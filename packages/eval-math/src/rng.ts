// module-scope names: under jest's vm context every global lookup (Math) is an interceptor call, 30x slower
const imul = Math.imul;

/** mulberry32: a small seeded generator of uniform numbers in [0, 1), so that intervals repeat run to run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
