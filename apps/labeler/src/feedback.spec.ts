import { binaryFeedback, parseBinaryThreshold, statistic } from './binary-feedback';
import type { PromptGroup } from './group-samples';
import { pairFeedback } from './pair-feedback';

// hand-made rewards: outputs are named after their reward so the expected pairs read directly
const group = (id: string, rewards: number[]): PromptGroup => ({ promptId: id, prompt: `P${id}`, outputs: rewards.map((r) => `r=${r}`), rewards });
const groups = [group('a', [0.1, 0.9, 0.5, 0.45]), group('b', [2, 2.05]), group('c', [7]), group('d', [1, 1])];

describe('pairwise feedback', () => {
  it('max: best vs worst per prompt, ties and gaps not above the threshold dropped, single samples counted', () => {
    const r = pairFeedback(groups, 'max', 0.1, 1);
    expect(r.records.map((p) => [p.prompt_id, p.chosen, p.rejected])).toEqual([['a', 'r=0.9', 'r=0.1']]);
    expect(r.records[0]).toEqual(expect.objectContaining({ prompt: 'Pa', chosen_reward: 0.9, rejected_reward: 0.1 }));
    expect(r.records[0].reward_gap).toBeCloseTo(0.8, 12);
    expect(r.droppedByThreshold).toBe(2); // b (gap 0.05) and d (tie)
    expect(r.singlePrompts).toBe(1);
    expect(r.gaps.map((g) => +g.toFixed(6))).toEqual([0.8, 0.05, 0]);
  });

  it('min: the closest pair whose gap passes the threshold', () => {
    const r = pairFeedback(groups, 'min', 0.04, 1);
    // a: closest above 0.04 is 0.5 vs 0.45 (0.05); b: 2.05 vs 2 (0.05); d: tie dropped
    expect(r.records.map((p) => [p.prompt_id, p.chosen, p.rejected])).toEqual([
      ['a', 'r=0.5', 'r=0.45'],
      ['b', 'r=2.05', 'r=2'],
    ]);
    expect(pairFeedback(groups, 'min', 0.06, 1).records.map((p) => [p.chosen, p.rejected])).toEqual([['r=0.45', 'r=0.1']]);
  });

  it('random: shuffled neighbours, reproducible with the seed, chosen always the higher reward', () => {
    const many = [group('m', [0, 1, 2, 3, 4, 5, 6, 7])];
    const a = pairFeedback(many, 'random', 0, 3);
    expect(a.records).toHaveLength(4);
    expect(new Set(a.records.flatMap((p) => [p.chosen, p.rejected])).size).toBe(8); // disjoint neighbours
    for (const p of a.records) expect(p.chosen_reward).toBeGreaterThan(p.rejected_reward);
    expect(pairFeedback(many, 'random', 0, 3)).toEqual(a);
    const seeds = Array.from({ length: 6 }, (_, s) => JSON.stringify(pairFeedback(many, 'random', 0, s).records.map((p) => p.chosen)));
    expect(new Set(seeds).size).toBeGreaterThan(1);
  });

  it('randomises the A/B order with the seed, and the label names the winner', () => {
    const many = Array.from({ length: 40 }, (_, i) => group(`g${i}`, [i, i + 1]));
    const r = pairFeedback(many, 'max', 0, 7);
    for (const p of r.records) expect(p.label === 'a' ? p.response_a : p.response_b).toBe(p.chosen);
    const aWins = r.records.filter((p) => p.label === 'a').length;
    expect(aWins).toBeGreaterThan(8);
    expect(aWins).toBeLessThan(32);
    expect(pairFeedback(many, 'max', 0, 8).records.map((p) => p.label)).not.toEqual(r.records.map((p) => p.label));
  });
});

describe('binary feedback', () => {
  it('a number: desirable strictly above it, single-sample prompts kept', () => {
    const r = binaryFeedback(groups, 1, 'global');
    expect(r.records.map((e) => [e.completion, e.label])).toEqual([
      ['r=0.1', false], ['r=0.9', false], ['r=0.5', false], ['r=0.45', false],
      ['r=2', true], ['r=2.05', true], ['r=7', true], ['r=1', false], ['r=1', false],
    ]);
    expect(r.desirable).toBe(3);
    expect(r.singlePrompts).toBe(1);
  });

  it('global mean and median', () => {
    const all = [0.1, 0.9, 0.5, 0.45, 2, 2.05, 7, 1, 1];
    expect(binaryFeedback(groups, 'mean', 'global').threshold).toBeCloseTo(all.reduce((a, b) => a + b) / 9, 12);
    const med = binaryFeedback(groups, 'median', 'global');
    expect(med.threshold).toBe(1);
    expect(med.records.filter((e) => e.label).map((e) => e.completion)).toEqual(['r=2', 'r=2.05', 'r=7']);
  });

  it('per-prompt median: each prompt split at its own median; single-sample prompts skipped', () => {
    const r = binaryFeedback(groups, 'median', 'prompt');
    expect(r.records.map((e) => [e.prompt_id, e.completion, e.label, e.threshold])).toEqual([
      ['a', 'r=0.1', false, 0.475], ['a', 'r=0.9', true, 0.475], ['a', 'r=0.5', true, 0.475], ['a', 'r=0.45', false, 0.475],
      ['b', 'r=2', false, 2.025], ['b', 'r=2.05', true, 2.025],
      ['d', 'r=1', false, 1], ['d', 'r=1', false, 1],
    ]);
    expect(r.singlePrompts).toBe(1);
    expect(r.threshold).toBeUndefined();
  });

  it('parses thresholds and computes statistics', () => {
    expect(parseBinaryThreshold('0.25')).toBe(0.25);
    expect(parseBinaryThreshold('median')).toBe('median');
    expect(() => parseBinaryThreshold('avg')).toThrow(/a number, "mean" or "median", got "avg"/);
    expect(statistic([3, 1, 2], 'median')).toBe(2);
    expect(statistic([4, 1, 2, 3], 'median')).toBe(2.5);
  });
});
