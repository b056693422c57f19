import type { PreferencePair } from '@rewardkit/core';
import { bootstrapMeanCi, BootstrapConfigSchema } from './bootstrap';
import { bucketAccuracy, quantileEdges } from './buckets';
import { decidedPairs, isDataTie, pairOutcome } from './outcome';

describe('bootstrapMeanCi', () => {
  const cfg = BootstrapConfigSchema.parse({});

  it('is a point for constant scores and [0, 0] for none', () => {
    expect(bootstrapMeanCi([1, 1, 1], cfg)).toEqual([1, 1]);
    expect(bootstrapMeanCi([], cfg)).toEqual([0, 0]);
  });

  it('is seeded', () => {
    const v = Array.from({ length: 50 }, (_, i) => i % 3 === 0 ? 0 : 1);
    expect(bootstrapMeanCi(v, cfg)).toEqual(bootstrapMeanCi(v, cfg));
    expect(bootstrapMeanCi(v, cfg)).not.toEqual(bootstrapMeanCi(v, { ...cfg, seed: 1 }));
  });

  it('matches the normal interval p +- 1.96 sqrt(p(1-p)/n) on a large set', () => {
    // 555 pairs at 0.65 (the HH test split's size): about +-4 points, as the issue says
    const n = 555;
    const v: number[] = Array.from({ length: n }, (_, i) => (i < 0.65 * n ? 1 : 0));
    const p = v.reduce((a, b) => a + b, 0) / n;
    const half = 1.96 * Math.sqrt((p * (1 - p)) / n);
    const [lo, hi] = bootstrapMeanCi(v, { ...cfg, resamples: 2000 });
    expect(Math.abs(lo - (p - half))).toBeLessThan(0.006);
    expect(Math.abs(hi - (p + half))).toBeLessThan(0.006);
  });
});

describe('pair outcomes', () => {
  it('scores 1, 0.5 within the tolerance, 0', () => {
    expect([pairOutcome(2, 1), pairOutcome(1, 1), pairOutcome(0, 1), pairOutcome(1.05, 1, 0.1)]).toEqual([1, 0.5, 0, 0.5]);
  });

  it('leaves out pairs the data marks as ties', () => {
    const pairs = [{ id: 'a' }, { id: 'b', tie: true }, { id: 'c', tie: false }] as unknown as PreferencePair[];
    expect(pairs.map(isDataTie)).toEqual([false, true, false]);
    expect(decidedPairs({ chosen: new Float64Array(3), rejected: new Float64Array(3), pairs })).toEqual([0, 2]);
  });
});

describe('buckets', () => {
  it('puts edges at quantiles, merging repeats', () => {
    expect(quantileEdges([5, 1, 3, 2, 4], 4)).toEqual([1, 2, 3, 4, 5]);
    expect(quantileEdges([0, 0, 0, 0, 1], 4)).toEqual([0, 1]);
    expect(quantileEdges([2, 2], 3)).toEqual([2]);
    expect(quantileEdges([], 3)).toEqual([]);
  });

  it('counts accuracy per bucket, the last one closed, empty ones dropped', () => {
    const keys = [0, 0.5, 1, 2, 3, 3, 10];
    const outcomes = [1, 0, 1, 1, 0.5, 1, 0];
    expect(bucketAccuracy(keys, outcomes, [0, 1, 2, 3])).toEqual([
      { lo: 0, hi: 1, n: 2, accuracy: 0.5 },
      { lo: 1, hi: 2, n: 1, accuracy: 1 },
      { lo: 2, hi: 3, n: 3, accuracy: 2.5 / 3 },
    ]);
    expect(bucketAccuracy([4, 4], [1, 0], [4])).toEqual([{ lo: 4, hi: 4, n: 2, accuracy: 0.5 }]);
    expect(bucketAccuracy(keys, outcomes, [5, 6, 7])).toEqual([]);
  });
});
