import type { PreferencePair } from '@rewardkit/core';
import { describeEvalContract } from '@rewardkit/testing';
import { evaluateSections, sections, SectionsConfigSchema, type SectionScore } from './sections.plugin';

describeEvalContract(sections);

/** One pair per entry: [category, right?]; right pairs score 1, wrong ones 0. */
const scoresOf = (rows: [string | undefined, boolean][], extra: Partial<PreferencePair>[] = []) => ({
  chosen: Float64Array.from(rows, ([, right]) => (right ? 1 : 0)),
  rejected: Float64Array.from(rows, ([, right]) => (right ? 0 : 1)),
  pairs: rows.map(([category], i) => ({ id: `p${i}`, prompt: '', chosen: 'a', rejected: 'b', ...(category ? { category } : {}), ...extra[i] })),
});
const rows = (category: string, right: number, wrong: number): [string, boolean][] => [
  ...Array.from({ length: right }, (): [string, boolean] => [category, true]),
  ...Array.from({ length: wrong }, (): [string, boolean] => [category, false]),
];

describe('sections', () => {
  it('reports nothing when no record has a category', () => {
    expect(evaluateSections(SectionsConfigSchema.parse({}), scoresOf([[undefined, true]]))).toEqual({});
  });

  it('gives one section per category by default, the overall being their plain mean', () => {
    const r = evaluateSections(SectionsConfigSchema.parse({}), scoresOf([...rows('helpful', 3, 1), ...rows('harmless', 1, 1)]));
    const s = r.sections as SectionScore[];
    expect(s.map(({ name, n, accuracy, subsets }) => ({ name, n, accuracy, subsets }))).toEqual([
      { name: 'harmless', n: 2, accuracy: 0.5, subsets: [{ name: 'harmless', n: 2, accuracy: 0.5 }] },
      { name: 'helpful', n: 4, accuracy: 0.75, subsets: [{ name: 'helpful', n: 4, accuracy: 0.75 }] },
    ]);
    expect(r.sections_overall).toBe((0.5 + 0.75) / 2);
  });

  it('recognises RewardBench subsets: a section weighs its subsets by size, the overall is the mean of sections', () => {
    const data = [...rows('alpacaeval-easy', 9, 1), ...rows('mt-bench-easy', 0, 2), ...rows('refusals-dangerous', 1, 1)];
    const r = evaluateSections(SectionsConfigSchema.parse({}), scoresOf(data));
    const s = r.sections as SectionScore[];
    // Chat: (9 + 0) / 12 = 0.75 (not the subsets' plain mean 0.45); Safety: 0.5
    expect(s.map((x) => [x.name, x.n, x.accuracy])).toEqual([['Chat', 12, 0.75], ['Safety', 2, 0.5]]);
    expect(s[0].subsets).toEqual([{ name: 'alpacaeval-easy', n: 10, accuracy: 0.9 }, { name: 'mt-bench-easy', n: 2, accuracy: 0 }]);
    expect(r.sections_overall).toBe((0.75 + 0.5) / 2);
    const [lo, hi] = s[0].ci;
    expect(lo).toBeLessThanOrEqual(0.75);
    expect(hi).toBeGreaterThanOrEqual(0.75);
    expect(hi).toBeLessThanOrEqual(1);
  });

  it('takes a section map from the config; unmapped subsets and records without a category stand alone', () => {
    const cfg = SectionsConfigSchema.parse({ sections: { dialogue: ['helpful', 'harmless'] } });
    const r = evaluateSections(cfg, scoresOf([...rows('helpful', 2, 0), ...rows('harmless', 0, 2), ...rows('code', 1, 0), [undefined, false]]));
    expect((r.sections as SectionScore[]).map((x) => [x.name, x.n, x.accuracy, x.subsets.map((y) => y.name)])).toEqual([
      ['dialogue', 4, 0.5, ['harmless', 'helpful']],
      ['code', 1, 1, ['code']],
      ['uncategorized', 1, 0, ['uncategorized']],
    ]);
    expect(r.sections_overall).toBeCloseTo(0.5, 12);
  });

  it('leaves out data ties and refuses a section without subsets', () => {
    const r = evaluateSections(SectionsConfigSchema.parse({}), scoresOf(rows('a', 1, 1), [{}, { tie: true } as Partial<PreferencePair>]));
    expect((r.sections as SectionScore[])[0]).toMatchObject({ n: 1, accuracy: 1 });
    expect(SectionsConfigSchema.safeParse({ sections: { chat: [] } }).success).toBe(false);
  });
});
