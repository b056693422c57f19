import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@rewardkit/testing';
import { pairCount, pairWeights } from './pair-weights';
import { unitsInput, type UnitRewards } from './units-input';

// a strict pair, a tied pair, a 3-ranking with a tie at the bottom (pairs: strict, strict, tied)
const withTies: UnitRewards[] = [
  { rewards: [1, 0], ranks: [0, 1] },
  { rewards: [0.5, 0.2], ranks: [0, 0] },
  { rewards: [0, 1, 2], ranks: [1, 1, 0] },
];
const noTies: UnitRewards[] = [withTies[0] as UnitRewards, { rewards: [3, 2, 1], ranks: [0, 1, 2] }];

describe('pairWeights / pairCount', () => {
  useBackend('wasm');
  const third = 1 / 3;

  it('keep: the unit shares when weighted, none (all 1) when each; counted as units or pairs', () => {
    tf.tidy(() => {
      const input = unitsInput(withTies);
      expect(pairWeights(input, { rankings: 'weighted', ties: 'keep' })).toBe(input.weights);
      expect(pairWeights(input, { rankings: 'each', ties: 'keep' })).toBeUndefined();
      expect(pairCount(input, { rankings: 'weighted', ties: 'keep' })).toBe(3);
      expect(pairCount(input, { rankings: 'each', ties: 'keep' })).toBe(5);
    });
  });

  it('skip: tied pairs weigh 0 and only strict pairs, and units holding one, are counted', () => {
    tf.tidy(() => {
      const input = unitsInput(withTies);
      // pairIndex order: unit by unit, (i, j) with i < j: unit2's (0,1) is the tie
      expect(Array.from((pairWeights(input, { rankings: 'each', ties: 'skip' }) as tf.Tensor1D).dataSync())).toEqual([1, 0, 0, 1, 1]);
      const w = Array.from((pairWeights(input, { rankings: 'weighted', ties: 'skip' }) as tf.Tensor1D).dataSync());
      [1, 0, 0, third, third].forEach((x, i) => expect(w[i]).toBeCloseTo(x, 6));
      expect(pairCount(input, { rankings: 'weighted', ties: 'skip' })).toBe(2);
      expect(pairCount(input, { rankings: 'each', ties: 'skip' })).toBe(3);
    });
  });

  it('skip without a tied pair in the shard: no mask is made (the weights are those of keep)', () => {
    tf.tidy(() => {
      const input = unitsInput(noTies);
      const before = tf.memory().numTensors;
      expect(pairWeights(input, { rankings: 'each', ties: 'skip' })).toBeUndefined();
      expect(pairWeights(input, { rankings: 'weighted', ties: 'skip' })).toBe(input.weights);
      expect(tf.memory().numTensors).toBe(before);
      expect(pairCount(input, { rankings: 'each', ties: 'skip' })).toBe(4);
      expect(pairCount(input, { rankings: 'weighted', ties: 'skip' })).toBe(2);
    });
  });
});
