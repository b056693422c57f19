import { summaryLines } from './summary-table';

describe('summaryLines', () => {
  it('shows the headline and one row per evaluator that reported', () => {
    const lines = summaryLines({
      accuracy: 0.625,
      accuracy_ci: [0.55, 0.7],
      n: 80,
      ties: 1,
      margin_mean: 0.125,
      reward_mean: -0.5,
      reward_std: 0.25,
      sections: [{ name: 'Chat', n: 80, accuracy: 0.625, ci: [0.55, 0.7], subsets: [] }],
      sections_overall: 0.625,
      health: { duplicates: 2, identical: 0, shared_prompts: null },
    });
    expect(lines).toEqual([
      'held-out accuracy: 0.6250 on 80 pairs (95% CI 0.550-0.700, ties 1, mean margin 0.1250)',
      '  rewards     mean -0.5000, std 0.2500',
      '  sections    overall 0.6250, Chat 0.625 [0.550-0.700] (80)',
      '  data        duplicates 2, identical 0',
    ]);
  });

  it('copes with a report without accuracy (that evaluator turned off)', () => {
    expect(summaryLines({ ece: 0.05, brier: 0.2, temperature: 1.5 })).toEqual(['  calibration ECE 0.0500, Brier 0.2000, temperature 1.500']);
    expect(summaryLines({})).toEqual([]);
  });
});
