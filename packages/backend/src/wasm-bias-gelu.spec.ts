import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { applyWasmFixes } from './apply-wasm-fixes';
import { registerAllGradients } from './register-gradients';
import { registerWasmBiasGelu } from './wasm-bias-gelu';
import { BIAS_GELU_KERNEL } from './fused-kernels';
import { biasGeluCase, expectFusedMatchesReference } from './fused-kernel.spec-helper';

beforeAll(() => {
  registerAllGradients();
  applyWasmFixes();
  registerWasmBiasGelu(); // applyWasmFixes registers it too: idempotent
});

describe('wasm fused bias + GELU against the unfused reference on cpu (1e-5)', () => {
  it('is registered once, however often registered', () => {
    const first = tf.getKernel(BIAS_GELU_KERNEL, 'wasm')!.kernelFunc;
    expect(registerWasmBiasGelu()).toBe('fused bias + GELU');
    expect(tf.getKernel(BIAS_GELU_KERNEL, 'wasm')!.kernelFunc).toBe(first);
  });

  for (const c of [biasGeluCase(5, 7, 'gelu_new', 3), biasGeluCase(5, 7, 'gelu', 3), biasGeluCase(64, 3072, 'gelu_new', 3), biasGeluCase(33, 130, 'gelu', 3), biasGeluCase(10, 12, 'gelu_new', 3)]) {
    it(`forward, dx and dbias: ${c.name}`, async () => {
      await expectFusedMatchesReference(c, 'wasm');
    });
  }

  it('refuses an unknown activation, naming it', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([2, 4]);
    const b = tf.zeros([4]);
    expect(() => tf.engine().runKernel(BIAS_GELU_KERNEL, { x, bias: b }, { activation: 'relu' })).toThrow(/activation relu is not gelu or gelu_new/);
    tf.dispose([x, b]);
  });
});
