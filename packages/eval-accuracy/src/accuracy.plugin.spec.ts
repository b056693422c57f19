import { Rng, type PreferencePair } from '@rewardkit/core';
import { describeEvalContract } from '@rewardkit/testing';
import { accuracy, AccuracyConfigSchema, evaluateAccuracy } from './accuracy.plugin';

describeEvalContract(accuracy);

const pairs = (n: number, ties: number[] = []): PreferencePair[] =>
  Array.from({ length: n }, (_, i) => ({ id: `p${i}`, prompt: '', chosen: 'a', rejected: 'b', ...(ties.includes(i) ? { tie: true } : {}) }));

describe('accuracy', () => {
  const cfg = AccuracyConfigSchema.parse({});

  it('counts wins, model ties as one half, and the tie rate', () => {
    const chosen = Float64Array.from([2, 1, 0, 5]);
    const rejected = Float64Array.from([1, 1, 3, 1]);
    const r = evaluateAccuracy(cfg, { chosen, rejected, pairs: pairs(4) });
    expect(r).toMatchObject({ accuracy: (1 + 0.5 + 0 + 1) / 4, ties: 1, tie_rate: 0.25, n: 4, data_ties: 0 });
  });

  it('treats gaps within the tie tolerance as ties', () => {
    const r = evaluateAccuracy(AccuracyConfigSchema.parse({ tieTolerance: 0.1 }), {
      chosen: Float64Array.from([1.05]),
      rejected: Float64Array.from([1]),
      pairs: pairs(1),
    });
    expect(r).toMatchObject({ ties: 1, accuracy: 0.5 });
  });

  it('leaves out pairs the data marks as ties: they have no winner', () => {
    const r = evaluateAccuracy(cfg, { chosen: Float64Array.from([1, 0, 1]), rejected: Float64Array.from([0, 1, 0]), pairs: pairs(3, [1]) });
    expect(r).toMatchObject({ accuracy: 1, n: 2, data_ties: 1 });
  });

  it('gives a seeded interval around the accuracy', () => {
    const rng = new Rng(3);
    const rand = () => rng.nextFloat();
    const chosen = Float64Array.from({ length: 300 }, () => rand());
    const rejected = Float64Array.from({ length: 300 }, () => rand());
    const a = evaluateAccuracy(cfg, { chosen, rejected, pairs: pairs(300) });
    const [lo, hi] = a.accuracy_ci as number[];
    expect(lo).toBeLessThan(a.accuracy as number);
    expect(hi).toBeGreaterThan(a.accuracy as number);
    // about +-1.96 sqrt(0.25 / 300) = +-0.057 around one half
    expect(hi - lo).toBeGreaterThan(0.09);
    expect(hi - lo).toBeLessThan(0.135);
    expect(evaluateAccuracy(cfg, { chosen, rejected, pairs: pairs(300) }).accuracy_ci).toEqual([lo, hi]);
  });

  it('covers the true accuracy about 95% of the time over many simulated evaluation sets', () => {
    // a model that ranks each pair right with probability 0.7: 300 simulated held-out sets of 200 pairs
    const truth = 0.7;
    const sets = 300;
    let covered = 0;
    const fast = AccuracyConfigSchema.parse({ bootstrap: { resamples: 400 } });
    for (let s = 0; s < sets; s++) {
      const rng = new Rng(1000 + s);
      const rand = () => rng.nextFloat();
      const chosen = Float64Array.from({ length: 200 }, () => (rand() < truth ? 1 : -1));
      const r = evaluateAccuracy({ ...fast, bootstrap: { ...fast.bootstrap, seed: s } }, { chosen, rejected: new Float64Array(200), pairs: pairs(200) });
      const [lo, hi] = r.accuracy_ci as number[];
      if (lo <= truth && truth <= hi) covered++;
    }
    // binomial noise over 300 sets: sd ~1.3 points around 0.95 (the percentile bootstrap runs a little under)
    expect(covered / sets).toBeGreaterThan(0.91);
    expect(covered / sets).toBeLessThan(0.985);
  });
});
