import { packSequences, type EncodedPair, type SequenceBatch } from '@rewardkit/core';

/** A tiny deterministic generator for test data (not for training). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Random pairs over a small vocabulary: prompt ++ response ++ EOS, varied lengths. */
export function randomPairs(n: number, vocabSize: number, eosId: number, seed = 1): EncodedPair[] {
  const rand = lcg(seed);
  const seq = (len: number) => Array.from({ length: len }, () => Math.floor(rand() * (vocabSize - 1)));
  return Array.from({ length: n }, (_, i) => {
    const prompt = seq(1 + Math.floor(rand() * 6));
    const a = seq(1 + Math.floor(rand() * 8));
    const b = seq(1 + Math.floor(rand() * 8));
    return {
      id: `p${i}`,
      chosen: Int32Array.from([...prompt, ...a, eosId]),
      rejected: Int32Array.from([...prompt, ...b, eosId]),
      promptLength: prompt.length,
      margin: 0,
    };
  });
}

/** Random rows with ragged lengths, right-padded. */
export function randomBatch(rows: number, vocabSize: number, eosId: number, padId: number, seed = 1): SequenceBatch {
  const pairs = randomPairs(rows, vocabSize, eosId, seed);
  return packSequences(
    pairs.map((p) => p.chosen),
    pairs.map((p) => p.promptLength),
    padId,
  );
}
