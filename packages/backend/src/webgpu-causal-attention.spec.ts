import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './init-backend';
import { registerAllGradients } from './register-gradients';
import { stopWebGpu } from './webgpu-backend';
import { registerWebGpuCausalAttention } from './webgpu-causal-attention';
import { ATTENTION_GRAD_KERNEL, ATTENTION_KERNEL, ATTENTION_PACKED_KERNEL } from './fused-kernels';
import { attentionReference, expectFusedMatchesReference, type FusedCase } from './fused-kernel.spec-helper';
import { describeWebGpu } from './webgpu-test-adapter';

/** B rows of width T, H heads of D dims, the given lengths (1..T). */
function attentionCase(B: number, T: number, H: number, D: number, lengths: number[]): FusedCase {
  const C = H * D;
  return {
    name: `B=${B} T=${T} H=${H} D=${D} lengths ${lengths}`,
    floats: { q: { shape: [B * T, C], scale: 2 }, k: { shape: [B * T, C], scale: 2 }, v: { shape: [B * T, C] } },
    ints: { lengths: { shape: [B], values: lengths } },
    kernel: ATTENTION_KERNEL,
    attrs: { width: T, heads: H },
    reference: (x) => attentionReference(x, T, H),
  };
}

/** The same with q, k, v packed as c_attn's [B*T, 3C] output; the gradient is c_attn's too. */
function packedCase(B: number, T: number, H: number, D: number, lengths: number[]): FusedCase {
  const C = H * D;
  return {
    name: `packed qkv: B=${B} T=${T} H=${H} D=${D} lengths ${lengths}`,
    floats: { qkv: { shape: [B * T, 3 * C], scale: 2 } },
    ints: { lengths: { shape: [B], values: lengths } },
    kernel: ATTENTION_PACKED_KERNEL,
    attrs: { width: T, heads: H },
    reference: (x) => {
      const [q, k, v] = tf.split(x.qkv as tf.Tensor, 3, 1);
      return attentionReference({ q, k, v, lengths: x.lengths as tf.Tensor }, T, H) as tf.Tensor;
    },
  };
}

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
    packedCase(3, 9, 2, 8, [9, 4, 1]),
    packedCase(2, 5, 2, 64, [5, 3]),
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
