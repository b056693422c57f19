import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { applyWasmFixes } from './apply-wasm-fixes';
import { registerAllGradients } from './register-gradients';
import { registerWasmLayerNorm } from './wasm-layer-norm';
import { LAYER_NORM_KERNEL } from './fused-kernels';
import { expectFusedMatchesReference, layerNormCase, layerNormReference } from './fused-kernel.spec-helper';
import { randomFloats, runOn } from './spec-helpers';

beforeAll(() => {
  registerAllGradients();
  applyWasmFixes();
  registerWasmLayerNorm(); // applyWasmFixes registers it too: idempotent
});

describe('wasm fused layer norm against the unfused reference on cpu (1e-5)', () => {
  it('is registered once, however often registered', () => {
    const first = tf.getKernel(LAYER_NORM_KERNEL, 'wasm')!.kernelFunc;
    expect(registerWasmLayerNorm()).toBe('fused layer norm');
    expect(tf.getKernel(LAYER_NORM_KERNEL, 'wasm')!.kernelFunc).toBe(first);
  });

  for (const c of [layerNormCase([7, 33], 1e-5), layerNormCase([1, 1], 1e-5), layerNormCase([2, 3, 20], 1e-3), layerNormCase([64, 768], 1e-5), layerNormCase([300, 64], 1e-5)]) {
    it(`forward and dx, dgamma, dbeta: ${c.name}`, async () => {
      await expectFusedMatchesReference(c, 'wasm');
    });
  }

  // C % 4 != 0 runs the composition in wasm's own kernels: the reference's values exactly (its
  // JavaScript loops had been slower than that).
  it('C = 66: forward bit-identical to the composition on wasm', async () => {
    const [fused, reference] = await runOn('wasm', () =>
      tf.tidy(() => {
        const x = tf.add(tf.mul(tf.tensor(randomFloats(5 * 66, 3), [5, 66]), 3), 0.5);
        const gamma = tf.add(tf.tensor(randomFloats(66, 4), [66]), 1);
        const beta = tf.tensor(randomFloats(66, 5), [66]);
        return [tf.engine().runKernel(LAYER_NORM_KERNEL, { x, gamma, beta }, { eps: 1e-5 }) as tf.Tensor, layerNormReference({ x, gamma, beta }, 1e-5)].map((t) => t.dataSync());
      }),
    );
    expect(Array.from(fused!)).toEqual(Array.from(reference!));
  });

  it('refuses a gamma of the wrong size, naming it', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([2, 4]);
    const g = tf.zeros([3]);
    expect(() => tf.engine().runKernel(LAYER_NORM_KERNEL, { x, gamma: g, beta: g }, { eps: 1e-5 })).toThrow(/input gamma must be float32 \[4\]; got float32 \[3\]/);
    tf.dispose([x, g]);
  });
});
