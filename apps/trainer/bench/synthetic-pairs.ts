import type { EncodedPair } from '@rewardkit/core';

/**
 * Random pairs shaped as tools/gpu/torch_peer.py makes them, so a preset's pairs/s compares with
 * PyTorch's: every sequence holds uniform ids in [1, vocab - 1) with a length uniform in
 * [T/2, T] and ends in the EOS (vocab - 1), where the reward is read. Seeded (LCG): every run
 * and every worker process sees the same batches.
 */
export function syntheticPairs(count: number, opts: { vocabSize: number; tokens: number; seed?: number }): EncodedPair[] {
  let s = (opts.seed ?? 12345) >>> 0;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  const T = opts.tokens;
  const eos = opts.vocabSize - 1;
  const seq = () => {
    const len = Math.floor(T / 2) + Math.floor(rnd() * (T - Math.floor(T / 2) + 1));
    const ids = new Int32Array(len);
    for (let t = 0; t < len - 1; t++) ids[t] = 1 + Math.floor(rnd() * (opts.vocabSize - 2));
    ids[len - 1] = eos;
    return ids;
  };
  return Array.from({ length: count }, (_, i) => ({ id: `synthetic-${i}`, chosen: seq(), rejected: seq(), promptLength: 0, margin: 0 }));
}
