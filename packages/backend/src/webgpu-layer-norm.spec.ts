import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './init-backend';
import { registerAllGradients } from './register-gradients';
import { stopWebGpu } from './webgpu-backend';
import { expectFusedMatchesReference, layerNormCase } from './fused-kernel.spec-helper';
import { registerWebGpuLayerNorm } from './webgpu-layer-norm';
import { LAYER_NORM_KERNEL } from './fused-kernels';
import { describeWebGpu } from './webgpu-test-adapter';


describeWebGpu('webgpu fused layer norm against the unfused reference on cpu (1e-4)', () => {
  beforeAll(async () => {
    registerAllGradients();
    await initBackend({ prefer: 'webgpu' });
    expect(tf.getKernel(LAYER_NORM_KERNEL, 'webgpu')).toBeDefined();
    expect(registerWebGpuLayerNorm()).toBe('fused layer norm');
  });
  afterAll(() => stopWebGpu());

  // Rows narrower than the 64-thread workgroup, wider (GPT-2's 768 is 12 per thread), 3-D input.
  for (const c of [layerNormCase([7, 33], 1e-5), layerNormCase([5, 130], 1e-5), layerNormCase([2, 3, 20], 1e-3), layerNormCase([3, 768], 1e-5)]) {
    it(`forward and dx, dgamma, dbeta: ${c.name}`, async () => {
      await expectFusedMatchesReference(c);
    });
  }

  it('refuses a gamma of the wrong size', async () => {
    await tf.setBackend('webgpu');
    const x = tf.zeros([2, 4]);
    const g = tf.zeros([3]);
    expect(() => tf.engine().runKernel(LAYER_NORM_KERNEL, { x, gamma: g, beta: g }, { eps: 1e-5 })).toThrow(/input gamma has shape \[3\], expected \[4\]/);
    tf.dispose([x, g]);
  });
});
