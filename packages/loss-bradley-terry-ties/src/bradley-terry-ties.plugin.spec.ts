import * as tf from '@tensorflow/tfjs-core';
import { unitsInput, type UnitRewards } from '@rewardkit/loss-pairwise';
import { describeLossContract, useBackend } from '@rewardkit/testing';
import { bradleyTerryTies } from './bradley-terry-ties.plugin';

describeLossContract(bradleyTerryTies);
describeLossContract(bradleyTerryTies, { model: 'rao-kupper', tie: 1.5, marginScale: 0.5 });
describeLossContract(bradleyTerryTies, { model: 'davidson', learnTie: true, rankings: 'each' });

/**
 * The models' probabilities in float64, written from the strengths pi = e^r as the papers do
 * (not from the loss's logsumexp/softplus forms): P(a beats b) and P(tie).
 */
const davidson = (a: number, b: number, nu: number) => {
  const [pa, pb] = [Math.exp(a), Math.exp(b)];
  const z = pa + pb + nu * Math.sqrt(pa * pb);
  return { win: pa / z, tie: (nu * Math.sqrt(pa * pb)) / z };
};
const raoKupper = (a: number, b: number, theta: number) => {
  const [pa, pb] = [Math.exp(a), Math.exp(b)];
  return { win: pa / (pa + theta * pb), tie: ((theta * theta - 1) * pa * pb) / ((pa + theta * pb) * (theta * pa + pb)) };
};

// a strict pair with a margin, a tied pair, a 3-ranking [best, tie, tie], a 4-ranking
const units: UnitRewards[] = [
  { rewards: [1.2, 0.4], ranks: [0, 1], margin: 0.3 },
  { rewards: [0.5, -0.7], ranks: [0, 0] },
  { rewards: [2, 0.1, -0.3], ranks: [0, 1, 1] },
  { rewards: [0.3, 1.1, -2, 0.8], ranks: [2, 0, 3, 1] },
];

/** Float64 reference: -sum over units of w * log P(outcome) for every pair (i < j) of each unit. */
function reference(p: (a: number, b: number) => { win: number; tie: number }, weighted: boolean, marginScale: number): number {
  let total = 0;
  for (const u of units) {
    const k = u.rewards.length;
    const w = weighted ? 2 / (k * (k - 1)) : 1;
    for (let i = 0; i < k; i++) {
      for (let j = i + 1; j < k; j++) {
        const [ri, rj] = [u.rewards[i], u.rewards[j]];
        const shift = marginScale * (u.margin ?? 0);
        if (u.ranks[i] === u.ranks[j]) total -= w * Math.log(p(ri, rj).tie);
        else if (u.ranks[i] < u.ranks[j]) total -= w * Math.log(p(ri - shift, rj).win);
        else total -= w * Math.log(p(rj - shift, ri).win);
      }
    }
  }
  return total;
}

describe('bradley-terry-ties', () => {
  useBackend('wasm');
  const lossOf = (config: unknown, rewards?: UnitRewards[]) =>
    tf.tidy(() => {
      const fn = bradleyTerryTies.create(bradleyTerryTies.configSchema.parse(config), undefined);
      const out = fn(unitsInput(rewards ?? units));
      return { value: out.lossSum.dataSync()[0], count: out.count };
    });

  it.each([
    ['davidson', 1, 'weighted', 1],
    ['davidson', 0.4, 'each', 0],
    ['rao-kupper', 2, 'weighted', 0],
    ['rao-kupper', 1.3, 'each', 1],
  ] as const)('%s (tie parameter %p, %s, marginScale %p) matches the float64 reference', (model, tie, rankings, marginScale) => {
    const p = model === 'davidson' ? (a: number, b: number) => davidson(a, b, tie) : (a: number, b: number) => raoKupper(a, b, tie);
    const out = lossOf({ model, tie, rankings, marginScale });
    expect(out.value).toBeCloseTo(reference(p, rankings === 'weighted', marginScale), 4);
    expect(out.count).toBe(rankings === 'weighted' ? 4 : 1 + 1 + 3 + 6);
  });

  it.each(['davidson', 'rao-kupper'] as const)('%s: win, loss and tie probabilities sum to 1, and a tie is likeliest at equal rewards', (model) => {
    const prob = (a: number, b: number, ranks: number[]) => Math.exp(-lossOf({ model }, [{ rewards: [a, b], ranks }]).value);
    for (const d of [-3, -0.5, 0, 0.2, 4]) {
      expect(prob(d, 0, [0, 1]) + prob(d, 0, [1, 0]) + prob(d, 0, [0, 0])).toBeCloseTo(1, 5);
      expect(prob(d, 0, [0, 0])).toBeLessThanOrEqual(prob(0, 0, [0, 0]) + 1e-7);
    }
    expect(prob(0, 0, [0, 0])).toBeCloseTo(1 / 3, 5); // the defaults: a third each at equal rewards
  });

  it('stays finite for large reward gaps', () => {
    for (const model of ['davidson', 'rao-kupper']) {
      const out = lossOf({ model }, [
        { rewards: [80, -80], ranks: [0, 0] },
        { rewards: [-80, 80], ranks: [0, 1] },
      ]);
      expect(Number.isFinite(out.value)).toBe(true);
      expect(out.value).toBeGreaterThan(150);
    }
  });

  it.each(['davidson', 'rao-kupper'] as const)('%s: a learned tie parameter is exposed and its gradient matches the float64 reference', (model) => {
    const fn = bradleyTerryTies.create(bradleyTerryTies.configSchema.parse({ model, learnTie: true, tie: 1.7 }), undefined);
    expect(fn.parameters?.map((p) => p.name)).toEqual([model === 'davidson' ? 'loss.davidson.log_nu' : 'loss.rao_kupper.theta_raw']);
    const variable = fn.parameters![0].variable;
    const { value, grad } = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => fn(unitsInput(units)).lossSum, [variable]);
      return { value: value.dataSync()[0], grad: grads[variable.name].dataSync()[0] };
    });
    // the tie parameter as a function of the variable rho: nu = e^rho, theta = e^softplus(rho)
    const rho = variable.dataSync()[0];
    const tieAt = (x: number) => (model === 'davidson' ? Math.exp(x) : Math.exp(Math.log1p(Math.exp(x))));
    const ref = (x: number) =>
      reference(model === 'davidson' ? (a, b) => davidson(a, b, tieAt(x)) : (a, b) => raoKupper(a, b, tieAt(x)), true, 1);
    expect(tieAt(rho)).toBeCloseTo(1.7, 5); // starts at the configured value
    expect(value).toBeCloseTo(ref(rho), 4);
    const h = 1e-5;
    expect(grad).toBeCloseTo((ref(rho + h) - ref(rho - h)) / (2 * h), 4);
    variable.dispose();
  });

  it.each([
    ['davidson', (f: number) => (2 * f) / (1 - f), (rho: number) => Math.exp(rho)], // P(tie | d = 0) = nu / (2 + nu)
    ['rao-kupper', (f: number) => (1 + f) / (1 - f), (rho: number) => Math.exp(Math.log1p(Math.exp(rho)))], // (theta - 1) / (theta + 1)
  ] as const)('%s: learning the tie parameter alone recovers the maximum-likelihood value for the tie share', (model, mle, tieOf) => {
    // 10 units at equal rewards, 3 of them annotated ties: the MLE makes P(tie | d = 0) = 0.3
    const units: UnitRewards[] = Array.from({ length: 10 }, (_, i) => ({ rewards: [0, 0], ranks: i < 3 ? [0, 0] : [0, 1] }));
    const fn = bradleyTerryTies.create(bradleyTerryTies.configSchema.parse({ model, learnTie: true }), undefined);
    const variable = fn.parameters![0].variable;
    const opt = tf.train.adam(0.1);
    for (let step = 0; step < 150; step++) {
      tf.tidy(() => void opt.minimize(() => fn(unitsInput(units)).lossSum, false, [variable]));
    }
    expect(tieOf(variable.dataSync()[0])).toBeCloseTo(mle(0.3), 2);
    opt.dispose();
    variable.dispose();
  });

  it('rejects a Rao-Kupper theta of 1 or less and a non-positive nu', () => {
    const parse = (c: unknown) => bradleyTerryTies.configSchema.safeParse(c).success;
    expect(parse({ model: 'rao-kupper', tie: 1 })).toBe(false);
    expect(parse({ model: 'rao-kupper', tie: 1.01 })).toBe(true);
    expect(parse({ model: 'davidson', tie: 0 })).toBe(false);
    expect(parse({ model: 'davidson', tie: 0.5 })).toBe(true);
  });
});
