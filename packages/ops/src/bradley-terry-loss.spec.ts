import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@rewardkit/testing';
import { bradleyTerryLossSum } from './bradley-terry-loss';

useBackend('cpu');

const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

/** float64: sum_i w_i [(1 - eps) softplus(-d_i) + eps softplus(d_i)], d = c - r - m. */
function reference(c: number[], r: number[], m: number[] | undefined, w: number[] | undefined, eps: number): number {
  return c.reduce((acc, _, i) => {
    const d = c[i] - r[i] - (m ? m[i] : 0);
    return acc + (w ? w[i] : 1) * ((1 - eps) * softplus(-d) + eps * softplus(d));
  }, 0);
}

const c = [1.5, -0.3, 0.2, 4, -25, 30];
const r = [0.5, 0.7, 0.2, -3, 10, -12];
const m = [0, 0.5, 0, 1, 0.25, 0];
const w = [1, 0.5, 0, 1 / 3, 2, 1];

describe('bradleyTerryLossSum (reference path)', () => {
  it.each([
    ['plain', undefined, undefined, 0],
    ['margins', m, undefined, 0],
    ['weights', undefined, w, 0],
    ['all, smoothing 0.1', m, w, 0.1],
    ['all, smoothing 0.5', m, w, 0.5],
  ] as const)('matches float64 (%s), with finite-difference gradients for both rewards', async (_, margins, weights, eps) => {
    const before = tf.memory().numTensors;
    const mt = margins ? tf.tensor1d([...margins]) : undefined;
    const wt = weights ? tf.tensor1d([...weights]) : undefined;
    const f = (a: tf.Tensor1D, b: tf.Tensor1D) => bradleyTerryLossSum(a, b, { margins: mt, weights: wt, labelSmoothing: eps });
    const [ct, rt] = [tf.tensor1d(c), tf.tensor1d(r)];
    const value = f(ct, rt);
    const [gc, gr] = tf.grads((a: tf.Tensor, b: tf.Tensor) => f(a as tf.Tensor1D, b as tf.Tensor1D))([ct, rt]);
    const [v, dc, dr] = await Promise.all([value.data(), gc.data(), gr.data()]);
    tf.dispose([value, gc, gr, ct, rt, mt, wt].filter((t): t is tf.Tensor => t !== undefined));
    expect(tf.memory().numTensors).toBe(before);
    const ms = margins ? [...margins] : undefined;
    const ws = weights ? [...weights] : undefined;
    expect(v[0]).toBeCloseTo(reference(c, r, ms, ws, eps), 4);
    const h = 1e-5;
    for (let i = 0; i < c.length; i++) {
      const up = [...c];
      const down = [...c];
      up[i] += h;
      down[i] -= h;
      const fd = (reference(up, r, ms, ws, eps) - reference(down, r, ms, ws, eps)) / (2 * h);
      expect(dc[i]).toBeCloseTo(fd, 5);
      expect(dr[i]).toBeCloseTo(-fd, 5);
    }
  });

  it('is ln 2 per pair at equal rewards and stays finite for large gaps', async () => {
    const value = (a: number[], b: number[]) => tf.tidy(() => bradleyTerryLossSum(tf.tensor1d(a), tf.tensor1d(b)).dataSync()[0]);
    expect(value([0, 0], [0, 0])).toBeCloseTo(2 * Math.LN2, 6);
    expect(value([-80], [80])).toBeCloseTo(160, 3);
    expect(value([80], [-80])).toBeCloseTo(0, 6);
  });

  it('refuses mismatched shapes and smoothing outside [0, 0.5]', () => {
    const [a, b, short] = [tf.zeros([3]) as tf.Tensor1D, tf.zeros([3]) as tf.Tensor1D, tf.zeros([2]) as tf.Tensor1D];
    expect(() => bradleyTerryLossSum(a, b, { margins: short })).toThrow(/margins has shape \[2\], expected \[3\]/);
    expect(() => bradleyTerryLossSum(a, b, { labelSmoothing: 0.6 })).toThrow(/labelSmoothing must lie in \[0, 0.5\], got 0.6/);
    tf.dispose([a, b, short]);
  });
});
