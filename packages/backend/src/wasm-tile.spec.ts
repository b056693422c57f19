import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { applyWasmFixes } from './apply-wasm-fixes';
import { registerAllGradients } from './register-gradients';
import { randomFloats, relativeError, runOn } from './spec-helpers';

/** [label, shape, reps] */
const CASES: [string, number[], number[]][] = [
  ['a column to a matrix (Sum over the last axis, backward)', [37, 1], [1, 9]],
  ['a row to a matrix (a bias gradient, backward)', [1, 11], [13, 1]],
  ['every axis repeated, rank 3', [2, 3, 4], [3, 2, 2]],
  ['rank 4 with unit axes', [2, 1, 5, 1], [1, 4, 1, 3]],
  ['1-D', [7], [5]],
  ['no repeats', [3, 4], [1, 1]],
  ['an empty axis', [0, 3], [2, 2]],
  // a column repeated a multiple of 4 times along the last axis: the SIMD kernel
  ['SIMD column fill', [37, 1], [1, 12]],
  ['SIMD column fill, rank 3', [2, 5, 1], [1, 1, 8]],
];

beforeAll(() => {
  registerAllGradients();
  applyWasmFixes();
});

describe('wasm Tile by block copies', () => {
  it('is installed once, however often the fixes are applied', () => {
    const first = tf.getKernel('Tile', 'wasm')!.kernelFunc;
    applyWasmFixes();
    expect(tf.getKernel('Tile', 'wasm')!.kernelFunc).toBe(first);
    expect(Symbol.for('rewardkit.backend.wasmTileBlocks') in first).toBe(true);
  });

  CASES.forEach(([label, shape, reps], i) => {
    it(`${label}: values (bit-exact) and gradient match cpu, nothing leaks`, async () => {
      const size = shape.reduce((x, y) => x * y, 1);
      const run = () =>
        tf.tidy(() => {
          const x = tf.tensor(randomFloats(size, i + 3), shape);
          const y = tf.tile(x, reps);
          const w = tf.tensor(randomFloats(y.size, i + 70), y.shape);
          const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.tile(t, reps), w)))(x);
          const ints = tf.tile(tf.cast(tf.mul(x, 100), 'int32'), reps);
          return { shape: y.shape, y: y.dataSync() as Float32Array, dx: dx.dataSync() as Float32Array, ints: Array.from(ints.dataSync()) };
        });
      const ref = await runOn('cpu', run);
      const got = await runOn('wasm', run);
      expect(got.shape).toEqual(ref.shape);
      expect(relativeError(got.y, ref.y)).toBe(0);
      expect(got.ints).toEqual(ref.ints);
      expect(relativeError(got.dx, ref.dx)).toBeLessThan(1e-6);
    });
  });

  it('broadcastTo takes it, and no backend buffer is left behind', async () => {
    await tf.setBackend('wasm');
    const buffers = tf.backend().numDataIds();
    const y = tf.tidy(() => tf.broadcastTo(tf.tensor2d([[1], [2]]), [2, 3]));
    expect(Array.from(y.dataSync())).toEqual([1, 1, 1, 2, 2, 2]);
    y.dispose();
    expect(tf.backend().numDataIds()).toBe(buffers);
  });
});
