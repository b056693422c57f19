import * as tf from '@tensorflow/tfjs-core';
import { lossInput } from '@rewardkit/core';
import { describeLossContract, expectNoTensorLeak, useBackend } from '@rewardkit/testing';
import { plackettLuce } from './plackett-luce.plugin';

describeLossContract(plackettLuce);
describeLossContract(plackettLuce, { temperature: 0.5 });

interface Unit {
  readonly rewards: number[];
  readonly ranks: number[];
}

/** Float64 reference: the textbook Plackett-Luce likelihood, ties placed together (Breslow). */
function reference(units: readonly Unit[], temperature = 1): number {
  let total = 0;
  for (const { rewards, ranks } of units) {
    const r = rewards.map((x) => x / temperature);
    for (const rank of [...new Set(ranks)].sort((a, b) => a - b)) {
      const placed = r.filter((_, i) => ranks[i] === rank);
      const risk = r.filter((_, i) => ranks[i] >= rank);
      const max = Math.max(...risk);
      const lse = max + Math.log(risk.reduce((s, x) => s + Math.exp(x - max), 0));
      total -= placed.reduce((s, x) => s + x, 0) - placed.length * lse;
    }
  }
  return total;
}

function run(units: readonly Unit[], config: Record<string, unknown> = {}) {
  const offsets = Int32Array.from([0, ...units.map((_, i) => units.slice(0, i + 1).reduce((n, u) => n + u.ranks.length, 0))]);
  const shard = {
    offsets,
    ranks: Int32Array.from(units.flatMap((u) => u.ranks)),
    margins: new Float32Array(units.length),
    strengths: new Float32Array(units.length),
  };
  const loss = plackettLuce.create(plackettLuce.configSchema.parse(config), undefined);
  return tf.tidy(() => {
    const out = loss(lossInput(tf.tensor1d(units.flatMap((u) => u.rewards)), shard));
    return { value: out.lossSum.dataSync()[0], count: out.count };
  });
}

describe('plackett-luce', () => {
  useBackend('wasm');
  const units: Unit[] = [
    { rewards: [0.3, 1.1, -2, 0.8], ranks: [2, 0, 3, 1] },
    { rewards: [2, 0.1, -0.3], ranks: [0, 1, 1] },
    { rewards: [1.2, 0.4], ranks: [0, 1] },
    { rewards: [0.5, -0.7], ranks: [0, 0] },
    { rewards: [4, -3, 2, 1, 0, 5, -1, 3, 2.5], ranks: [1, 8, 3, 4, 5, 0, 7, 2, 2] },
  ];

  it.each([1, 0.5, 3])('matches the float64 reference at temperature %p, counting units', (temperature) => {
    const out = run(units, { temperature });
    expect(out.count).toBe(units.length);
    expect(out.value).toBeCloseTo(reference(units, temperature), 4);
  });

  it('is exactly Bradley-Terry on a pair: softplus(r_l - r_w)', () => {
    expect(run([{ rewards: [0.2, 1.5], ranks: [0, 1] }]).value).toBeCloseTo(Math.log1p(Math.exp(1.5 - 0.2)), 5);
  });

  it('a tie is smallest when its rewards are equal (2 log 2), not when they are ordered', () => {
    expect(run([{ rewards: [0.7, 0.7], ranks: [0, 0] }]).value).toBeCloseTo(2 * Math.log(2), 5);
    expect(run([{ rewards: [3, 0.7], ranks: [0, 0] }]).value).toBeGreaterThan(2 * Math.log(2) + 0.5);
  });

  it('a 64-response ranking matches the reference and leaks nothing', async () => {
    const big: Unit = { rewards: Array.from({ length: 64 }, (_, i) => Math.sin(i) * 10), ranks: Array.from({ length: 64 }, (_, i) => 63 - i) };
    const out = await expectNoTensorLeak(() => run([big]));
    expect(out.value).toBeCloseTo(reference([big]), 1);
  });
});
