import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { applyWasmFixes } from './apply-wasm-fixes';
import { registerAllGradients } from './register-gradients';
import { randomFloats, relativeError, runOn } from './spec-helpers';

const CASES: [string, number[], number[]][] = [
  ['2-D, not a multiple of the tile', [37, 70], [1, 0]],
  ['2-D tall (a weight gradient\'s x^T)', [300, 8], [1, 0]],
  ['batched last two', [3, 5, 33], [0, 2, 1]],
  ['4-D last two', [2, 3, 4, 5], [0, 1, 3, 2]],
  ['other permutation (stock kernel)', [2, 3, 4, 5], [0, 2, 1, 3]],
  ['size-1 axis', [1, 40], [1, 0]],
  // multiples of 4 on both sides: the SIMD kernel, in row blocks of 64, 8 and 4
  ['SIMD, 64-row blocks (x^T of a weight gradient)', [192, 20], [1, 0]],
  ['SIMD, wide source (8-row blocks)', [8, 1032], [1, 0]],
  ['SIMD, batched, 4-row blocks', [3, 12, 20], [0, 2, 1]],
  ['SIMD, 4-D (attention K^T)', [2, 3, 16, 8], [0, 1, 3, 2]],
];

beforeAll(() => {
  registerAllGradients();
  applyWasmFixes();
});

describe('wasm Transpose of the last two axes', () => {
  it('is installed once, however often the fixes are applied', () => {
    const first = tf.getKernel('Transpose', 'wasm')!.kernelFunc;
    applyWasmFixes();
    expect(tf.getKernel('Transpose', 'wasm')!.kernelFunc).toBe(first);
    expect(Symbol.for('rewardkit.backend.wasmTransposeLastTwo') in first).toBe(true);
  });

  CASES.forEach(([label, shape, perm], i) => {
    it(`${label} ${JSON.stringify(shape)} perm ${JSON.stringify(perm)}: values and gradient match cpu exactly, nothing leaks`, async () => {
      const size = shape.reduce((x, y) => x * y, 1);
      const run = () =>
        tf.tidy(() => {
          const x = tf.tensor(randomFloats(size, i + 1), shape);
          const y = tf.transpose(x, perm);
          const w = tf.tensor(randomFloats(y.size, i + 50), y.shape);
          const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.transpose(t, perm), w)))(x);
          return { shape: y.shape, y: y.dataSync() as Float32Array, dx: dx.dataSync() as Float32Array };
        });
      const ref = await runOn('cpu', run);
      const got = await runOn('wasm', run);
      expect(got.shape).toEqual(ref.shape);
      expect(relativeError(got.y, ref.y)).toBe(0); // a permutation: bit-exact
      expect(relativeError(got.dx, ref.dx)).toBe(0);
    });
  });

  it('moves int32 values too', async () => {
    const run = () => tf.tidy(() => Array.from(tf.transpose(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32')).dataSync()));
    expect(await runOn('wasm', run)).toEqual([1, 4, 2, 5, 3, 6]);
    const simd = () => tf.tidy(() => Array.from(tf.transpose(tf.reshape(tf.range(0, 32, 1, 'int32'), [4, 8])).dataSync()));
    expect(await runOn('wasm', simd)).toEqual(Array.from({ length: 32 }, (_, i) => (i % 4) * 8 + Math.floor(i / 4)));
  });
});
