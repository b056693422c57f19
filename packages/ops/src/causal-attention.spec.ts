import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@rewardkit/testing';
import { causalAttention, causalAttentionPacked, paddedCausalBias } from './causal-attention';
import { CAUSAL_ATTENTION_KERNEL } from './fused-kernel-names';

useBackend('cpu');

const rand = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 1000 + i * 12.9898) * 1.5);

/** float64 loops: softmax over keys j <= min(i, len - 1) of q.k / sqrt(D), applied to v. */
function attention64(q: Float32Array, k: Float32Array, v: Float32Array, lengths: number[], T: number, H: number, D: number): Float64Array {
  const C = H * D;
  const out = new Float64Array(q.length);
  lengths.forEach((len, b) => {
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < T; i++) {
        const at = (t: number) => (b * T + t) * C + h * D;
        const last = Math.min(i, len - 1);
        const s: number[] = [];
        for (let j = 0; j <= last; j++) {
          let dot = 0;
          for (let d = 0; d < D; d++) dot += q[at(i) + d] * k[at(j) + d];
          s.push(dot / Math.sqrt(D));
        }
        const m = Math.max(...s);
        const e = s.map((x) => Math.exp(x - m));
        const z = e.reduce((a, x) => a + x, 0);
        for (let d = 0; d < D; d++) out[at(i) + d] = e.reduce((a, p, j) => a + (p / z) * v[at(j) + d], 0);
      }
    }
  });
  return out;
}

describe('causalAttention (reference path)', () => {
  it('matches float64 loops with causal and key-padding masks', async () => {
    const [B, T, H, D] = [2, 5, 2, 3];
    const n = B * T * H * D;
    const [q, k, v] = [rand(n, 1), rand(n, 2), rand(n, 3)];
    const lengths = [5, 2];
    const want = attention64(q, k, v, lengths, T, H, D);
    const before = tf.memory().numTensors;
    const ts = [q, k, v].map((x) => tf.tensor2d(x, [B * T, H * D]));
    const len = tf.tensor1d(lengths, 'int32');
    const y = causalAttention(ts[0] as tf.Tensor2D, ts[1] as tf.Tensor2D, ts[2] as tf.Tensor2D, len, { width: T, heads: H });
    const got = await y.data();
    tf.dispose([...ts, len, y]);
    expect(tf.memory().numTensors).toBe(before);
    let err = 0;
    for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(got[i] - want[i]));
    expect(err).toBeLessThan(1e-5);
  });

  it('reads q, k, v from the column blocks of a packed [B*T, 3C] tensor', async () => {
    const [B, T, H, D] = [2, 4, 2, 3];
    const n = B * T * H * D;
    const [q, k, v] = [rand(n, 4), rand(n, 5), rand(n, 6)];
    const want = attention64(q, k, v, [4, 3], T, H, D);
    const packed = tf.concat([q, k, v].map((x) => tf.tensor2d(x, [B * T, H * D])), 1) as tf.Tensor2D;
    const len = tf.tensor1d([4, 3], 'int32');
    const before = tf.memory().numTensors;
    const y = causalAttentionPacked(packed, len, { width: T, heads: H });
    const got = await y.data();
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([packed, len]);
    for (let i = 0; i < n; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-5);
  });

  it('builds the mask the transformer builds on the host: query i sees keys 0..min(i, length - 1)', async () => {
    const bias = paddedCausalBias(tf.tensor1d([3, 1], 'int32'), 3);
    expect(bias.shape).toEqual([2, 1, 3, 3]);
    const M = -1e9;
    expect(Array.from(await bias.data())).toEqual([0, M, M, 0, 0, M, 0, 0, 0, /* length 1: */ 0, M, M, 0, M, M, 0, M, M]);
    bias.dispose();
  });

  it('runs the backend kernel registered under its name instead', () => {
    let called = 0;
    tf.registerKernel({
      kernelName: CAUSAL_ATTENTION_KERNEL,
      backendName: 'cpu',
      kernelFunc: ({ inputs, attrs, backend }) => {
        called++;
        expect(attrs).toEqual({ width: 2, heads: 1 });
        const q = inputs.q as tf.TensorInfo;
        return (backend as tf.KernelBackend & { makeTensorInfo: (s: number[], d: string) => tf.TensorInfo }).makeTensorInfo(q.shape, 'float32');
      },
    });
    try {
      const x = tf.zeros([4, 2]) as tf.Tensor2D;
      const y = causalAttention(x, x, x, tf.tensor1d([2, 2], 'int32'), { width: 2, heads: 1 });
      expect(called).toBe(1);
      expect(y.shape).toEqual([4, 2]);
    } finally {
      tf.unregisterKernel(CAUSAL_ATTENTION_KERNEL, 'cpu');
    }
  });
});
