import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { applyWasmFixes } from './apply-wasm-fixes';
import { registerAllGradients } from './register-gradients';
import { matMulProduct, relativeError, runOn, seededMatMulCase } from './spec-helpers';

/**
 * Logical operand shapes A [..., m, k] and B [..., k, n] (transposed cases store them swapped),
 * and whether to check gradients: tfjs-core 4.22's BatchMatMul gradient does not sum over
 * broadcast batch dims, so it throws on every backend for those shapes (a core limitation).
 */
const SHAPES: [string, number[], number[], boolean][] = [
  ['2-D odd', [7, 13], [13, 5], true],
  ['2-D size-1 edges', [1, 9], [9, 1], true],
  ['2-D larger', [33, 17], [17, 29], true],
  ['3-D batched', [3, 7, 13], [3, 13, 5], true],
  ['4-D attention-like', [2, 3, 5, 4], [2, 3, 4, 6], true],
  ['3-D x 2-D broadcast', [4, 7, 13], [13, 5], false],
  ['batch-1 broadcast', [1, 7, 13], [3, 13, 5], false],
  // transposeA with m % 4 = n % 8 = 0: the SIMD A^T B kernel, no transposed copy (wasm-transposed-a-matmul.ts)
  ['weight-gradient-like, m > n', [24, 40], [40, 8], true],
  // transposeA, m > n, n % 8 != 0 (no SIMD A^T B): computed as (B^T A)^T (wasm-batch-matmul.ts)
  ['A^T B as (B^T A)^T, m > n', [26, 40], [40, 6], true],
];
const FLAGS: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];
const TOLERANCE = 1e-5;

function stored(shape: number[], transposed: boolean): number[] {
  if (!transposed) return shape;
  const s = [...shape];
  [s[s.length - 2], s[s.length - 1]] = [s[s.length - 1], s[s.length - 2]];
  return s;
}

beforeAll(() => {
  registerAllGradients();
  applyWasmFixes();
});

describe('wasm transpose-first BatchMatMul', () => {
  it('is installed once, however often the fixes are applied', () => {
    const first = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc;
    applyWasmFixes();
    expect(tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc).toBe(first);
    expect(Symbol.for('rewardkit.backend.wasmTransposeFirst') in first).toBe(true);
  });

  let seed = 1;
  for (const [label, aShape, bShape, withGradients] of SHAPES) {
    const what = withGradients ? 'value and gradients match' : 'value matches';
    for (const [tA, tB] of FLAGS) {
      it(`${label} ${JSON.stringify(aShape)} x ${JSON.stringify(bShape)} transposeA=${tA} transposeB=${tB}: ${what} cpu`, async () => {
        const c = seededMatMulCase(stored(aShape, tA), stored(bShape, tB), (seed += 2), tA, tB);
        const gradientSeed = withGradients ? 99 : undefined;
        const ref = await runOn('cpu', () => matMulProduct(c, gradientSeed));
        const got = await runOn('wasm', () => matMulProduct(c, gradientSeed));
        expect(got.shape).toEqual(ref.shape);
        expect(relativeError(got.out, ref.out)).toBeLessThan(TOLERANCE);
        expect(relativeError(got.da, ref.da)).toBeLessThan(TOLERANCE);
        expect(relativeError(got.db, ref.db)).toBeLessThan(TOLERANCE);
      });
    }
  }
});
