import * as tf from '@tensorflow/tfjs-core';
import { unitsInput, type UnitRewards } from '@rewardkit/loss-pairwise';
import { describeLossContract, useBackend } from '@rewardkit/testing';
import { hinge } from './hinge.plugin';

describeLossContract(hinge);
describeLossContract(hinge, { margin: 0.5, tieBand: 0.1, marginScale: 2, rankings: 'each' });

// a strict pair with a data margin, a tied pair outside the band, one inside it, a 3-ranking with a tie, a 4-ranking
const units: UnitRewards[] = [
  { rewards: [1.2, 0.4], ranks: [0, 1], margin: 0.3 },
  { rewards: [0.5, -0.7], ranks: [0, 0] },
  { rewards: [0.1, 0.3], ranks: [0, 0] },
  { rewards: [2, 0.1, -0.3], ranks: [0, 1, 1] },
  { rewards: [0.3, 1.1, -2, 0.8], ranks: [2, 0, 3, 1] },
];

/** Float64 reference, longhand over every pair (i < j) of every unit. */
function reference(cfg: { margin: number; marginScale: number; tieBand: number }, weighted: boolean): number {
  let total = 0;
  for (const u of units) {
    const k = u.rewards.length;
    const w = weighted ? 2 / (k * (k - 1)) : 1;
    for (let i = 0; i < k; i++) {
      for (let j = i + 1; j < k; j++) {
        const [ri, rj] = [u.rewards[i], u.rewards[j]];
        const need = cfg.margin + cfg.marginScale * (u.margin ?? 0);
        if (u.ranks[i] === u.ranks[j]) total += w * Math.max(0, Math.abs(ri - rj) - cfg.tieBand);
        else total += w * Math.max(0, need - (u.ranks[i] < u.ranks[j] ? ri - rj : rj - ri));
      }
    }
  }
  return total;
}

describe('hinge', () => {
  useBackend('wasm');
  const lossOf = (config: Record<string, unknown>, us: UnitRewards[] = units) =>
    tf.tidy(() => {
      const out = hinge.create(hinge.configSchema.parse(config), undefined)(unitsInput(us));
      return { value: out.lossSum.dataSync()[0], count: out.count };
    });

  it.each([
    [{}, true],
    [{ margin: 0.2, tieBand: 0.25, marginScale: 0, rankings: 'each' }, false],
    [{ margin: 2, tieBand: 0 }, true],
  ])('matches the float64 reference (%p)', (config, weighted) => {
    const cfg = hinge.configSchema.parse(config);
    const out = lossOf(config);
    expect(out.value).toBeCloseTo(reference(cfg, weighted), 5);
    expect(out.count).toBe(weighted ? 5 : 1 + 1 + 1 + 3 + 6);
  });

  it('is zero once every strict gap clears the margin and every tie sits within the band', () => {
    expect(lossOf({ margin: 1, tieBand: 0.5 }, [{ rewards: [3.5, 1.9, 2.3, 0], ranks: [0, 1, 1, 2] }]).value).toBe(0);
    expect(lossOf({ margin: 1, tieBand: 0.5 }, [{ rewards: [3.5, 1.9, 2.5, 0], ranks: [0, 1, 1, 2] }]).value).toBeGreaterThan(0);
  });

  it('pulls a tie together from either side and pushes a strict pair apart', () => {
    const grads = tf.tidy(() => {
      const r = tf.tensor1d([1, -1, 0, 0.2]);
      const us: UnitRewards[] = [
        { rewards: [1, -1], ranks: [0, 0] },
        { rewards: [0, 0.2], ranks: [0, 1] },
      ];
      return Array.from(tf.grad((x: tf.Tensor) => hinge.create(hinge.configSchema.parse({}), undefined)(unitsInput(us, x as tf.Tensor1D)).lossSum)(r).dataSync());
    });
    expect(grads).toEqual([1, -1, -1, 1]); // descent lowers the tie's higher reward and lifts the winner
  });
});
