import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { AdamW } from './adamw';
import { learningRate } from './lr-schedule';
import { ParameterLayout } from './parameter-layout';

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
