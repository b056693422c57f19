import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { applyWasmFixes } from './apply-wasm-fixes';
import { registerAllGradients } from './register-gradients';
import { randomFloats, relativeError, runOn } from './spec-helpers';

beforeAll(() => {
  registerAllGradients();
  applyWasmFixes();
});

describe('wasm Identity sharing its buffer', () => {
  it('is installed once, however often the fixes are applied', () => {
    const first = tf.getKernel('Identity', 'wasm')!.kernelFunc;
    applyWasmFixes();
    expect(tf.getKernel('Identity', 'wasm')!.kernelFunc).toBe(first);
    expect(Symbol.for('rewardkit.backend.wasmIdentityShared') in first).toBe(true);
  });

  it('a clone makes no new buffer and outlives its source', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor1d([1, 2, 3]);
    const buffers = tf.backend().numDataIds();
    const y = tf.clone(x);
    expect(tf.backend().numDataIds()).toBe(buffers);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    y.dispose();
    expect(tf.backend().numDataIds()).toBe(buffers - 1);
  });

  it('a cast to the same dtype shares too; a cast to another dtype still converts', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor1d([1.5, -2.5]);
    const buffers = tf.backend().numDataIds();
    const same = tf.cast(x, 'float32');
    expect(tf.backend().numDataIds()).toBe(buffers);
    const other = tf.cast(x, 'int32');
    expect(tf.backend().numDataIds()).toBe(buffers + 1);
    expect(Array.from(same.dataSync())).toEqual([1.5, -2.5]);
    expect(Array.from(other.dataSync())).toEqual([1, -2]);
    tf.dispose([x, same, other]);
  });

  it('a variable assigned after a clone leaves the clone its old values', async () => {
    await tf.setBackend('wasm');
    const v = tf.variable(tf.tensor1d([1, 2]));
    const before = tf.clone(v);
    const next = tf.tensor1d([5, 6]);
    v.assign(next);
    expect(Array.from(before.dataSync())).toEqual([1, 2]);
    expect(Array.from(v.dataSync())).toEqual([5, 6]);
    tf.dispose([v, before, next]);
  });

  it('gradients through add and reshape (Identity passes dy on) match cpu, nothing leaks', async () => {
    const run = () =>
      tf.tidy(() => {
        const a = tf.tensor2d(randomFloats(12, 1), [3, 4]);
        const b = tf.tensor2d(randomFloats(12, 2), [3, 4]);
        const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.reshape(tf.add(x, y), [4, 3]), tf.reshape(x, [4, 3])));
        const [da, db] = tf.grads(f)([a, b]);
        return [da.dataSync() as Float32Array, db.dataSync() as Float32Array];
      });
    const ref = await runOn('cpu', run);
    const got = await runOn('wasm', run);
    expect(relativeError(got[0], ref[0])).toBeLessThan(1e-6);
    expect(relativeError(got[1], ref[1])).toBeLessThan(1e-6);
  });
});
