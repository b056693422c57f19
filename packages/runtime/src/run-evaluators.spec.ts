import { parseRunConfig, SHIPPED_EVALUATORS, type EncodedPair, type PreferencePair } from '@rewardkit/core';
import { checkEvaluators, pairScoresOf, runEvaluators } from './run-evaluators';
import { createShippedRegistry } from './shipped-registry';

const pairs = (n: number): PreferencePair[] => Array.from({ length: n }, (_, i) => ({ id: `p${i}`, prompt: 'q', chosen: `a${i}`, rejected: `b${i}` }));

describe('evaluators in the run config', () => {
  const registry = createShippedRegistry();

  it('runs every shipped evaluator by default', () => {
    expect(parseRunConfig({}).evaluators.map((e) => e.name)).toEqual([...SHIPPED_EVALUATORS]);
    expect([...SHIPPED_EVALUATORS].sort()).toEqual(registry.list('eval'));
  });

  it('takes names or { name, config }, parsed to { name, config }', () => {
    const cfg = parseRunConfig({ evaluators: ['accuracy', { name: 'calibration', config: { bins: 5 } }] });
    expect(cfg.evaluators).toEqual([
      { name: 'accuracy', config: {} },
      { name: 'calibration', config: { bins: 5 } },
    ]);
    expect(() => parseRunConfig({ evaluators: [{ name: 'accuracy', cfg: {} }] })).toThrow(/evaluators/);
  });

  it('refuses an unknown evaluator or a bad config up front, naming the entry and the field', () => {
    expect(() => checkEvaluators(registry, ['accuracy', 'acuracy'])).toThrow(/evaluators\[1\]: unknown eval plugin "acuracy"; known: accuracy, /);
    expect(() => checkEvaluators(registry, [{ name: 'calibration', config: { bins: 0 } }])).toThrow(
      /evaluators\[0\]: invalid config for eval plugin "calibration":[\s\S]*bins/,
    );
    expect(() => checkEvaluators(registry, parseRunConfig({}).evaluators)).not.toThrow();
  });

  it('passes each evaluator its config', () => {
    const scores = { chosen: Float64Array.from([1.05, 2]), rejected: Float64Array.from([1, 1]), pairs: pairs(2) };
    expect(runEvaluators(registry, ['accuracy'], scores).ties).toBe(0);
    expect(runEvaluators(registry, [{ name: 'accuracy', config: { tieTolerance: 0.1 } }], scores).ties).toBe(1);
  });
});

describe('pairScoresOf', () => {
  it('gives response tokens (EOS not counted), identical-token and truncation flags, and the training pairs', () => {
    // prompt [7], responses [1, 2] and [3], EOS 0; a second pair whose sequences are the same
    const encoded: EncodedPair[] = [
      { id: 'p0', chosen: Int32Array.from([7, 1, 2, 0]), rejected: Int32Array.from([7, 3, 0]), promptLength: 1, margin: 0 },
      { id: 'p1', chosen: Int32Array.from([7, 5, 0]), rejected: Int32Array.from([7, 5, 0]), promptLength: 1, margin: 0 },
    ];
    const train = pairs(1);
    const s = pairScoresOf({ pairs: pairs(2), encoded, truncatedPairs: [false, true] }, { chosen: new Float64Array(2), rejected: new Float64Array(2) }, train);
    expect([...s.chosenTokens!]).toEqual([2, 1]);
    expect([...s.rejectedTokens!]).toEqual([1, 1]);
    expect(s.identicalTokens).toEqual([false, true]);
    expect(s.truncated).toEqual([false, true]);
    expect(s.trainPairs).toBe(train);
    const report = runEvaluators(createShippedRegistry(), ['data-health', 'length-bias'], s);
    expect(report.health).toMatchObject({ truncated_identical: 1, shared_prompts: 2, shared_pairs: 1 });
    expect(report.length_unit).toBe('tokens');
  });
});
