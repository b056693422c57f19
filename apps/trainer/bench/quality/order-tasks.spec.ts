import { hhRlhf } from '@rewardkit/sample-data';
import { bowBaseline, ngramCounts } from './bow-baseline';
import { contentWords, orderTaskPairs, readHhRecords, wordValues } from './order-tasks';

const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));

describe('order-sensitivity tasks', () => {
  const hh = readHhRecords(hhRlhf.train);
  const values = wordValues(contentWords(hh, 60), 7);
  const pairs = orderTaskPairs({ prompts: hh.map((r) => r.prompt), values, count: 400, seed: 1, idPrefix: 't' });

  it('builds on real HH prompts and ends each with the task and the assistant turn', () => {
    expect(new Set(pairs.map((p) => p.category)).size).toBe(4);
    for (const p of pairs) expect(p.prompt).toMatch(/^\n\nHuman: [\s\S]+\n\nAssistant:$/);
  });

  it('gives rather-than and comparison responses the same unigrams AND bigrams (a bag can only tie)', () => {
    for (const p of pairs.filter((x) => x.category === 'rather-than' || x.category === 'comparison')) {
      expect(p.chosen).not.toBe(p.rejected);
      expect(sorted(ngramCounts(p.chosen, 2))).toEqual(sorted(ngramCounts(p.rejected, 2)));
    }
  });

  it('labels by the hidden rule: in "rather-than" the better word comes first', () => {
    const p = pairs.find((x) => x.category === 'rather-than')!;
    const [a, b] = /the (\w+) option rather than the (\w+) option/.exec(p.chosen)!.slice(1);
    expect(values.get(a)!).toBeGreaterThan(values.get(b)!);
  });
});

describe('bag-of-words Bradley-Terry baseline', () => {
  it('learns a planted word preference and ties exactly on word-order pairs', () => {
    const train = Array.from({ length: 200 }, (_, i) => ({ chosen: `x${i % 7} great day`, rejected: `x${i % 5} awful day` }));
    const test = [
      { chosen: 'a great one', rejected: 'an awful one' },
      { chosen: 'not awful but great', rejected: 'not great but awful' }, // same unigrams: a tie for unigrams
    ];
    const uni = bowBaseline(train, test, 1, 100);
    expect(uni.correct).toEqual([1, 0.5]);
    expect(bowBaseline(train, test, 2, 100).correct[0]).toBe(1);
  });
});
