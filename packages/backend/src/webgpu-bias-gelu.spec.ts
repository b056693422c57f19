import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './init-backend';
import { registerAllGradients } from './register-gradients';
import { stopWebGpu } from './webgpu-backend';
import { registerWebGpuBiasGelu } from './webgpu-bias-gelu';
import { BIAS_GELU_KERNEL } from './fused-kernels';
import { biasGeluCase, expectFusedMatchesReference } from './fused-kernel.spec-helper';
import { describeWebGpu } from './webgpu-test-adapter';

describeWebGpu('webgpu fused bias + GELU against the unfused reference on cpu (1e-4)', () => {
  beforeAll(async () => {
    registerAllGradients();
    await initBackend({ prefer: 'webgpu' });
    expect(tf.getKernel(BIAS_GELU_KERNEL, 'webgpu')).toBeDefined();
    expect(registerWebGpuBiasGelu()).toBe('fused bias + GELU');
  });
  afterAll(() => stopWebGpu());

  for (const c of [biasGeluCase(13, 37, 'gelu_new', 4), biasGeluCase(13, 37, 'gelu', 4), biasGeluCase(300, 17, 'gelu_new', 4)]) {
    it(`forward, dx and dbias: ${c.name}`, async () => {
      await expectFusedMatchesReference(c);
    });
  }

  it('refuses an unknown activation', async () => {
    await tf.setBackend('webgpu');
    const x = tf.zeros([2, 4]);
    const b = tf.zeros([4]);
    expect(() => tf.engine().runKernel(BIAS_GELU_KERNEL, { x, bias: b }, { activation: 'relu' })).toThrow(/activation relu is not gelu or gelu_new/);
    tf.dispose([x, b]);
  });
});
