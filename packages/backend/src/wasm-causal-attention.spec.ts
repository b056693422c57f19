import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { applyWasmFixes } from './apply-wasm-fixes';
import { registerAllGradients } from './register-gradients';
import { registerWasmCausalAttention } from './wasm-causal-attention';
import { ATTENTION_GRAD_KERNEL, ATTENTION_KERNEL, ATTENTION_PACKED_KERNEL } from './fused-kernels';
import { attentionReference, expectFusedMatchesReference, type FusedCase } from './fused-kernel.spec-helper';

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
    packedCase(3, 9, 2, 8, [9, 4, 1]),
    packedCase(2, 5, 2, 64, [5, 3]),
    packedCase(4, 64, 4, 16, [64, 50, 7, 33]),
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
