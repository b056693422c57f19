import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { applyWasmFixes } from './apply-wasm-fixes';
import { registerAllGradients } from './register-gradients';
import { randomFloats, relativeError, runOn } from './spec-helpers';

/** [label, shape, axis, keepDims] */
const CASES: [string, number[], number | number[], boolean][] = [
  ['bias gradient', [300, 17], 0, false],
  ['keepDims', [300, 17], 0, true],
  ['two leading axes', [4, 25, 9], [0, 1], false],
  ['leading axes listed out of order', [4, 25, 9], [1, 0], true],
  ['negative axis naming the first', [64, 3], -2, false],
  ['trailing axis (stock kernel)', [40, 17], 1, false],
  ['middle axis (stock kernel)', [4, 25, 9], 1, false],
  ['every axis (stock kernel)', [40, 17], [0, 1], false],
  ['one row', [1, 33], 0, false],
  // columns a multiple of 16, then of 4: the SIMD kernel
  ['SIMD, 16 columns at a time', [300, 48], 0, false],
  ['SIMD, 4 columns at a time, keepDims', [4, 25, 12], [0, 1], true],
];

beforeAll(() => {
  registerAllGradients();
  applyWasmFixes();
});

describe('wasm Sum over leading axes', () => {
  it('is installed once, however often the fixes are applied', () => {
    const first = tf.getKernel('Sum', 'wasm')!.kernelFunc;
    applyWasmFixes();
    expect(tf.getKernel('Sum', 'wasm')!.kernelFunc).toBe(first);
    expect(Symbol.for('rewardkit.backend.wasmSumLeadingAxes') in first).toBe(true);
  });

  CASES.forEach(([label, shape, axis, keepDims], i) => {
    it(`${label} ${JSON.stringify(shape)} axis ${JSON.stringify(axis)} keepDims=${keepDims}: value and gradient match cpu, nothing leaks`, async () => {
      const size = shape.reduce((x, y) => x * y, 1);
      const run = () =>
        tf.tidy(() => {
          const x = tf.tensor(randomFloats(size, i + 3), shape);
          const y = tf.sum(x, axis, keepDims);
          const w = tf.tensor(randomFloats(y.size, i + 70), y.shape);
          const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.sum(t, axis, keepDims), w)))(x);
          return { shape: y.shape, y: y.dataSync() as Float32Array, dx: dx.dataSync() as Float32Array };
        });
      const ref = await runOn('cpu', run);
      const got = await runOn('wasm', run);
      expect(got.shape).toEqual(ref.shape);
      expect(relativeError(got.y, ref.y)).toBeLessThan(1e-6);
      expect(relativeError(got.dx, ref.dx)).toBeLessThan(1e-6);
    });
  });

  it('SIMD sums are the row-by-row float32 sums, bit for bit', async () => {
    const [rows, cols] = [257, 20];
    const x = randomFloats(rows * cols, 11);
    const want = new Float32Array(cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) want[c] += x[r * cols + c];
    const got = await runOn('wasm', () => tf.tidy(() => tf.sum(tf.tensor2d(x, [rows, cols]), 0).dataSync() as Float32Array));
    expect(Array.from(got)).toEqual(Array.from(want));
  });

  it('keeps int32 sums exact (stock kernel)', async () => {
    const run = () => tf.tidy(() => Array.from(tf.sum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32'), 0).dataSync()));
    expect(await runOn('wasm', run)).toEqual([9, 12]);
  });
});
