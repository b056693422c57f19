import * as tf from '@tensorflow/tfjs-core';
import { embeddingLookup } from './embedding-lookup';
import { useTestBackend } from './spec-helpers';

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`embeddingLookup on ${backend}`, () => {
    useTestBackend(backend);

    it('gathers rows, and its gradient sums repeated ids like tf.gather', () => {
      const table = tf.variable(tf.randomNormal<tf.Rank.R2>([12, 5], 0, 1, 'float32', 3));
      const ids = Int32Array.from([4, 0, 4, 11, 7, 4, 0]); // repeats, unused rows
      const weights = tf.randomNormal([ids.length, 5], 0, 1, 'float32', 4);
      const before = tf.memory().numTensors;
      try {
        const grad = (lookup: () => tf.Tensor) => {
          const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(lookup(), weights)), [table]);
          const out = Array.from(grads[table.name].dataSync());
          tf.dispose([value, ...Object.values(grads)]);
          return out;
        };
        const ours = grad(() => embeddingLookup(table, ids));
        const reference = grad(() => tf.gather(table, tf.tensor1d(ids, 'int32')));
        ours.forEach((g, i) => expect(g).toBeCloseTo(reference[i], 5));
        expect(ours.slice(5, 10)).toEqual([0, 0, 0, 0, 0]); // row 1 is never looked up
        const rows = tf.tidy(() => embeddingLookup(table, ids).arraySync());
        expect(rows[2]).toEqual(tf.tidy(() => tf.gather(table, [4]).arraySync())[0]);
        expect(tf.memory().numTensors).toBe(before);
      } finally {
        tf.dispose([table, weights]);
      }
    });
  });
}
