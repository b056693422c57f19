import * as tf from '@tensorflow/tfjs-core';
import { packSequences } from '@rewardkit/core';
import { describeModelContract, useBackend } from '@rewardkit/testing';
import { bagFeatures, bigramBucket } from './bag-features';
import { bagOfEmbeddings, BagConfigSchema, createBagModel } from './bag-of-embeddings.plugin';

describeModelContract(bagOfEmbeddings, { config: { bigramBuckets: 16, dim: 8, hidden: 8 } });
describeModelContract(bagOfEmbeddings, { config: { bigramBuckets: 0, dim: 8, hidden: 0 } });
describeModelContract(bagOfEmbeddings, { config: { bigramBuckets: 16 } }); // the default: wide part only

describe('bag features', () => {
  const batch = packSequences([Int32Array.from([5, 6, 7, 9]), Int32Array.from([5, 8, 9])], [1, 2], 9);

  it('pools the response (after the prompt): mean weights sum to 1, sqrt weights are 1/sqrt(n)', () => {
    const f = bagFeatures(batch, { vocabSize: 10, bigramBuckets: 0, includePrompt: false, pool: 'mean' });
    expect(Array.from(f.ids)).toEqual([6, 7, 9, 9]);
    expect(Array.from(f.rows)).toEqual([0, 0, 0, 1]);
    expect(f.weights[0] * 3).toBeCloseTo(1);
    expect(f.weights[3]).toBe(1);
    const g = bagFeatures(batch, { vocabSize: 10, bigramBuckets: 0, includePrompt: false, pool: 'sqrt' });
    expect(g.weights[0]).toBeCloseTo(1 / Math.sqrt(3));
  });

  it('adds hashed bigrams past the vocabulary', () => {
    const f = bagFeatures(batch, { vocabSize: 10, bigramBuckets: 4, includePrompt: true, pool: 'sqrt' });
    expect(Array.from(f.ids).filter((id) => id >= 10)).toEqual([
      10 + bigramBucket(5, 6, 4),
      10 + bigramBucket(6, 7, 4),
      10 + bigramBucket(7, 9, 4),
      10 + bigramBucket(5, 8, 4),
      10 + bigramBucket(8, 9, 4),
    ]);
    expect(bigramBucket(6, 7, 1 << 16)).not.toBe(bigramBucket(7, 6, 1 << 16));
  });
});

describe('bag-of-embeddings', () => {
  useBackend('wasm');

  it('ignores the prompt by default, so a shared prompt cannot change the preference', () => {
    const model = createBagModel(BagConfigSchema.parse({ dim: 4, hidden: 4, bigramBuckets: 8 }), { vocabSize: 20, padId: 19, eosId: 19, seed: 1 });
    const a = packSequences([Int32Array.from([1, 2, 3, 19])], [2], 19);
    const b = packSequences([Int32Array.from([7, 8, 3, 19])], [2], 19);
    const [ra, rb] = [a, b].map((x) => tf.tidy(() => model.score(x).dataSync()[0]));
    expect(ra).toBe(rb);
    model.dispose();
  });
});
