/**
 * Binary feedback for KTO: each completion is desirable when its reward is strictly above a
 * threshold, which is a number, or the `mean` or `median` of the rewards, taken per prompt or over
 * all samples (`scope`). Records are TRL's KTO shape `{prompt, completion, label}` plus the reward
 * and the threshold it was compared with. A prompt with one sample is kept under a number or a
 * global statistic; per prompt its own mean equals its reward, so it is counted and skipped.
 */
import type { TextOrChat } from '@rewardkit/core';
import type { PromptGroup } from './group-samples';

export type BinaryThreshold = number | 'mean' | 'median';
export type ThresholdScope = 'prompt' | 'global';

export interface BinaryRecord {
  readonly prompt_id?: string;
  readonly prompt: TextOrChat;
  readonly completion: TextOrChat;
  readonly label: boolean;
  readonly reward: number;
  readonly threshold: number;
}

export interface BinaryOutcome {
  readonly records: BinaryRecord[];
  readonly desirable: number;
  readonly singlePrompts: number;
  /** The global threshold, when there is one. */
  readonly threshold?: number;
}

export function parseBinaryThreshold(v: string): BinaryThreshold {
  if (v === 'mean' || v === 'median') return v;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new Error(`expected a number, "mean" or "median", got "${v}"`);
  return n;
}

export function statistic(values: readonly number[], which: 'mean' | 'median'): number {
  if (which === 'mean') return values.reduce((a, b) => a + b, 0) / values.length;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function binaryFeedback(groups: readonly PromptGroup[], threshold: BinaryThreshold, scope: ThresholdScope): BinaryOutcome {
  const perPrompt = typeof threshold !== 'number' && scope === 'prompt';
  const global =
    typeof threshold === 'number' ? threshold : perPrompt ? undefined : statistic(groups.flatMap((g) => g.rewards), threshold);
  const records: BinaryRecord[] = [];
  let singles = 0;
  let desirable = 0;
  for (const g of groups) {
    if (g.outputs.length < 2) singles++;
    if (perPrompt && g.outputs.length < 2) continue;
    const t = global ?? statistic(g.rewards, threshold as 'mean' | 'median');
    g.outputs.forEach((completion, i) => {
      const label = g.rewards[i] > t;
      if (label) desirable++;
      records.push({
        ...(g.promptId !== undefined ? { prompt_id: g.promptId } : {}),
        prompt: g.prompt,
        completion,
        label,
        reward: g.rewards[i],
        threshold: t,
      });
    });
  }
  return { records, desirable, singlePrompts: singles, ...(global !== undefined ? { threshold: global } : {}) };
}
