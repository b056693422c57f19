/**
 * Row-sparse training (ScoreOptions.gatheredRows): scoring with the gathered rows of wte in place
 * of the table gives the dense scores, and the gradient with respect to those rows is the dense
 * wte gradient's rows, bit for bit (padding reads local row 0 and adds exact zeros).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { SequenceBatch } from '@rewardkit/core';
import { localRowIds, usedTokenIds } from './batch-inputs';
import { batchOf, TINY_ARCH, tinyModel, useTestBackend } from './spec-helpers';

const EOS = TINY_ARCH.vocabSize - 1;
const WTE = 'transformer.wte.weight';
// padding positions hold id 0, which no real position uses: row 0 must stay out of the rows
const SEQS = [
  [3, 7, 1, 12, EOS],
  [5, 2, EOS],
  [9, 9, 4, 18, 6, 11, 2, EOS],
];
const WEIGHTS = [1, -0.7, 0.4];

describe.each(['cpu', 'wasm'] as const)('row-sparse wte lookup on %s', (backend) => {
  useTestBackend(backend);

  it('names the rows real positions use (no padding), ascending and distinct, and maps ids into them', () => {
    const batch = batchOf(SEQS);
    const used = usedTokenIds(batch, TINY_ARCH.vocabSize);
    expect(Array.from(used)).toEqual([1, 2, 3, 4, 5, 6, 7, 9, 11, 12, 18, EOS]);
    expect(tinyModel().rowsUsed(batch).get(WTE)).toEqual(used);
    const local = localRowIds(Int32Array.from([9, 0, EOS, 1]), used);
    expect(Array.from(local)).toEqual([7, 0, 11, 0]); // 0 is not among the rows: local row 0
    const bad: SequenceBatch = { ...batch, ids: batch.ids.map((id, i) => (i === 1 ? TINY_ARCH.vocabSize : id)) };
    // an id past the vocabulary is left out of the rows; the step's score refuses the batch (one check)
    expect(Array.from(usedTokenIds(bad, TINY_ARCH.vocabSize))).toEqual(Array.from(used).filter((id) => id !== 7));
    const model = tinyModel();
    expect(() => model.score(bad)).toThrow(/token id 20 at row 0, position 1/);
    model.dispose();
  });

  it('scores and gradients equal the dense ones bit for bit; the rows gradient is [U, C], no tensor leaks', () => {
    const model = tinyModel();
    const batch = batchOf(SEQS);
    const ids = usedTokenIds(batch, TINY_ARCH.vocabSize);
    const wte = model.parameters.find((p) => p.name === WTE)!.variable;
    const others = model.parameters.filter((p) => p.name !== WTE).map((p) => p.variable);
    const objective = (gatheredRows?: Map<string, { ids: Int32Array; table: tf.Tensor2D }>) => () =>
      tf.sum(tf.mul(model.score(batch, { gatheredRows }), tf.tensor1d(WEIGHTS))) as tf.Scalar;
    const before = tf.memory().numTensors;
    const dense = tf.variableGrads(objective(), [wte, ...others]);
    const table = tf.tidy(() => tf.gather(wte, tf.tensor1d(ids, 'int32'))) as tf.Tensor2D; // [U, C]
    const sparse = tf.engine().gradients(objective(new Map([[WTE, { ids, table }]])), [table, ...others], undefined, true);
    expect(sparse.value.dataSync()[0]).toBe(dense.value.dataSync()[0]);
    expect(sparse.grads[0].shape).toEqual([ids.length, TINY_ARCH.nEmbd]);
    const rows = sparse.grads[0].dataSync();
    const full = dense.grads[wte.name].dataSync();
    const C = TINY_ARCH.nEmbd;
    ids.forEach((id, r) => expect(Array.from(rows.subarray(r * C, (r + 1) * C))).toEqual(Array.from(full.subarray(id * C, (id + 1) * C))));
    const inRows = new Set(ids);
    for (let id = 0; id < TINY_ARCH.vocabSize; id++) if (!inRows.has(id)) for (let c = 0; c < C; c++) expect(Math.abs(full[id * C + c])).toBe(0);
    others.forEach((v, i) => expect(Array.from(sparse.grads[i + 1].dataSync())).toEqual(Array.from(dense.grads[v.name].dataSync())));
    tf.dispose([dense.value, sparse.value, table, ...Object.values(dense.grads), ...sparse.grads]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
