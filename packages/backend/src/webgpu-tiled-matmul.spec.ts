import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { initBackend } from './init-backend';
import { registerAllGradients } from './register-gradients';
import { randomFloats, relativeError } from './spec-helpers';
import { stopWebGpu } from './webgpu-backend';
import { TOLERANCE } from './fused-kernel.spec-helper';
import { applyWebGpuMatMulChoice, setWebGpuTiledMatMul, tiledDims } from './webgpu-tiled-matmul';
import { describeWebGpu } from './webgpu-test-adapter';

interface Case {
  readonly a: number[];
  readonly b: number[];
  readonly ta: boolean;
  readonly tb: boolean;
  /** tfjs-core's BatchMatMul gradient does not sum over a broadcast batch (on any backend): value only. */
  readonly forwardOnly?: boolean;
}

/** matMul and the gradients of sum(matMul * w) (BatchMatMul again, transposed) on one backend. */
async function run(c: Case, backend: 'cpu' | 'webgpu'): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const tensors = tf.memory().numTensors;
  const buffers = tf.backend().numDataIds();
  const outs = tf.tidy(() => {
    const a = tf.tensor(randomFloats(tf.util.sizeFromShape(c.a), 1), c.a);
    const b = tf.tensor(randomFloats(tf.util.sizeFromShape(c.b), 2), c.b);
    const f = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, c.ta, c.tb);
    const y = f(a, b);
    const w = tf.tensor(randomFloats(y.size, 3), y.shape);
    if (c.forwardOnly) return [y, tf.zeros([1]), tf.zeros([1])];
    return [y, ...tf.grads((x: tf.Tensor, z: tf.Tensor) => tf.sum(tf.mul(f(x, z), w)))([a, b])];
  });
  const values = await Promise.all(outs.map(async (t) => Float32Array.from(await t.data())));
  const shape = outs[0]?.shape;
  tf.dispose(outs);
  if (tf.memory().numTensors !== tensors || tf.backend().numDataIds() !== buffers) throw new Error(`${backend}: leaked tensors or buffers`);
  return [...values, Float32Array.from(shape ?? [])];
}

describeWebGpu('webgpu tiled matMul (opt-in) against cpu, forward and gradients (1e-4)', () => {
  beforeAll(async () => {
    registerAllGradients();
    await initBackend({ prefer: 'webgpu' });
    setWebGpuTiledMatMul(true);
  });
  afterAll(() => {
    setWebGpuTiledMatMul(false);
    stopWebGpu();
  });

  // sizes off the 64/128 tiles and the 16-deep steps; one side large enough for 8 x 8 per thread
  const cases: Case[] = [
    { a: [37, 70], b: [70, 29], ta: false, tb: false },
    { a: [70, 37], b: [70, 29], ta: true, tb: false },
    { a: [37, 70], b: [29, 70], ta: false, tb: true },
    { a: [70, 37], b: [29, 70], ta: true, tb: true },
    { a: [3, 2, 9, 17], b: [3, 2, 17, 5], ta: false, tb: false }, // attention-shaped batch
    { a: [4, 9, 17], b: [6, 17], ta: false, tb: true, forwardOnly: true }, // one side without a batch
    { a: [520, 33], b: [33, 515], ta: false, tb: false }, // the 128-wide tile
  ];
  for (const c of cases) {
    it(`[${c.a}]${c.ta ? 'T' : ''} x [${c.b}]${c.tb ? 'T' : ''}`, async () => {
      const want = await run(c, 'cpu');
      const got = await run(c, 'webgpu');
      expect(Array.from(got[3] as Float32Array)).toEqual(Array.from(want[3] as Float32Array)); // output shape
      const errors = [0, 1, 2].map((i) => relativeError(got[i] as Float32Array, want[i] as Float32Array));
      if (!errors.every((e) => e < TOLERANCE.webgpu)) throw new Error(`errors (value, da, db): ${errors.map((e) => e.toExponential(2)).join(', ')}`);
    });
  }

  it('runs only where it applies, and is off unless asked for', () => {
    expect(tiledDims([2, 3, 4, 5], [3, 5, 6], false, false)).toBeUndefined(); // a broadcast it leaves to tfjs
    expect(tiledDims([1, 1, 4, 5], [3, 5, 6], false, false)).toBeUndefined();
    expect(tiledDims([4, 5], [3, 5, 6], false, false)?.outShape).toEqual([3, 4, 6]);
    expect(tiledDims([70, 37], [29, 70], true, true)?.dims).toEqual({ batch: 1, batchA: 1, batchB: 1, M: 37, N: 29, K: 70 }); // the cases above run tiled
    expect(applyWebGpuMatMulChoice({})).toBeUndefined();
    expect(() => applyWebGpuMatMulChoice({ REWARDKIT_WEBGPU_MATMUL: 'fast' })).toThrow(/expected 'tiled' or 'stock'/);
  });
});
