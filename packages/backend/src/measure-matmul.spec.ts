import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@rewardkit/core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { measureMatMulGflops } from './measure-matmul';
import './spec-helpers';

describe('measureMatMulGflops', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`${backend}: returns a positive rate and frees its tensors`, async () => {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const rate = await measureMatMulGflops(64, { reps: 2 });
      const transposed = await measureMatMulGflops(64, { reps: 1, transposeB: true });
      expect(rate).toBeGreaterThan(0);
      expect(Number.isFinite(rate)).toBe(true);
      expect(transposed).toBeGreaterThan(0);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('rejects a bad size or repetition count', async () => {
    await expect(measureMatMulGflops(0)).rejects.toBeInstanceOf(ConfigError);
    await expect(measureMatMulGflops(8, { reps: 0.5 })).rejects.toBeInstanceOf(ConfigError);
  });
});
