import type { PreferencePair, TextOrChat } from '@rewardkit/core';
import { describeEvalContract } from '@rewardkit/testing';
import { dataHealth, DataHealthConfigSchema, evaluateDataHealth, type HealthReport } from './data-health.plugin';

describeEvalContract(dataHealth);

let id = 0;
const pair = (prompt: TextOrChat, chosen: TextOrChat, rejected: TextOrChat): PreferencePair => ({ id: `p${id++}`, prompt, chosen, rejected });
const health = (pairs: PreferencePair[], extra: object = {}, cfg = {}) =>
  evaluateDataHealth(DataHealthConfigSchema.parse(cfg), { chosen: new Float64Array(pairs.length), rejected: new Float64Array(pairs.length), pairs, ...extra })
    .health as HealthReport;

describe('data health', () => {
  it('counts duplicate copies and contradicting reversals', () => {
    const pairs = [pair('q', 'a', 'b'), pair('q', 'a', 'b'), pair('q', 'a ', 'b'), pair('q', 'b', 'a'), pair('r', 'a', 'b')];
    // three copies of (q, a, b) once trimmed: 2 duplicates; (q, b, a) reverses them: all 4 of the q pairs contradict
    expect(health(pairs)).toMatchObject({ n: 5, duplicates: 2, contradictions: 4 });
    expect(health(pairs, {}, { trim: false })).toMatchObject({ duplicates: 1, contradictions: 3 });
  });

  it('compares conversations by role and content', () => {
    const msgs = (c: string) => [{ role: 'assistant', content: c }];
    expect(health([pair('q', msgs('x'), msgs('y')), pair('q', msgs('x'), msgs('y')), pair('q', msgs('x'), msgs('x '))])).toMatchObject({
      duplicates: 1,
      identical: 1,
    });
  });

  it('tells identical responses from pairs truncation made identical', () => {
    const pairs = [pair('q', 'same', 'same'), pair('q', 'long a', 'long b'), pair('q', 'c', 'd'), pair('q', 'e', 'f')];
    const r = health(pairs, { identicalTokens: [true, true, true, false], truncated: [false, true, false, true] });
    // 0: same text; 1: differs, identical only once cut; 2: the tokenizer made them one; 3: fine
    expect(r).toMatchObject({ identical: 2, truncated_identical: 1, truncated: 2 });
    expect(health(pairs)).toMatchObject({ identical: 1, truncated_identical: null, truncated: null });
  });

  it('counts prompts and pairs shared with the training file, only when it is given', () => {
    const pairs = [pair('q1', 'a', 'b'), pair('q2', 'a', 'b'), pair('', 'a', 'b'), pair('q3', 'a', 'b')];
    const trainPairs = [pair('q1', 'x', 'y'), pair('q2', 'a', 'b'), pair('', 'c', 'd')];
    expect(health(pairs, { trainPairs })).toMatchObject({ shared_prompts: 2, shared_pairs: 1 });
    expect(health(pairs)).toMatchObject({ shared_prompts: null, shared_pairs: null });
  });
});
