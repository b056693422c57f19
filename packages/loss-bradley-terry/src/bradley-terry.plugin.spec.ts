import * as tf from '@tensorflow/tfjs-core';
import { describeLossContract, useBackend } from '@rewardkit/testing';
import { bradleyTerry, BradleyTerryConfigSchema, bradleyTerryLoss } from './bradley-terry.plugin';

describeLossContract(bradleyTerry);
describeLossContract(bradleyTerry, { labelSmoothing: 0.1, centering: 0.01 });

/** The loss in float64, longhand: the reference. */
function reference(c: number[], r: number[], m: number[], eps: number, lambda: number): number {
  const logSig = (x: number) => -Math.log1p(Math.exp(-x));
  return c.reduce((acc, _, i) => {
    const d = c[i] - r[i] - m[i];
    return acc - (1 - eps) * logSig(d) - eps * logSig(-d) + lambda * (c[i] + r[i]) ** 2;
  }, 0);
}

describe('bradley-terry', () => {
  useBackend('wasm');
  const c = [1.5, -0.3, 0.2, 4];
  const r = [0.5, 0.7, 0.2, -3];
  const m = [0, 0.5, 0, 1];

  it.each([
    [0, 0],
    [0.1, 0],
    [0, 0.05],
    [0.2, 0.01],
  ])('matches a float64 reference (smoothing %p, centering %p)', (eps, lambda) => {
    const cfg = BradleyTerryConfigSchema.parse({ labelSmoothing: eps, centering: lambda });
    const value = tf.tidy(() =>
      bradleyTerryLoss(cfg, { rChosen: tf.tensor1d(c), rRejected: tf.tensor1d(r), margins: tf.tensor1d(m) }).lossSum.dataSync()[0],
    );
    expect(value).toBeCloseTo(reference(c, r, m, eps, lambda), 5);
  });

  it('is -log sigmoid(d): ln 2 per pair at equal rewards, and stays finite for large gaps', () => {
    const cfg = BradleyTerryConfigSchema.parse({});
    const at = (a: number[], b: number[]) =>
      tf.tidy(() => bradleyTerryLoss(cfg, { rChosen: tf.tensor1d(a), rRejected: tf.tensor1d(b), margins: tf.zeros([a.length]) }).lossSum.dataSync()[0]);
    expect(at([0, 0], [0, 0])).toBeCloseTo(2 * Math.LN2, 6);
    expect(at([-80], [80])).toBeCloseTo(160, 3);
    expect(at([80], [-80])).toBeCloseTo(0, 6);
  });

  it('ignores margins when marginScale is 0', () => {
    const cfg = BradleyTerryConfigSchema.parse({ marginScale: 0 });
    const value = tf.tidy(() =>
      bradleyTerryLoss(cfg, { rChosen: tf.tensor1d(c), rRejected: tf.tensor1d(r), margins: tf.tensor1d(m) }).lossSum.dataSync()[0],
    );
    expect(value).toBeCloseTo(reference(c, r, [0, 0, 0, 0], 0, 0), 5);
  });

  it('rejects out-of-range options', () => {
    expect(BradleyTerryConfigSchema.safeParse({ labelSmoothing: 0.7 }).success).toBe(false);
    expect(BradleyTerryConfigSchema.safeParse({ centering: -1 }).success).toBe(false);
  });
});
