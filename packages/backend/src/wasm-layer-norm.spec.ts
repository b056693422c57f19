import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { applyWasmFixes } from './apply-wasm-fixes';
import { registerAllGradients } from './register-gradients';
import { registerWasmLayerNorm } from './wasm-layer-norm';
import { FUSED_KERNEL_COVERS, LAYER_NORM_KERNEL } from './fused-kernels';
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

  // Rows with a large mean (x = 100 + 3 u, u in [-1, 1): std sqrt 3): x - mean cancels, so an error
  // of the float32 mean (ulp 7.6e-6 at 100; the kernels and cpu sum in different orders) becomes
  // error / std in every normalised value. Bound: 2 results off by up to 4 ulps each,
  // 2 x 4 x 7.6e-6 / 1.73 = 3.5e-5. Measured 2026-12-01: at most 3.5e-6 (SIMD, C = 64) and
  // 8.9e-6 (composition, C = 66) over the value and the three gradients.
  const LARGE_MEAN_BOUND = (2 * 4 * 7.63e-6) / Math.sqrt(3);
  for (const C of [64, 66]) {
    it(`row mean ~100, C = ${C}: within the float32 rounding bound of cpu`, async () => {
      await expectFusedMatchesReference(layerNormCase([64, C], 1e-5, 100), 'wasm', LARGE_MEAN_BOUND);
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

  it('tells @rewardkit/ops which calls it runs fused: C % 4 = 0 (the SIMD kernels)', async () => {
    await tf.setBackend('wasm');
    const covers = (tf.getKernel(LAYER_NORM_KERNEL, 'wasm')!.kernelFunc as unknown as Record<symbol, (s: Record<string, number[]>, a: tf.NamedAttrMap) => boolean>)[FUSED_KERNEL_COVERS]!;
    expect(covers({ x: [2, 84, 64], gamma: [64] }, { eps: 1e-5 })).toBe(true);
    expect(covers({ x: [8192, 66], gamma: [66] }, { eps: 1e-5 })).toBe(false);
  });

  it('refuses a gamma of the wrong size, naming it', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([2, 4]);
    const g = tf.zeros([3]);
    expect(() => tf.engine().runKernel(LAYER_NORM_KERNEL, { x, gamma: g, beta: g }, { eps: 1e-5 })).toThrow(/input gamma must be float32 \[4\]; got float32 \[3\]/);
    tf.dispose([x, g]);
  });
});
