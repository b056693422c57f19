import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { applyWasmFixes } from './apply-wasm-fixes';
import { registerAllGradients } from './register-gradients';
import { registerWasmLayerNorm } from './wasm-layer-norm';
import { LAYER_NORM_KERNEL } from './fused-kernels';
import { expectFusedMatchesReference, layerNormCase } from './fused-kernel.spec-helper';

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

  it('refuses a gamma of the wrong size, naming it', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([2, 4]);
    const g = tf.zeros([3]);
    expect(() => tf.engine().runKernel(LAYER_NORM_KERNEL, { x, gamma: g, beta: g }, { eps: 1e-5 })).toThrow(/input gamma must be float32 \[4\]; got float32 \[3\]/);
    tf.dispose([x, g]);
  });
});
