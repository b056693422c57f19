import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './init-backend';
import { registerAllGradients } from './register-gradients';
import { stopWebGpu } from './webgpu-backend';
import { registerWebGpuCausalAttention } from './webgpu-causal-attention';
import { ATTENTION_GRAD_KERNEL, ATTENTION_KERNEL, ATTENTION_PACKED_KERNEL } from './fused-kernels';
import { attentionCase, expectFusedMatchesReference, packedAttentionCase } from './fused-kernel.spec-helper';
import { describeWebGpu } from './webgpu-test-adapter';

describeWebGpu('webgpu fused causal attention against the unfused reference on cpu (1e-4)', () => {
  beforeAll(async () => {
    registerAllGradients();
    await initBackend({ prefer: 'webgpu' });
    expect(tf.getKernel(ATTENTION_KERNEL, 'webgpu')).toBeDefined(); // registered by initBackend
    expect(tf.getKernel(ATTENTION_GRAD_KERNEL, 'webgpu')).toBeDefined();
    expect(tf.getKernel(ATTENTION_PACKED_KERNEL, 'webgpu')).toBeDefined();
    expect(registerWebGpuCausalAttention()).toBe('fused causal attention'); // and idempotent
  });
  afterAll(() => stopWebGpu());

  // Full rows, padded rows and a one-token row; GPT-2's head size 64; one head.
  for (const c of [
    attentionCase(3, 9, 2, 8, [9, 4, 1]),
    attentionCase(2, 5, 2, 64, [5, 3]),
    attentionCase(1, 17, 1, 4, [17]),
    packedAttentionCase(3, 9, 2, 8, [9, 4, 1]),
    packedAttentionCase(2, 5, 2, 64, [5, 3]),
  ]) {
    it(`forward and gradients: ${c.name}`, async () => {
      await expectFusedMatchesReference(c);
    });
  }

  it('refuses inputs that do not fit the attributes', async () => {
    await tf.setBackend('webgpu');
    const q = tf.zeros([6, 8]);
    const lengths = tf.tensor1d([3, 3], 'int32');
    const run = (attrs: object, l = lengths) => () => tf.engine().runKernel(ATTENTION_KERNEL, { q, k: q, v: q, lengths: l }, attrs as tf.NamedAttrMap);
    expect(run({ width: 4, heads: 2 })).toThrow(/6 rows are not a whole number of sequences of width 4/);
    expect(run({ width: 3, heads: 3 })).toThrow(/8 columns do not split into 3 heads/);
    const floatLengths = tf.tensor1d([3, 3]);
    expect(run({ width: 3, heads: 2 }, floatLengths)).toThrow(/input lengths is float32, expected int32/);
    tf.dispose([q, lengths, floatLengths]);
  });
});
