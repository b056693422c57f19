import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@rewardkit/testing';
import { biasGelu } from './bias-gelu';

useBackend('cpu');

/** float64 erf (Abramowitz and Stegun 7.1.26, |error| < 1.5e-7). */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return Math.sign(x) * y;
}
const GELU = {
  gelu_new: (z: number) => 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z ** 3))),
  gelu: (z: number) => 0.5 * z * (1 + erf(z / Math.SQRT2)),
};

describe('biasGelu (reference path)', () => {
  for (const activation of ['gelu_new', 'gelu'] as const) {
    it(`${activation}(x + bias) matches float64, bias broadcast over rows`, async () => {
      const [N, F] = [4, 5];
      const x = Float32Array.from({ length: N * F }, (_, i) => (i - 10) * 0.45);
      const b = Float32Array.from({ length: F }, (_, i) => 0.3 * i - 0.6);
      const before = tf.memory().numTensors;
      const [xt, bt] = [tf.tensor2d(x, [N, F]), tf.tensor1d(b)];
      const y = biasGelu(xt, bt, activation);
      const got = await y.data();
      tf.dispose([xt, bt, y]);
      expect(tf.memory().numTensors).toBe(before);
      x.forEach((v, i) => expect(got[i]).toBeCloseTo(GELU[activation](v + b[i % F]), 5));
    });
  }
});
