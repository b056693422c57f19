import { lcg } from '@rewardkit/testing';

/**
 * Generated preference data whose true ordering is known: a response is a few words and its true
 * reward the sum of its words' values (great +2, good +1, bad -1, awful -2, fillers 0).
 * - 'pairs': strict pairs with `strength` = the true gap (capped at 3);
 * - 'ties': strict pairs plus annotated ties (pairs of equal true reward);
 * - 'rankings': 4-response rankings by true reward (equal rewards tied);
 * - 'strict': strict pairs only (held-out accuracy).
 */
export type Shape = 'pairs' | 'ties' | 'rankings' | 'strict';

const VALUES: Record<string, number> = { great: 2, good: 1, bad: -1, awful: -2 };
const WORDS = [...Object.keys(VALUES), 'the', 'answer', 'is', 'here', 'maybe', 'so'];
export const trueReward = (text: string): number => text.trim().split(' ').reduce((s, w) => s + (VALUES[w] ?? 0), 0);

export function generateShape(shape: Shape, n: number, seed: number): string {
  const rand = lcg(seed);
  const response = () => ' ' + Array.from({ length: 2 + Math.floor(rand() * 4) }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
  const lines: string[] = [];
  while (lines.length < n) {
    const prompt = `Question ${Math.floor(rand() * 50)}:`;
    if (shape === 'rankings') {
      const responses = [...new Set(Array.from({ length: 6 }, response))].slice(0, 4);
      if (responses.length < 4) continue;
      const values = responses.map(trueReward);
      if (new Set(values).size < 2) continue;
      const distinct = [...new Set(values)].sort((a, b) => b - a);
      lines.push(JSON.stringify({ prompt, responses, ranking: values.map((v) => distinct.indexOf(v)) }));
      continue;
    }
    const [a, b] = [response(), response()];
    if (a === b) continue;
    const gap = trueReward(a) - trueReward(b);
    if (gap === 0) {
      if (shape === 'ties') lines.push(JSON.stringify({ prompt, chosen: a, rejected: b, tie: true }));
      continue;
    }
    const [chosen, rejected] = gap > 0 ? [a, b] : [b, a];
    lines.push(JSON.stringify({ prompt, chosen, rejected, ...(shape === 'pairs' ? { strength: Math.min(3, Math.abs(gap)) } : {}) }));
  }
  return lines.join('\n') + '\n';
}
