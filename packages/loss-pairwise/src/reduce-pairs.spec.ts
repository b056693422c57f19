import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@rewardkit/testing';
import { reducePairs } from './reduce-pairs';
import { strictCounts } from './strict-counts';
import { unitsInput, type UnitRewards } from './units-input';

// a strict pair, a tied pair, a 3-ranking with a tie at the bottom (1 tied + 2 strict pairs), a 4-ranking
const units: UnitRewards[] = [
  { rewards: [1, 0], ranks: [0, 1] },
  { rewards: [0.5, 0.2], ranks: [0, 0] },
  { rewards: [0, 1, 2], ranks: [1, 1, 0] },
  { rewards: [3, 2, 1, 0], ranks: [0, 1, 2, 3] },
];

describe('strictCounts', () => {
  it('counts strict pairs and the units holding one', () => {
    const offsets = Int32Array.from([0, 2, 4, 7, 11]);
    const ranks = Int32Array.from(units.flatMap((u) => u.ranks));
    expect(strictCounts({ rewards: undefined as never, offsets, ranks })).toEqual({ pairs: 1 + 0 + 2 + 6, units: 3 });
  });
});

describe('reducePairs', () => {
  useBackend('wasm');
  // per-pair losses 1..n in the pair order of pairIndex: unit by unit, (i, j) with i < j
  const run = (rankings: 'weighted' | 'each', ties: 'keep' | 'skip') =>
    tf.tidy(() => {
      const input = unitsInput(units);
      const n = input.rChosen.shape[0];
      const out = reducePairs(tf.range(1, n + 1) as tf.Tensor1D, input, { rankings, ties });
      return { value: out.lossSum.dataSync()[0], count: out.count, n };
    });
  // pairs: unit0 [1], unit1 [2 (tie)], unit2 [3 (tie), 4, 5], unit3 [6..11]
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

  it('each: every pair once, counted as pairs', () => {
    expect(run('each', 'keep')).toEqual({ value: sum([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), count: 11, n: 11 });
  });

  it('weighted: 1/C(K,2) per pair, counted as units', () => {
    const out = run('weighted', 'keep');
    expect(out.count).toBe(4);
    expect(out.value).toBeCloseTo(1 + 2 + (3 + 4 + 5) / 3 + sum([6, 7, 8, 9, 10, 11]) / 6, 5);
  });

  it('skipping ties: tied pairs add nothing, and tie-only units and tied pairs are not counted', () => {
    expect(run('each', 'skip')).toEqual({ value: sum([1, 4, 5, 6, 7, 8, 9, 10, 11]), count: 9, n: 11 });
    const out = run('weighted', 'skip');
    expect(out.count).toBe(3);
    expect(out.value).toBeCloseTo(1 + (4 + 5) / 3 + sum([6, 7, 8, 9, 10, 11]) / 6, 5);
  });
});
