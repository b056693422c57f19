/**
 * Embedding lookup whose gradient is one scatter-add instead of tfjs's UnsortedSegmentSum.
 *
 * `tf.gather`'s gradient is `unsortedSegmentSum(dy, ids, vocab)`. tfjs-backend-cpu implements
 * that with one masked sum per segment, O(vocab * tokens * dims): 117 s for a 500-row table
 * and 4096 tokens, hours for GPT-2's 50,257 rows; wasm has no such kernel at all without the
 * backend package's patch. `scatterND` sums duplicate indices in one pass on every backend
 * (0.6 s on cpu, 0.4 s on wasm for the full GPT-2 table) and gives the same gradient.
 *
 * The custom gradient's only input is the table, a variable, never a value computed on the tape
 * (the case in which tfjs 4.22's customGrad breaks, see tf.logSigmoid in the field notes).
 */
import * as tf from '@tensorflow/tfjs-core';

/** [N, C] rows of `table` ([V, C]) at `ids` (N token ids). */
export function embeddingLookup(table: tf.Tensor2D, ids: Int32Array): tf.Tensor2D {
  const index = tf.tensor1d(ids, 'int32'); // [N], a constant: freed by the caller's tidy
  // customGrad passes (...inputs, save); its typing lumps them into one union.
  const lookup = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const table = args[0] as tf.Tensor2D;
    return {
      value: tf.gather(table, index), // [N, C]
      // The indices are rebuilt from the typed array: no tensor has to outlive the forward
      // pass (a saved clone would also trip tfjs's kernel leak check in IS_TEST mode).
      gradFunc: (dy: tf.Tensor) => tf.scatterND(tf.tensor2d(ids, [ids.length, 1], 'int32'), dy, table.shape), // [V, C]
    };
  });
  return lookup(table) as tf.Tensor2D;
}
