import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { AdamW } from './adamw';
import { clipGradNorm } from './clip-grad-norm';
import { learningRate } from './lr-schedule';
import { ParameterLayout } from './parameter-layout';
import { HostParameterStore } from './parameter-store-host';

/** PyTorch's AdamW in float64, written out longhand as the reference. */
function referenceAdamW(theta: number[], grads: number[][], lr: number, decayMask: boolean[], b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.1) {
  const m = theta.map(() => 0);
  const v = theta.map(() => 0);
  grads.forEach((g, step) => {
    const t = step + 1;
    for (let i = 0; i < theta.length; i++) {
      if (decayMask[i]) theta[i] *= 1 - lr * wd;
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      theta[i] -= (lr * (m[i] / (1 - b1 ** t))) / (Math.sqrt(v[i] / (1 - b2 ** t)) + eps);
    }
  });
  return theta;
}

describe('AdamW', () => {
  beforeAll(() => tf.setBackend('cpu'));

  it('matches a float64 reference over several steps, decaying matrices only', () => {
    const w = tf.variable(tf.tensor2d([[0.5, -1], [2, 0.25]]));
    const b = tf.variable(tf.tensor1d([0.1, -0.2]));
    const layout = new ParameterLayout([
      { name: 'w', variable: w },
      { name: 'b', variable: b },
    ]);
    const opt = new AdamW({ beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 }, layout);
    const theta = layout.read();
    const grads = [
      [0.1, -0.2, 0.3, 0.05, 1, -1],
      [0.2, 0.1, -0.3, 0.0, 0.5, 0.5],
      [-0.1, 0.4, 0.1, 0.2, -0.5, 0.25],
    ];
    for (const g of grads) opt.step(theta, Float32Array.from(g), 0.01);
    const ref = referenceAdamW([0.5, -1, 2, 0.25, 0.1, -0.2], grads, 0.01, [true, true, true, true, false, false]);
    theta.forEach((x, i) => expect(Math.abs(x - ref[i])).toBeLessThan(1e-6));
    w.dispose();
    b.dispose();
  });

  it('saves and restores its state exactly', () => {
    const p = tf.variable(tf.tensor2d([[1, 2]]));
    const layout = new ParameterLayout([{ name: 'p', variable: p }]);
    const cfg = { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0 };
    const a = new AdamW(cfg, layout);
    const thetaA = layout.read();
    a.step(thetaA, Float32Array.from([0.3, -0.1]), 0.1);
    const b = new AdamW(cfg, layout);
    b.restore(a.state());
    const thetaB = Float32Array.from(thetaA);
    a.step(thetaA, Float32Array.from([0.2, 0.2]), 0.1);
    b.step(thetaB, Float32Array.from([0.2, 0.2]), 0.1);
    expect(Array.from(thetaB)).toEqual(Array.from(thetaA));
    p.dispose();
  });
});

/** The update as it was written before the fused loop: divide, clip in place, then AdamW, each its own pass. */
function separatePasses(theta: Float32Array, m: Float32Array, v: Float32Array, grad: Float32Array, t: number, lr: number, count: number, clipNorm: number, decayMask: boolean[]) {
  const [b1, b2, eps, wd] = [0.9, 0.999, 1e-8, 0.1];
  const g = Float32Array.from(grad);
  for (let i = 0; i < g.length; i++) g[i] /= count;
  const norm = clipGradNorm(g, clipNorm);
  for (let i = 0; i < g.length; i++) {
    const decay = decayMask[i] ? 1 - lr * wd : 1;
    const mi = b1 * m[i] + (1 - b1) * g[i];
    const vi = b2 * v[i] + (1 - b2) * g[i] * g[i];
    m[i] = mi;
    v[i] = vi;
    theta[i] = theta[i] * decay - (lr * (mi / (1 - b1 ** t))) / (Math.sqrt(vi / (1 - b2 ** t)) + eps);
  }
  return norm;
}

describe('AdamW in the host store: one fused pass', () => {
  beforeAll(() => tf.setBackend('cpu'));

  it('is bit-identical to dividing, clipping and updating in separate passes, rows without gradient included', () => {
    // an "embedding" of 40 rows x 4 of which only some rows get a gradient each step, and a bias
    const table = tf.variable(tf.randomNormal([40, 4], 0, 0.02, 'float32', 1));
    const bias = tf.variable(tf.randomNormal([4], 0, 0.02, 'float32', 2));
    const layout = new ParameterLayout([
      { name: 'wte', variable: table },
      { name: 'b', variable: bias },
    ]);
    const store = new HostParameterStore(layout, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, clipNorm: 1 });
    const theta = Float32Array.from(store.theta);
    const m = new Float32Array(layout.size);
    const v = new Float32Array(layout.size);
    const decayMask = Array.from({ length: layout.size }, (_, i) => i < 160);
    let seed = 7;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296) * 2 - 1;
    for (let step = 1; step <= 6; step++) {
      const grad = new Float32Array(layout.size);
      // rows 0..9 reached on odd steps only, rows 30..39 never: both shortcut cases occur
      for (let i = 0; i < layout.size; i++) if ((i >= 160 || (i >= 40 && i < 120) || (i < 40 && step % 2 === 1))) grad[i] = rnd() * (step === 3 ? 50 : 0.5);
      const lr = 0.01 * step;
      const expectedNorm = separatePasses(theta, m, v, grad, step, lr, 3, 1, decayMask);
      const norm = store.update(Float32Array.from(grad), 3, lr);
      expect(norm).toBe(expectedNorm);
      expect(Array.from(store.theta)).toEqual(Array.from(theta));
      expect(Array.from(store.optimizer.m)).toEqual(Array.from(m));
      expect(Array.from(store.optimizer.v)).toEqual(Array.from(v));
    }
    expect(Array.from(layout.read())).toEqual(Array.from(theta)); // and written to the variables
    tf.dispose([table, bias]);
  });
});

describe('learningRate', () => {
  const cfg = { lr: 1, warmupSteps: 10, steps: 110, minLrRatio: 0.1 };
  it('warms up linearly, then decays by cosine to lr * minLrRatio', () => {
    expect(learningRate(cfg, 1)).toBeCloseTo(0.1);
    expect(learningRate(cfg, 10)).toBeCloseTo(1);
    expect(learningRate(cfg, 60)).toBeCloseTo(0.55);
    expect(learningRate(cfg, 110)).toBeCloseTo(0.1);
    for (let s = 11; s < 110; s++) expect(learningRate(cfg, s + 1)).toBeLessThanOrEqual(learningRate(cfg, s));
  });
});
