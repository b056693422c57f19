/**
 * Gradients through score(), checked against central finite differences in float32.
 *
 * Step and tolerance: the objective J = sum_b c_b * score_b is O(1), and float32 evaluates it
 * with a rounding error near 1e-6, so a central difference with step h carries ~1e-6 / h of
 * rounding noise plus ~h^2 |J'''| / 6 of truncation error. For this tiny net (weights ~0.3)
 * h = 1e-2 gives the smallest worst case: measured 6e-5 on cpu (h = 3e-3: 1e-4; 1e-3: 2.3e-4).
 * We accept |fd - grad| <= 3e-4 + 5e-3 |grad|, about 5x that noise and far below the probed
 * gradients (mostly 1e-2..0.5), so a missing term, a wrong sign or a dropped mask still fails.
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchOf, TINY_ARCH, tinyModel, useTestBackend } from './spec-helpers';
import type { TransformerModel } from './transformer-model';

const H = 1e-2;
const EOS = TINY_ARCH.vocabSize - 1;
const SEQS = [
  [3, 7, 1, 12, EOS],
  [5, 2, EOS],
  [9, 9, 4, 18, 6, 11, 2, EOS],
];
const WEIGHTS = [1, -0.7, 0.4];
/** Parameter -> flat indices to perturb (wte row 3 is token 3, used by row 0; row 15 is unused). */
const PROBES: Record<string, number[]> = {
  'transformer.wte.weight': [3 * 8 + 1, 9 * 8 + 5, 15 * 8 + 2],
  'transformer.wpe.weight': [0, 2 * 8 + 3, 7 * 8 + 6],
  'transformer.h.0.ln_1.weight': [0, 5],
  'transformer.h.0.attn.c_attn.weight': [1, 8 + 10, 2 * 24 + 20], // query, key and value columns
  'transformer.h.0.attn.c_attn.bias': [2, 17],
  'transformer.h.1.attn.c_proj.weight': [4, 33],
  'transformer.h.1.ln_2.bias': [6],
  'transformer.h.1.mlp.c_fc.weight': [7, 100],
  'transformer.h.1.mlp.c_proj.bias': [3],
  'transformer.ln_f.weight': [1],
  'score.weight': [0, 7],
};

function objective(model: TransformerModel): tf.Scalar {
  return tf.sum(tf.mul(model.score(batchOf(SEQS)), tf.tensor1d(WEIGHTS)));
}

function analyticGradients(model: TransformerModel): Map<string, Float32Array> {
  const { value, grads } = tf.variableGrads(() => objective(model), model.parameters.map((p) => p.variable));
  const out = new Map(model.parameters.map((p) => [p.name, grads[p.variable.name].dataSync() as Float32Array]));
  value.dispose();
  tf.dispose(grads);
  return out;
}

function finiteDifference(model: TransformerModel, name: string, index: number): number {
  const variable = model.parameters.find((p) => p.name === name)!.variable;
  const original = variable.dataSync().slice() as Float32Array;
  const at = (delta: number) => {
    const data = original.slice();
    data[index] += delta;
    tf.tidy(() => variable.assign(tf.tensor(data, variable.shape)));
    return tf.tidy(() => objective(model).dataSync()[0]);
  };
  const slope = (at(H) - at(-H)) / (2 * H);
  tf.tidy(() => variable.assign(tf.tensor(original, variable.shape)));
  return slope;
}

function describeGradientCheck(backend: 'cpu' | 'wasm'): void {
  describe(`gradients through score() on ${backend}`, () => {
    useTestBackend(backend);

    it('match central finite differences on every kind of parameter', () => {
      const model = tinyModel();
      const before = tf.memory().numTensors;
      try {
        const grads = analyticGradients(model);
        for (const [name, indices] of Object.entries(PROBES)) {
          for (const i of indices) {
            const g = grads.get(name)![i];
            const fd = finiteDifference(model, name, i);
            if (Math.abs(fd - g) > 3e-4 + 5e-3 * Math.abs(g)) throw new Error(`${name}[${i}]: gradient ${g}, finite difference ${fd}`);
          }
        }
        expect(grads.get('transformer.wte.weight')![15 * 8 + 2]).toBe(0); // token 15 appears nowhere
        expect(tf.memory().numTensors).toBe(before);
      } finally {
        model.dispose();
      }
    });
  });
}

describeGradientCheck('cpu');
describeGradientCheck('wasm');
