/**
 * Shared by the wasm fused-kernel specs (wasm-layer-norm/bias-gelu/causal-attention.spec.ts): run
 * a kernel on wasm and its unfused reference (webgpu-fused.spec-helper.ts, as @rewardkit/ops writes
 * it) on cpu with the same seeded inputs, and compare the forward value and the gradient of
 * sum(out * w) for each float input (w seeded, so every output element's upstream gradient
 * differs), with no tensor or wasm buffer left behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { FusedCase } from './webgpu-fused.spec-helper';
import { randomFloats, relativeError } from './spec-helpers';

export const WASM_TOLERANCE = 1e-5;

async function valueAndGrads(c: FusedCase, backend: 'cpu' | 'wasm'): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const tensors = tf.memory().numTensors;
  const buffers = tf.backend().numDataIds();
  const names = Object.keys(c.floats);
  const outs = tf.tidy(() => {
    const xs = names.map((n, i) => {
      const { shape, scale = 1, offset = 0 } = c.floats[n] as { shape: number[]; scale?: number; offset?: number };
      return tf.add(tf.mul(tf.tensor(randomFloats(tf.util.sizeFromShape(shape), 100 + i), shape), scale), offset);
    });
    const ints = Object.fromEntries(Object.entries(c.ints ?? {}).map(([n, v]) => [n, tf.tensor(v.values, v.shape, 'int32')]));
    const f = (...inputs: tf.Tensor[]) => {
      const named = { ...ints, ...Object.fromEntries(names.map((n, i) => [n, inputs[i] as tf.Tensor])) };
      return backend === 'wasm' ? (tf.engine().runKernel(c.kernel, named, c.attrs) as tf.Tensor) : c.reference(named);
    };
    const value = f(...xs);
    const w = tf.tensor(randomFloats(value.size, 7), value.shape);
    const grads = tf.grads((...inputs: tf.Tensor[]) => tf.sum(tf.mul(f(...inputs), w)))(xs);
    return [value, ...grads];
  });
  const values = await Promise.all(outs.map(async (t) => Float32Array.from(await t.data())));
  tf.dispose(outs);
  const leaked = tf.memory().numTensors - tensors;
  const leakedBuffers = tf.backend().numDataIds() - buffers;
  if (leaked !== 0 || leakedBuffers !== 0) throw new Error(`${backend} ${c.name}: leaked ${leaked} tensors and ${leakedBuffers} data buffers`);
  return values;
}

/** Relative errors (value, then one per float input) of the wasm kernel against the cpu reference; throws over `tolerance`. */
export async function expectWasmFusedMatchesReference(c: FusedCase, tolerance = WASM_TOLERANCE): Promise<number[]> {
  const ref = await valueAndGrads(c, 'cpu');
  const got = await valueAndGrads(c, 'wasm');
  const labels = ['value', ...Object.keys(c.floats).map((n) => `d${n}`)];
  const errors = got.map((g, i) => relativeError(g, ref[i] as Float32Array));
  const text = errors.map((e, i) => `${labels[i]} ${e.toExponential(2)}`).join(', ');
  if (!errors.every((e) => e < tolerance)) throw new Error(`${c.name}: ${text}`);
  return errors;
}
