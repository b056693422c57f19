import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { applyWasmFixes } from './apply-wasm-fixes';
import { registerAllGradients } from './register-gradients';
import { randomFloats, relativeError, runOn } from './spec-helpers';

/** [label, table shape, indices, axis] */
const CASES: [string, number[], number[], number][] = [
  ['embedding rows with repeats', [50, 8], [3, 0, 49, 3, 3, 17], 0],
  ['3-D table', [6, 2, 3], [5, 1, 1], 0],
  ['1-D table', [9], [8, 0, 4], 0],
  ['axis 1 (stock kernel)', [4, 7], [6, 0, 2], 1],
];

beforeAll(() => {
  registerAllGradients();
  applyWasmFixes();
});

describe('wasm GatherV2 by rows', () => {
  it('is installed once, however often the fixes are applied', () => {
    const first = tf.getKernel('GatherV2', 'wasm')!.kernelFunc;
    applyWasmFixes();
    expect(tf.getKernel('GatherV2', 'wasm')!.kernelFunc).toBe(first);
    expect(Symbol.for('rewardkit.backend.wasmGatherRows') in first).toBe(true);
  });

  CASES.forEach(([label, shape, ids, axis], i) => {
    it(`${label}: values and gradient match cpu, nothing leaks`, async () => {
      const size = shape.reduce((x, y) => x * y, 1);
      const run = () =>
        tf.tidy(() => {
          const x = tf.tensor(randomFloats(size, i + 5), shape);
          const index = tf.tensor1d(ids, 'int32');
          const y = tf.gather(x, index, axis);
          const w = tf.tensor(randomFloats(y.size, i + 90), y.shape);
          const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, index, axis), w)))(x);
          return { shape: y.shape, y: y.dataSync() as Float32Array, dx: dx.dataSync() as Float32Array };
        });
      const ref = await runOn('cpu', run);
      const got = await runOn('wasm', run);
      expect(got.shape).toEqual(ref.shape);
      expect(relativeError(got.y, ref.y)).toBe(0); // copies: bit-exact
      expect(relativeError(got.dx, ref.dx)).toBeLessThan(1e-6);
    });
  });

  it('2-D indices give a [..indices, ..row] result', async () => {
    const run = () => tf.tidy(() => {
      const y = tf.gather(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]), tf.tensor2d([2, 0, 1, 1], [2, 2], 'int32'));
      return { shape: y.shape, y: Array.from(y.dataSync()) };
    });
    expect(await runOn('wasm', run)).toEqual({ shape: [2, 2, 2], y: [5, 6, 1, 2, 3, 4, 3, 4] });
  });

  it('an index outside the table throws and frees its output', async () => {
    await tf.setBackend('wasm');
    const buffers = tf.backend().numDataIds();
    const table = tf.zeros([4, 2]);
    const index = tf.tensor1d([1, 4], 'int32');
    expect(() => tf.gather(table, index)).toThrow(/index 4 at position 1 is not in \[0, 3\]/);
    tf.dispose([table, index]);
    expect(tf.backend().numDataIds()).toBe(buffers);
  });
});
