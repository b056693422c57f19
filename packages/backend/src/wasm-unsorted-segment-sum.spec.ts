import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { applyWasmFixes } from './apply-wasm-fixes';
import { registerAllGradients } from './register-gradients';
import { randomFloats, relativeError, runOn } from './spec-helpers';

const TOLERANCE = 1e-5;

beforeAll(() => {
  registerAllGradients();
  applyWasmFixes();
});

interface SegmentCase {
  readonly label: string;
  readonly xShape: number[];
  readonly ids: number[];
  readonly idsShape: number[];
  readonly numSegments: number;
  readonly dtype: 'float32' | 'int32';
}

const CASES: SegmentCase[] = [
  { label: '1-D x', xShape: [6], ids: [2, 0, 2, 1, 0, 2], idsShape: [6], numSegments: 3, dtype: 'float32' },
  { label: '2-D x, out of order and repeated, one empty segment', xShape: [6, 3], ids: [3, 0, 3, 1, 0, 3], idsShape: [6], numSegments: 5, dtype: 'float32' },
  { label: '3-D x', xShape: [5, 2, 3], ids: [1, 1, 0, 4, 1], idsShape: [5], numSegments: 5, dtype: 'float32' },
  { label: 'ids outside [0, numSegments) are dropped', xShape: [4, 2], ids: [-1, 1, 7, 1], idsShape: [4], numSegments: 3, dtype: 'float32' },
  { label: 'int32 x', xShape: [5, 2], ids: [1, 0, 1, 1, 0], idsShape: [5], numSegments: 2, dtype: 'int32' },
];

function segmentSum(c: SegmentCase): { shape: number[]; values: ArrayLike<number> } {
  return tf.tidy(() => {
    const size = c.xShape.reduce((a, b) => a * b, 1);
    const data = c.dtype === 'int32' ? Int32Array.from(randomFloats(size, 7), (v) => Math.round(v * 100)) : randomFloats(size, 7);
    const x = tf.tensor(data, c.xShape, c.dtype);
    // tfjs types segmentIds as 1-D; the kernel contract allows any prefix of x's shape.
    const ids: tf.Tensor = tf.tensor(c.ids, c.idsShape, 'int32');
    const out = tf.unsortedSegmentSum(x, ids as tf.Tensor1D, c.numSegments);
    return { shape: out.shape, values: out.dataSync() as Float32Array };
  });
}

describe('wasm UnsortedSegmentSum kernel', () => {
  it('is registered for wasm (tfjs-backend-wasm 4.22 has none of its own)', () => {
    const kernel = tf.getKernel('UnsortedSegmentSum', 'wasm');
    expect(kernel).toBeDefined();
    expect(Symbol.for('rewardkit.backend.wasmUnsortedSegmentSum') in kernel!.kernelFunc).toBe(true);
  });

  for (const c of CASES) {
    it(`${c.label}: matches cpu`, async () => {
      const ref = await runOn('cpu', () => segmentSum(c));
      const got = await runOn('wasm', () => segmentSum(c));
      expect(got.shape).toEqual(ref.shape);
      expect(relativeError(got.values, ref.values)).toBeLessThan(TOLERANCE);
    });
  }

  // The cpu kernel itself fails on rank-2 ids (a tfjs-backend-cpu bug), so compare with the
  // equivalent flattened call on cpu: ids [2, 3] over x [2, 3, 4] is ids [6] over x [6, 4].
  it('2-D segment ids: matches the flattened call on cpu', async () => {
    const ids = [0, 2, 0, 1, 2, 2];
    const data = randomFloats(24, 8);
    const run = (idsShape: number[], xShape: number[]): Float32Array =>
      tf.tidy(() => {
        const segmentIds: tf.Tensor = tf.tensor(ids, idsShape, 'int32');
        return tf.unsortedSegmentSum(tf.tensor(data, xShape), segmentIds as tf.Tensor1D, 3).dataSync() as Float32Array;
      });
    const ref = await runOn('cpu', () => run([6], [6, 4]));
    const got = await runOn('wasm', () => run([2, 3], [2, 3, 4]));
    expect(relativeError(got, ref)).toBeLessThan(TOLERANCE);
  });

  it('rejects segment ids whose shape is not a prefix of x', async () => {
    await runOn('wasm', () => {
      const x = tf.zeros([4, 2]);
      const ids = tf.tensor1d([0, 1, 0], 'int32');
      expect(() => tf.unsortedSegmentSum(x, ids, 2)).toThrow(/prefix/);
      tf.dispose([x, ids]);
    });
  });
});

describe('embedding (tf.gather) gradient on wasm', () => {
  const VOCAB = 11;
  const DIM = 7;
  /** Token ids [batch 3, time 5], with repeats so rows of the table collect several gradients. */
  const IDS = [4, 1, 4, 9, 0, 1, 1, 10, 4, 3, 0, 9, 9, 9, 2];

  function embeddingGrads(axis: 0 | 1): { loss: number; grad: Float32Array } {
    // tidy frees the initial tensor: tf.variable copies nothing and leaves it registered.
    const table = tf.tidy(() => tf.variable(tf.tensor2d(randomFloats(VOCAB * DIM, 11), [VOCAB, DIM]), true, `emb${axis}`));
    try {
      return tf.tidy(() => {
        const ids = axis === 0 ? tf.tensor2d(IDS, [3, 5], 'int32') : tf.tensor1d([6, 0, 6, 2], 'int32');
        const { value, grads } = tf.variableGrads(() => {
          const looked = axis === 0 ? tf.gather(table, ids) : tf.gather(table, ids, 1); // [3, 5, DIM] or [VOCAB, 4]
          const w = tf.tensor(randomFloats(looked.size, 12), looked.shape);
          return tf.sum(tf.mul(tf.tanh(looked), w)) as tf.Scalar;
        }, [table]);
        return { loss: value.dataSync()[0], grad: grads[table.name].dataSync() as Float32Array };
      });
    } finally {
      table.dispose();
    }
  }

  for (const axis of [0, 1] as const) {
    it(`tf.variableGrads through gather(axis=${axis}) matches cpu`, async () => {
      const ref = await runOn('cpu', () => embeddingGrads(axis));
      const got = await runOn('wasm', () => embeddingGrads(axis));
      expect(Math.abs(got.loss - ref.loss) / Math.max(Math.abs(ref.loss), 1e-6)).toBeLessThan(TOLERANCE);
      expect(relativeError(got.grad, ref.grad)).toBeLessThan(TOLERANCE);
    });
  }

  it('a segment sums the same rows to the same float32 in any order (float64 accumulation)', async () => {
    // in float32, 1e8 + 1 - 1e8 + 1 is 1 and 1 + 1 + 1e8 - 1e8 is 0; exactly, both are 2
    const sum = (values: number[]) =>
      runOn('wasm', () => tf.tidy(() => Array.from(tf.unsortedSegmentSum(tf.tensor2d(values, [4, 1]), tf.tensor1d([0, 0, 0, 0], 'int32'), 1).dataSync())));
    expect(await sum([1e8, 1, -1e8, 1])).toEqual([2]);
    expect(await sum([1, 1, 1e8, -1e8])).toEqual([2]);
  });
});
