import type { PreferencePair } from '@rewardkit/core';
import { describeEvalContract } from '@rewardkit/testing';
import { accuracy, AccuracyConfigSchema, evaluateAccuracy } from './accuracy.plugin';

describeEvalContract(accuracy);

const pairs = (cats: (string | undefined)[]): PreferencePair[] =>
  cats.map((category, i) => ({ id: `p${i}`, prompt: '', chosen: 'a', rejected: 'b', category }));

describe('accuracy', () => {
  const cfg = AccuracyConfigSchema.parse({});

  it('counts wins, ties as one half, and reports margins and reward statistics', () => {
    const chosen = Float64Array.from([2, 1, 0, 5]);
    const rejected = Float64Array.from([1, 1, 3, 1]);
    const r = evaluateAccuracy(cfg, { chosen, rejected, pairs: pairs([undefined, undefined, undefined, undefined]) });
    expect(r.accuracy).toBeCloseTo((1 + 0.5 + 0 + 1) / 4);
    expect(r.ties).toBe(1);
    expect(r.n).toBe(4);
    expect(r.mean_margin).toBeCloseTo((1 + 0 - 3 + 4) / 4);
    const all = [2, 1, 0, 5, 1, 1, 3, 1];
    const mean = all.reduce((a, b) => a + b) / 8;
    expect(r.reward_mean).toBeCloseTo(mean);
    expect(r.reward_std).toBeCloseTo(Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / 8));
    expect(r.chosen_mean).toBeCloseTo(2);
    expect(r.rejected_mean).toBeCloseTo(1.5);
  });

  it('treats gaps within the tie tolerance as ties', () => {
    const r = evaluateAccuracy(AccuracyConfigSchema.parse({ tieTolerance: 0.1 }), {
      chosen: Float64Array.from([1.05]),
      rejected: Float64Array.from([1]),
      pairs: pairs([undefined]),
    });
    expect(r.ties).toBe(1);
    expect(r.accuracy).toBe(0.5);
  });

  it('breaks accuracy down by category when there are several', () => {
    const r = evaluateAccuracy(cfg, {
      chosen: Float64Array.from([1, 1, 0]),
      rejected: Float64Array.from([0, 0, 1]),
      pairs: pairs(['harmless', 'helpful', 'helpful']),
    });
    expect(r.by_category).toEqual({ harmless: { n: 1, accuracy: 1 }, helpful: { n: 2, accuracy: 0.5 } });
  });
});
