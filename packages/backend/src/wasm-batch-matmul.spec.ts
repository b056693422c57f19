import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { applyWasmFixes } from './apply-wasm-fixes';
import { registerAllGradients } from './register-gradients';
import { randomFloats, relativeError, runOn } from './spec-helpers';

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

function size(shape: number[]): number {
  return shape.reduce((x, y) => x * y, 1);
}

interface Case {
  readonly a: { data: Float32Array; shape: number[] };
  readonly b: { data: Float32Array; shape: number[] };
  readonly tA: boolean;
  readonly tB: boolean;
}

function makeCase(aShape: number[], bShape: number[], tA: boolean, tB: boolean, seed: number): Case {
  const as = stored(aShape, tA);
  const bs = stored(bShape, tB);
  return { a: { data: randomFloats(size(as), seed), shape: as }, b: { data: randomFloats(size(bs), seed + 1), shape: bs }, tA, tB };
}

interface Product {
  readonly shape: number[];
  readonly out: Float32Array;
  /** Gradients of sum(matMul(a, b) * w) for a random w; empty when not asked for. */
  readonly da: Float32Array;
  readonly db: Float32Array;
}

function product(c: Case, withGradients: boolean): Product {
  return tf.tidy(() => {
    const a = tf.tensor(c.a.data, c.a.shape);
    const b = tf.tensor(c.b.data, c.b.shape);
    const out = tf.matMul(a, b, c.tA, c.tB);
    const none = new Float32Array(0);
    if (!withGradients) return { shape: out.shape, out: out.dataSync() as Float32Array, da: none, db: none };
    const w = tf.tensor(randomFloats(out.size, 99), out.shape);
    const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, c.tA, c.tB), w)))([a, b]);
    return { shape: out.shape, out: out.dataSync() as Float32Array, da: da.dataSync() as Float32Array, db: db.dataSync() as Float32Array };
  });
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
        const c = makeCase(aShape, bShape, tA, tB, (seed += 2));
        const ref = await runOn('cpu', () => product(c, withGradients));
        const got = await runOn('wasm', () => product(c, withGradients));
        expect(got.shape).toEqual(ref.shape);
        expect(relativeError(got.out, ref.out)).toBeLessThan(TOLERANCE);
        expect(relativeError(got.da, ref.da)).toBeLessThan(TOLERANCE);
        expect(relativeError(got.db, ref.db)).toBeLessThan(TOLERANCE);
      });
    }
  }
});
