import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { applyWasmFixes } from './apply-wasm-fixes';
import { registerAllGradients } from './register-gradients';
import { randomFloats, relativeError, runOn } from './spec-helpers';

const TOLERANCE = 1e-5;

/** A [.., m, k] x B [.., k, n] with n = 9; transposed operands are stored swapped. */
const SHAPES: [string, number[], number[]][] = [
  ['2-D', [6, 11], [11, 9]],
  ['batch 1', [1, 6, 11], [1, 11, 9]],
  ['batch 2', [2, 6, 11], [2, 11, 9]],
  ['[3, m, k] x [k, n] (dense layer on a sequence)', [3, 6, 11], [11, 9]],
];
const ACTIVATIONS: tf.fused.Activation[] = ['linear', 'relu', 'leakyrelu', 'prelu', 'sigmoid'];

function swapLast(shape: number[], swap: boolean): number[] {
  if (!swap) return shape;
  const s = [...shape];
  [s[s.length - 2], s[s.length - 1]] = [s[s.length - 1], s[s.length - 2]];
  return s;
}

function fused(aShape: number[], bShape: number[], tA: boolean, tB: boolean, activation: tf.fused.Activation, useBias: boolean): Float32Array {
  return tf.tidy(() => {
    const as = swapLast(aShape, tA);
    const bs = swapLast(bShape, tB);
    const a = tf.tensor(randomFloats(as.reduce((x, y) => x * y, 1), 1), as);
    const b = tf.tensor(randomFloats(bs.reduce((x, y) => x * y, 1), 2), bs);
    const bias = useBias ? tf.tensor1d(randomFloats(9, 3)) : undefined;
    const preluActivationWeights = activation === 'prelu' ? tf.tensor1d(randomFloats(9, 4)) : undefined;
    const out = tf.fused.matMul({ a, b, transposeA: tA, transposeB: tB, bias, activation, preluActivationWeights, leakyreluAlpha: 0.1 });
    return out.dataSync() as Float32Array;
  });
}

beforeAll(() => {
  registerAllGradients();
  applyWasmFixes();
});

describe('wasm _FusedMatMul (batched bias fix + transpose-first)', () => {
  for (const [label, aShape, bShape] of SHAPES) {
    for (const activation of ACTIVATIONS) {
      it(`${label}, ${activation}, with and without bias, every transpose: matches cpu`, async () => {
        for (const useBias of [true, false]) {
          for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
            const ref = await runOn('cpu', () => fused(aShape, bShape, tA, tB, activation, useBias));
            const got = await runOn('wasm', () => fused(aShape, bShape, tA, tB, activation, useBias));
            const err = relativeError(got, ref);
            if (!(err < TOLERANCE)) throw new Error(`bias=${useBias} tA=${tA} tB=${tB}: relative error ${err}`);
          }
        }
      });
    }
  }

  // Batched weights: with a broadcast [k, n] weight the gradient throws in tfjs-core itself
  // (BatchMatMul's gradient does not sum over broadcast batch dims).
  it('gradient of a batched product with bias matches cpu', async () => {
    const grads = (): Float32Array[] =>
      tf.tidy(() => {
        const x = tf.tensor(randomFloats(3 * 6 * 11, 5), [3, 6, 11]);
        const w = tf.tensor(randomFloats(3 * 11 * 9, 6), [3, 11, 9]);
        const bias = tf.tensor1d(randomFloats(9, 7));
        const g = tf.grads((wv: tf.Tensor, bv: tf.Tensor) =>
          tf.sum(tf.fused.matMul({ a: x, b: wv, bias: bv, activation: 'relu' })),
        )([w, bias]);
        return g.map((t) => t.dataSync() as Float32Array);
      });
    const ref = await runOn('cpu', grads);
    const got = await runOn('wasm', grads);
    expect(relativeError(got[0], ref[0])).toBeLessThan(TOLERANCE);
    expect(relativeError(got[1], ref[1])).toBeLessThan(TOLERANCE);
  });
});
