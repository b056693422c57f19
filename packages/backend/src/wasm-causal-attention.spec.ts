import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { applyWasmFixes } from './apply-wasm-fixes';
import { registerAllGradients } from './register-gradients';
import { registerWasmCausalAttention } from './wasm-causal-attention';
import { ATTENTION_GRAD_KERNEL, ATTENTION_KERNEL, ATTENTION_PACKED_KERNEL } from './fused-kernels';
import { attentionCase, expectFusedMatchesReference, packedAttentionCase } from './fused-kernel.spec-helper';

beforeAll(() => {
  registerAllGradients();
  applyWasmFixes();
  registerWasmCausalAttention(); // opt-in: applyWasmFixes leaves it out (slower than unfused on wasm)
});

describe('wasm fused causal attention against the unfused reference on cpu (1e-5)', () => {
  it('is registered once, however often registered', () => {
    expect(tf.getKernel(ATTENTION_GRAD_KERNEL, 'wasm')).toBeDefined();
    expect(tf.getKernel(ATTENTION_PACKED_KERNEL, 'wasm')).toBeDefined();
    const first = tf.getKernel(ATTENTION_KERNEL, 'wasm')!.kernelFunc;
    expect(registerWasmCausalAttention()).toBe('fused causal attention');
    expect(tf.getKernel(ATTENTION_KERNEL, 'wasm')!.kernelFunc).toBe(first);
  });

  // Full rows, padded rows and a one-token row; head size 64; one head; a transformer-sized batch.
  for (const c of [
    attentionCase(3, 9, 2, 8, [9, 4, 1]),
    attentionCase(2, 5, 2, 64, [5, 3]),
    attentionCase(1, 17, 1, 4, [17]),
    packedAttentionCase(3, 9, 2, 8, [9, 4, 1]),
    packedAttentionCase(2, 5, 2, 64, [5, 3]),
    packedAttentionCase(4, 64, 4, 16, [64, 50, 7, 33]),
  ]) {
    it(`forward and gradients: ${c.name}`, async () => {
      await expectFusedMatchesReference(c, 'wasm');
    });
  }

  it('refuses a length outside 1..T, naming the row', async () => {
    await tf.setBackend('wasm');
    const buffers = tf.backend().numDataIds();
    const q = tf.zeros([6, 4]);
    const lengths = tf.tensor1d([3, 0], 'int32');
    expect(() => tf.engine().runKernel(ATTENTION_KERNEL, { q, k: q, v: q, lengths }, { width: 3, heads: 2 })).toThrow(/lengths\[1\] = 0 is not in 1\.\.3/);
    tf.dispose([q, lengths]);
    expect(tf.backend().numDataIds()).toBe(buffers);
  });
});
