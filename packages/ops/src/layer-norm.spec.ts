import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@rewardkit/testing';
import { layerNorm } from './layer-norm';

useBackend('cpu');

describe('layerNorm (reference path)', () => {
  it('matches float64 over the last axis, with the biased variance and eps inside the root', async () => {
    const [N, C, eps] = [3, 7, 1e-3];
    const x = Float32Array.from({ length: N * C }, (_, i) => Math.cos(i * 1.7) * 3 + 0.5);
    const g = Float32Array.from({ length: C }, (_, i) => 1 + 0.1 * i);
    const b = Float32Array.from({ length: C }, (_, i) => -0.05 * i);
    const before = tf.memory().numTensors;
    const [xt, gt, bt] = [tf.tensor2d(x, [N, C]), tf.tensor1d(g), tf.tensor1d(b)];
    const y = layerNorm(xt, gt, bt, eps);
    const got = await y.data();
    tf.dispose([xt, gt, bt, y]);
    expect(tf.memory().numTensors).toBe(before);
    for (let r = 0; r < N; r++) {
      const row = Array.from(x.subarray(r * C, r * C + C));
      const mean = row.reduce((a, v) => a + v, 0) / C;
      const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / C;
      row.forEach((v, c) => expect(got[r * C + c]).toBeCloseTo(((v - mean) / Math.sqrt(variance + eps)) * g[c] + b[c], 5));
    }
  });
});
