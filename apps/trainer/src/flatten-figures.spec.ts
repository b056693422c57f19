import { flattenFigures, topLevelFigures } from './flatten-figures';

describe('flattenFigures', () => {
  it('keeps every numeric leaf of nested objects under its dotted path', () => {
    const report = { accuracy: 0.6, n: 10, note: 'text', by_category: { helpful: { n: 6, accuracy: 0.5 }, harmless: { n: 4, accuracy: 0.75 } }, calibration: { ece: 0.1, fit: { temperature: 1.5 } } };
    expect(flattenFigures(report)).toEqual({
      accuracy: 0.6,
      n: 10,
      'by_category.helpful.n': 6,
      'by_category.helpful.accuracy': 0.5,
      'by_category.harmless.n': 4,
      'by_category.harmless.accuracy': 0.75,
      'calibration.ece': 0.1,
      'calibration.fit.temperature': 1.5,
    });
  });

  it('keeps short numeric arrays (intervals) by index and skips tables', () => {
    const report = {
      accuracy_ci: [0.55, 0.65],
      reliability: [{ bin: 0, n: 3 }, { bin: 1, n: 4 }],
      histogram: [1, 2, 3, 4, 5, 6],
      nested: { ci: [1, 2, 3] },
      mixed: [1, 'x'],
      empty: null,
    };
    expect(flattenFigures(report)).toEqual({ 'accuracy_ci.0': 0.55, 'accuracy_ci.1': 0.65, 'nested.ci.0': 1, 'nested.ci.1': 2, 'nested.ci.2': 3 });
  });

  it('topLevelFigures drops the nested keys', () => {
    expect(topLevelFigures({ accuracy: 1, 'a.b': 2, n: 3 })).toEqual({ accuracy: 1, n: 3 });
  });
});
