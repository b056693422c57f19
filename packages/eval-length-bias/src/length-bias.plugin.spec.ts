import type { PreferencePair } from '@rewardkit/core';
import { describeEvalContract } from '@rewardkit/testing';
import { evaluateLengthBias, lengthBias, LengthBiasConfigSchema, pearson, textLength } from './length-bias.plugin';

describeEvalContract(lengthBias);

const pair = (chosen: string, rejected: string, extra: object = {}): PreferencePair => ({ id: chosen, prompt: 'q', chosen, rejected, ...extra });

describe('length bias', () => {
  const cfg = LengthBiasConfigSchema.parse({ buckets: 2 });
  // chosen longer, longer, shorter, equal; the model here rewards length itself (reward = characters)
  const pairs = [pair('aaaa', 'a'), pair('aaa', 'aa'), pair('b', 'bbb'), pair('cc', 'dd')];
  const byLength = (ps: PreferencePair[]) => ({
    chosen: Float64Array.from(ps, (p) => textLength(p.chosen)),
    rejected: Float64Array.from(ps, (p) => textLength(p.rejected)),
    pairs: ps,
  });

  it('scores the "longer wins" rule and a model that rewards length, in characters', () => {
    const r = evaluateLengthBias(cfg, byLength(pairs));
    expect(r.longer_wins).toBe((1 + 1 + 0 + 0.5) / 4);
    expect(r.model_prefers_longer).toBe(1);
    expect(r.length_reward_corr).toBeCloseTo(1, 12);
    expect(r.length_unit).toBe('characters');
    // differences 3, 1, -2, 0 -> edges -2, 0, 3: [-2, 0) holds -2 (wrong), [0, 3] holds 0 (tie), 1, 3 (right)
    expect(r.length_buckets).toEqual([
      { lo: -2, hi: 0, n: 1, accuracy: 0 },
      { lo: 0, hi: 3, n: 3, accuracy: 2.5 / 3 },
    ]);
  });

  it('uses token counts when the caller gives them', () => {
    const r = evaluateLengthBias(cfg, { ...byLength(pairs), chosenTokens: Int32Array.from([1, 1, 9, 1]), rejectedTokens: Int32Array.from([2, 2, 1, 1]) });
    expect(r.length_unit).toBe('tokens');
    expect(r.longer_wins).toBe((0 + 0 + 1 + 0.5) / 4);
  });

  it('reads conversations by their contents and leaves out data ties', () => {
    const chat = pair('', '', { chosen: [{ role: 'assistant', content: 'hello' }], rejected: [{ role: 'assistant', content: 'hi' }] });
    const r = evaluateLengthBias(cfg, byLength([chat, pair('x', 'xxxx', { tie: true })]));
    expect(r.longer_wins).toBe(1);
    expect(r.length_buckets).toEqual([{ lo: 3, hi: 3, n: 1, accuracy: 1 }]);
  });

  it('computes Pearson correlation by hand', () => {
    // deviations x: -1, 0, 1; y: -1, 1, 0: sxy = 1, sxx = syy = 2, r = 1 / 2
    expect(pearson([1, 2, 3], [1, 3, 2])).toBeCloseTo(0.5, 12);
    expect(pearson([1, 2, 3], [6, 4, 2])).toBeCloseTo(-1, 12);
    expect(pearson([1, 1], [1, 2])).toBe(0);
  });
});
