/**
 * Every op the models (bag, transformer) and the Bradley-Terry loss use, on webgpu against cpu:
 * forward values and gradients to 1e-4 relative (max-norm, spec-helpers.ts), and no tensor or
 * GPU buffer left behind. Runs on any adapter, in CI on Mesa's lavapipe (software Vulkan);
 * skips with a printed reason where none can be set up.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { initBackend } from './init-backend';
import { registerAllGradients } from './register-gradients';
import { randomFloats, relativeError, valueAndGradients } from './spec-helpers';
import { READ_SYNC_MESSAGE } from './webgpu-read-sync';
import { describeWebGpu } from './webgpu-test-adapter';

const TOLERANCE = 1e-4;

interface OpCase {
  readonly name: string;
  /** Shapes of the float inputs (seeded values in [-scale, scale)); gradients flow to all of them. */
  readonly shapes: number[][];
  readonly scale?: number;
  /** Forward only: the op has no registered gradient (the transformer uses it inside one). */
  readonly forwardOnly?: boolean;
  readonly f: (...xs: tf.Tensor[]) => tf.Tensor;
}

const ids = (values: number[], shape = [values.length]) => tf.tensor(values, shape, 'int32');
/** GPT-2's gelu_new as the transformer writes it (x sigmoid(2z)), and the erf form. */
const C = 2 * Math.sqrt(2 / Math.PI);
const geluNew = (x: tf.Tensor) => tf.mul(x, tf.sigmoid(tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), C)));
const geluErf = (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
const logSigmoid = (x: tf.Tensor) => tf.neg(tf.softplus(tf.neg(x))); // @rewardkit/ops's form
function layerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), g), b);
}
/** A causal additive mask [1, 1, T, T] as the transformer builds it (0 or -1e9). */
function causalBias(t: number): tf.Tensor {
  const v = new Float32Array(t * t);
  for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) v[i * t + j] = -1e9;
  return tf.tensor(v, [1, 1, t, t]);
}

const CASES: OpCase[] = [
  { name: 'matMul', shapes: [[17, 33], [33, 9]], f: (a, b) => tf.matMul(a, b) },
  { name: 'matMul transposeA', shapes: [[33, 17], [33, 9]], f: (a, b) => tf.matMul(a, b, true, false) },
  { name: 'matMul transposeB', shapes: [[17, 33], [9, 33]], f: (a, b) => tf.matMul(a, b, false, true) },
  { name: 'matMul both transposed', shapes: [[33, 17], [9, 33]], f: (a, b) => tf.matMul(a, b, true, true) },
  { name: 'batched matMul 4-D (attention)', shapes: [[2, 3, 7, 5], [2, 3, 5, 7]], f: (a, b) => tf.matMul(a, b) },
  { name: 'batched matMul 3-D transposeB', shapes: [[4, 7, 5], [4, 6, 5]], f: (a, b) => tf.matMul(a, b, false, true) },
  { name: 'linear: matMul + bias broadcast', shapes: [[12, 16], [16, 48], [48]], f: (x, w, b) => tf.add(tf.matMul(x, w), b) },
  {
    name: 'gather (embedding) and its UnsortedSegmentSum gradient',
    shapes: [[11, 7]],
    f: (t) => tf.gather(t, ids([4, 1, 4, 9, 0, 1, 1, 10, 4, 3, 0, 9], [3, 4])),
  },
  {
    name: 'scatterND (the transformer embedding gradient) with repeated rows',
    shapes: [[6, 5]],
    forwardOnly: true,
    f: (u) => tf.scatterND(ids([3, 0, 3, 7, 0, 3], [6, 1]), u, [9, 5]),
  },
  {
    name: 'unsortedSegmentSum (bag pooling) and its gather gradient',
    shapes: [[10, 4]],
    f: (x) => tf.unsortedSegmentSum(x, ids([2, 0, 2, 1, 0, 2, 3, 3, 1, 0]) as tf.Tensor1D, 5),
  },
  { name: 'softmax over a causal mask', shapes: [[2, 3, 6, 6]], scale: 3, f: (x) => tf.softmax(tf.add(x, causalBias(6))) },
  { name: 'layer norm (moments, rsqrt)', shapes: [[6, 16], [16], [16]], f: (x, g, b) => layerNorm(x, g, b) },
  { name: 'gelu_new (sigmoid form)', shapes: [[8, 32]], scale: 4, f: geluNew },
  { name: 'gelu (erf)', shapes: [[8, 32]], scale: 4, f: geluErf },
  { name: 'tanh', shapes: [[5, 9]], scale: 3, f: (x) => tf.tanh(x) },
  { name: 'sigmoid', shapes: [[5, 9]], scale: 6, f: (x) => tf.sigmoid(x) },
  { name: 'softplus', shapes: [[5, 9]], scale: 20, f: (x) => tf.softplus(x) },
  { name: 'logSigmoid as neg(softplus(neg(x)))', shapes: [[41]], scale: 30, f: logSigmoid },
  {
    name: 'Bradley-Terry loss sum with margin, label smoothing and centering',
    shapes: [[16], [16], [16]],
    scale: 3,
    f: (rc, rr, m) => {
      const d = tf.sub(tf.sub(rc, rr), tf.mul(m, 0.5));
      const perPair = tf.add(tf.mul(tf.neg(logSigmoid(d)), 0.9), tf.mul(tf.neg(logSigmoid(tf.neg(d))), 0.1));
      return tf.sum(tf.add(perPair, tf.mul(tf.square(tf.add(rc, rr)), 0.01)));
    },
  },
  {
    name: 'split, slice, concat',
    shapes: [[6, 12]],
    f: (x) => {
      const [a, b, c] = tf.split(x, 3, 1);
      return tf.concat([tf.slice(c, [1, 0], [4, 4]), tf.slice(a, [0, 1], [4, 3]), tf.slice(b, [2, 0], [4, 4])], 1);
    },
  },
  { name: 'reshape + transpose (heads)', shapes: [[2 * 5, 12]], f: (x) => tf.transpose(tf.reshape(x, [2, 5, 3, 4]), [0, 2, 3, 1]) },
  { name: 'sum over an axis, mean', shapes: [[4, 6, 5]], f: (x) => tf.add(tf.sum(x, 1), tf.mean(x, 1)) },
  { name: 'pool at last token (mul by one-hot, sum)', shapes: [[3, 5, 4]], f: (x) => tf.sum(tf.mul(x, oneHotLast()), 1) },
  { name: 'add/sub/mul/div broadcasting', shapes: [[4, 1, 6], [5, 1], [6]], f: (a, b, c) => tf.div(tf.mul(tf.sub(tf.add(a, b), c), a), tf.add(tf.square(c), 1)) },
  { name: 'sqrt, exp, log, neg, square', shapes: [[20]], f: (x) => tf.neg(tf.add(tf.sqrt(tf.add(tf.square(x), 1)), tf.log(tf.add(tf.exp(x), 2)))) },
  { name: 'dropout (seeded mask, scaled)', shapes: [[8, 16]], f: (x) => tf.dropout(x, 0.25, undefined, 7) },
];

function oneHotLast(): tf.Tensor {
  const v = new Float32Array(3 * 5);
  [2, 4, 0].forEach((t, b) => (v[b * 5 + t] = 1));
  return tf.tensor(v, [3, 5, 1]);
}

/** Forward value and gradients for one case, on seeded inputs. */
function valueAndGrads(c: OpCase, backend: 'cpu' | 'webgpu'): Promise<Float32Array[]> {
  const xs = () => c.shapes.map((s, i) => tf.mul(tf.tensor(randomFloats(tf.util.sizeFromShape(s), 100 + i), s), c.scale ?? 1));
  return valueAndGradients(backend, c.name, () => ({ xs: xs(), f: c.f }), c.forwardOnly);
}

describeWebGpu('webgpu ops against cpu (forward and gradient, 1e-4 relative)', () => {
  beforeAll(async () => {
    registerAllGradients();
    const info = await initBackend({ prefer: 'webgpu' });
    expect(info.name).toBe('webgpu');
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const ref = await valueAndGrads(c, 'cpu');
      const got = await valueAndGrads(c, 'webgpu');
      const labels = ['value', ...c.shapes.map((_, i) => `gradient ${i}`)];
      const errors = got.map((g, i) => `${labels[i]} ${relativeError(g, ref[i]).toExponential(2)}`);
      for (let i = 0; i < got.length; i++) {
        if (!(relativeError(got[i], ref[i]) < TOLERANCE)) throw new Error(`${c.name}: ${errors.join(', ')}`);
      }
    });
  }

  it('dataSync of a GPU-resident tensor says to read asynchronously; host-held values still read', async () => {
    await tf.setBackend('webgpu');
    const fresh = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    expect(Array.from(fresh.dataSync())).toEqual([1, 2, 3, 4]); // still on the host: stock path
    const computed = tf.matMul(fresh, fresh); // a kernel on the GPU (tiny elementwise ops may run on the host)
    expect(() => computed.dataSync()).toThrow(READ_SYNC_MESSAGE);
    expect(Array.from(await computed.data())).toEqual([7, 10, 15, 22]);
    expect(Array.from(computed.dataSync())).toEqual([7, 10, 15, 22]); // read once: cached on the host
    tf.dispose([fresh, computed]);
  });
});
