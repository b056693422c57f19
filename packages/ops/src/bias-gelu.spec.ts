import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@rewardkit/testing';
import { biasGelu } from './bias-gelu';
import { BIAS_GELU_KERNEL, FUSED_KERNEL_COVERS, type FusedKernelCovers } from './fused-kernel-names';

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

  it('runs a registered kernel only for the calls its FUSED_KERNEL_COVERS predicate accepts, else the reference', () => {
    const calls: string[] = [];
    const kernelFunc: tf.KernelFunc = ({ inputs, attrs, backend }) => {
      calls.push(String(attrs?.activation));
      const x = inputs.x as tf.TensorInfo;
      return (backend as tf.KernelBackend & { makeTensorInfo: (s: number[], d: string) => tf.TensorInfo }).makeTensorInfo(x.shape, 'float32');
    };
    const covers: FusedKernelCovers = (shapes, attrs) => attrs.activation === 'gelu_new' && shapes.x![1]! % 4 === 0;
    Object.defineProperty(kernelFunc, FUSED_KERNEL_COVERS, { value: covers });
    tf.registerKernel({ kernelName: BIAS_GELU_KERNEL, backendName: 'cpu', kernelFunc });
    try {
      const run = (F: number, activation: 'gelu' | 'gelu_new') => tf.tidy(() => biasGelu(tf.ones([2, F]) as tf.Tensor2D, tf.zeros([F]) as tf.Tensor1D, activation).dataSync());
      run(8, 'gelu_new');
      expect(calls).toEqual(['gelu_new']);
      // declined: the reference's values (gelu(1) = 0.8413 for erf), the kernel not called
      expect(run(8, 'gelu')[0]).toBeCloseTo(GELU.gelu(1), 5);
      expect(run(6, 'gelu_new')[0]).toBeCloseTo(GELU.gelu_new(1), 5);
      expect(calls).toEqual(['gelu_new']);
    } finally {
      tf.unregisterKernel(BIAS_GELU_KERNEL, 'cpu');
    }
  });
});
