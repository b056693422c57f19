import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './init-backend';
import { registerAllGradients } from './register-gradients';
import { countWebGpuWork, stopWebGpu } from './webgpu-backend';
import { randomFloats } from './spec-helpers';
import { describeWebGpu } from './webgpu-test-adapter';

/** tfjs-core's own forms: dy (reshaped) * ones(x.shape), Mean's divided by the reduced size. */
function stockGrad(kind: 'sum' | 'mean', x: tf.Tensor, axis: number[], dy: tf.Tensor): tf.Tensor {
  const shape = x.shape.slice();
  for (const a of axis) shape[a] = 1;
  const g = tf.mul(tf.reshape(dy, shape), tf.ones(x.shape));
  return kind === 'sum' ? g : tf.div(g, axis.reduce((n, a) => n * (x.shape[a] as number), 1));
}

const cases: ['sum' | 'mean', number[], number[]][] = [
  ['sum', [4, 5, 6], [1]],
  ['sum', [4, 5, 6], [0, 2]],
  ['mean', [4, 5, 6], [2]],
  ['mean', [7, 3], [0, 1]],
];

async function check(): Promise<void> {
  for (const [kind, shape, axis] of cases) {
    const x = tf.add(tf.tensor(randomFloats(tf.util.sizeFromShape(shape), 3), shape), 0);
    const w = tf.tensor(randomFloats(tf.util.sizeFromShape(shape), 4), shape);
    const f = (t: tf.Tensor) => tf.sum(tf.mul(kind === 'sum' ? tf.sum(tf.mul(t, w), axis, true) : tf.mean(tf.mul(t, w), axis, true), 1.5));
    const got = tf.grad(f)(x);
    const dy = tf.fill(tf.sum(x, axis).shape, 1.5);
    const want = tf.mul(stockGrad(kind, x, axis, dy), w);
    expect(Array.from(await got.data())).toEqual(Array.from(await want.data())); // bit for bit
    tf.dispose([x, w, got, dy, want]);
  }
}

describe('Sum and Mean gradients (reduce-grads.ts)', () => {
  beforeAll(async () => {
    registerAllGradients();
    await initBackend({ prefer: 'cpu' });
  });
  it('equal tfjs-core\'s dy * ones form bit for bit on cpu', check);
});

describeWebGpu('Sum and Mean gradients on webgpu', () => {
  beforeAll(async () => {
    registerAllGradients();
    await initBackend({ prefer: 'webgpu' });
  });
  afterAll(() => stopWebGpu());

  it('equal tfjs-core\'s dy * ones form bit for bit', check);

  it('upload nothing: the gradient of a reduction over a GPU-resident tensor is built on the GPU', async () => {
    // both above tfjs's 1000-element CPU hand-off, so they live on the GPU as in a training step
    const x = tf.add(tf.randomNormal([64, 16, 32]), 0);
    const dy = tf.add(tf.randomNormal([64, 32]), 0);
    for (const kind of ['Sum', 'Mean']) {
      const work = await countWebGpuWork(() => {
        const g = tf.getGradient(kind)!.gradFunc(dy, [x], { axis: [1], keepDims: false }) as Record<string, () => tf.Tensor>;
        const dx = g.x!();
        expect(dx.shape).toEqual([64, 16, 32]);
        dx.dispose();
      });
      expect(work.uploads).toBe(kind === 'Mean' ? 1 : 0); // Mean: its divisor, a scalar
      expect(work.dispatches).toBeGreaterThan(0);
    }
    tf.dispose([x, dy]);
  });
});
