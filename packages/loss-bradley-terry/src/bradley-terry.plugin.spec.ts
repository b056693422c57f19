import * as tf from '@tensorflow/tfjs-core';
import { reducePairs, unitsInput, type UnitRewards } from '@rewardkit/loss-pairwise';
import { describeLossContract, useBackend } from '@rewardkit/testing';
import { bradleyTerry, BradleyTerryConfigSchema, bradleyTerryLoss } from './bradley-terry.plugin';

describeLossContract(bradleyTerry);
describeLossContract(bradleyTerry, { labelSmoothing: 0.1, centering: 0.01 });
describeLossContract(bradleyTerry, { strengthScale: 0.5, rankings: 'each' });

const logSig = (x: number) => -Math.log1p(Math.exp(-x));

/** The loss of pair records in float64, longhand: the reference. */
function reference(c: number[], r: number[], m: number[], eps: number, lambda: number): number {
  return c.reduce((acc, _, i) => {
    const d = c[i] - r[i] - m[i];
    return acc - (1 - eps) * logSig(d) - eps * logSig(-d) + lambda * (c[i] + r[i]) ** 2;
  }, 0);
}

/** Pair records (chosen first) as units. */
const pairs = (c: number[], r: number[], m: number[] = [], s: number[] = []): UnitRewards[] =>
  c.map((_, i) => ({ rewards: [c[i], r[i]], ranks: [0, 1], margin: m[i] ?? 0, strength: s[i] ?? 0 }));

describe('bradley-terry', () => {
  useBackend('wasm');
  const c = [1.5, -0.3, 0.2, 4];
  const r = [0.5, 0.7, 0.2, -3];
  const m = [0, 0.5, 0, 1];
  const lossOf = (config: unknown, units: UnitRewards[]) =>
    tf.tidy(() => {
      const out = bradleyTerryLoss(BradleyTerryConfigSchema.parse(config), unitsInput(units));
      return { value: out.lossSum.dataSync()[0], count: out.count };
    });

  it.each([
    [0, 0],
    [0.1, 0],
    [0, 0.05],
    [0.2, 0.01],
  ])('matches a float64 reference (smoothing %p, centering %p)', (eps, lambda) => {
    const out = lossOf({ labelSmoothing: eps, centering: lambda }, pairs(c, r, m));
    expect(out.value).toBeCloseTo(reference(c, r, m, eps, lambda), 5);
    expect(out.count).toBe(4);
  });

  it('is -log sigmoid(d): ln 2 per pair at equal rewards, and stays finite for large gaps', () => {
    expect(lossOf({}, pairs([0, 0], [0, 0])).value).toBeCloseTo(2 * Math.LN2, 6);
    expect(lossOf({}, pairs([-80], [80])).value).toBeCloseTo(160, 3);
    expect(lossOf({}, pairs([80], [-80])).value).toBeCloseTo(0, 6);
  });

  it('ignores margins when marginScale is 0', () => {
    expect(lossOf({ marginScale: 0 }, pairs(c, r, m)).value).toBeCloseTo(reference(c, r, [0, 0, 0, 0], 0, 0), 5);
  });

  describe('graded margins from annotated strengths', () => {
    const s = [3, 1, 0, 2];
    it('takes each strength margin from the table, added to the data margin (strength 0 = none)', () => {
      const table = { '1': 0.333, '2': 0.667, '3': 1 };
      const want = reference(c, r, [0 + 1, 0.5 + 0.333, 0, 1 + 0.667], 0, 0);
      expect(lossOf({ strengthMargins: table }, pairs(c, r, m, s)).value).toBeCloseTo(want, 5);
    });

    it('maps strength 0 too when the table says so', () => {
      const want = reference(c, r, [1, 0, 0.1, 0.5], 0, 0);
      expect(lossOf({ strengthMargins: { '0': 0.1, '1': 0, '2': 0.5, '3': 1 }, marginScale: 0 }, pairs(c, r, m, s)).value).toBeCloseTo(want, 5);
    });

    it('scales strengths linearly with strengthScale', () => {
      const want = reference(c, r, [0 + 0.75, 0.5 + 0.25, 0, 1 + 0.5], 0, 0);
      expect(lossOf({ strengthScale: 0.25 }, pairs(c, r, m, s)).value).toBeCloseTo(want, 5);
    });

    it('names a strength the table does not map', () => {
      expect(() => lossOf({ strengthMargins: { '1': 0, '2': 0.5 } }, pairs(c, r, m, s))).toThrow(
        /strength 3, which loss.config.strengthMargins does not map \(it maps 1, 2\)/,
      );
    });

    it('rejects a table and a scale together, and keys that are not numbers', () => {
      expect(BradleyTerryConfigSchema.safeParse({ strengthMargins: { '1': 0 }, strengthScale: 1 }).success).toBe(false);
      expect(BradleyTerryConfigSchema.safeParse({ strengthMargins: { strong: 1 } }).success).toBe(false);
      expect(BradleyTerryConfigSchema.safeParse({ strengthMargins: { '-1': 0, '0.5': 1 } }).success).toBe(true);
    });
  });

  describe('rankings (InstructGPT expansion)', () => {
    // a pair record and a 4-ranking (responses given worst-first) and a 3-ranking with a tie at the top
    const units: UnitRewards[] = [
      { rewards: [0.4, 0.9], ranks: [0, 1] },
      { rewards: [-1, 0.2, 1.3, 0.7], ranks: [3, 2, 0, 1] },
      { rewards: [0.5, 0.1, -0.4], ranks: [0, 0, 1] },
    ];
    /** -log sigmoid(r_better - r_worse) for every strict pair of a unit, in float64. */
    const unitLoss = (u: UnitRewards) => {
      let sum = 0;
      u.rewards.forEach((ri, i) =>
        u.rewards.forEach((rj, j) => {
          if (u.ranks[i] < u.ranks[j]) sum -= logSig(ri - rj);
        }),
      );
      return sum;
    };

    it("'weighted': each pair 1/C(K,2) of its unit, counted as units", () => {
      const out = lossOf({ rankings: 'weighted' }, units);
      expect(out.value).toBeCloseTo(unitLoss(units[0]) + unitLoss(units[1]) / 6 + unitLoss(units[2]) / 3, 5);
      expect(out.count).toBe(3);
    });

    it("'each': every strict pair once, counted as pairs; tied pairs add nothing (plain BT has no tie model)", () => {
      const out = lossOf({ rankings: 'each' }, units);
      expect(out.value).toBeCloseTo(unitLoss(units[0]) + unitLoss(units[1]) + unitLoss(units[2]), 5);
      expect(out.count).toBe(1 + 6 + 2);
    });

    it('weighs and counts as reducePairs with ties skipped (one rule in loss-pairwise), with and without ties in the shard', () => {
      for (const shard of [units, units.slice(0, 2)]) {
        for (const rankings of ['weighted', 'each'] as const) {
          const [got, want] = tf.tidy(() => {
            const input = unitsInput(shard);
            const out = bradleyTerryLoss(BradleyTerryConfigSchema.parse({ rankings }), input);
            const perPair = tf.neg(tf.logSigmoid(tf.sub(input.rChosen, input.rRejected))) as tf.Tensor1D;
            const ref = reducePairs(perPair, input, { rankings, ties: 'skip' });
            return [
              { value: out.lossSum.dataSync()[0], count: out.count },
              { value: ref.lossSum.dataSync()[0], count: ref.count },
            ];
          });
          expect(got.count).toBe(want.count);
          expect(got.value).toBeCloseTo(want.value as number, 5);
        }
      }
    });

    it('a tie-only record neither adds loss nor counts', () => {
      const tie: UnitRewards = { rewards: [3, -3], ranks: [0, 0] };
      for (const rankings of ['weighted', 'each']) {
        const out = lossOf({ rankings }, [units[0], tie]);
        expect(out.value).toBeCloseTo(unitLoss(units[0]), 6);
        expect(out.count).toBe(1);
      }
    });
  });

  it('rejects out-of-range options', () => {
    expect(BradleyTerryConfigSchema.safeParse({ labelSmoothing: 0.7 }).success).toBe(false);
    expect(BradleyTerryConfigSchema.safeParse({ centering: -1 }).success).toBe(false);
  });
});
