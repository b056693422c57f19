/**
 * Pairwise feedback for DPO: per prompt, pairs of its completions, chosen = higher reward.
 *   max    best vs worst (one pair per prompt);
 *   min    the closest pair whose gap passes the threshold (one pair per prompt; hardest kept pair);
 *   random the completions shuffled, then neighbours paired (0,1), (2,3), ... (floor(n/2) pairs).
 * A pair is kept when its reward gap is strictly above `threshold` (ties, gap 0, never teach a
 * preference). Records are in the `{prompt, chosen, rejected}` shape the trainer reads, plus both
 * rewards, the gap, and an A/B presentation randomised with the seed (`label` names the winner), for
 * annotation tools that must not see the winner first. No field is named `margin`: the trainer
 * would read it as a loss margin.
 */
import type { TextOrChat } from '@rewardkit/core';
import { Rng } from '@rewardkit/core';
import type { PromptGroup } from './group-samples';

export const PAIR_MODES = ['max', 'min', 'random'] as const;
export type PairMode = (typeof PAIR_MODES)[number];

export interface PairRecord {
  readonly prompt_id?: string;
  readonly prompt: TextOrChat;
  readonly chosen: TextOrChat;
  readonly rejected: TextOrChat;
  readonly chosen_reward: number;
  readonly rejected_reward: number;
  readonly reward_gap: number;
  readonly response_a: TextOrChat;
  readonly response_b: TextOrChat;
  readonly label: 'a' | 'b';
}

export interface PairOutcome {
  readonly records: PairRecord[];
  /** Gaps of every candidate pair, kept or not (for the summary's histogram). */
  readonly gaps: number[];
  readonly droppedByThreshold: number;
  readonly singlePrompts: number;
}

export function pairFeedback(groups: readonly PromptGroup[], mode: PairMode, threshold: number, seed: number): PairOutcome {
  const rng = new Rng(seed);
  const records: PairRecord[] = [];
  const gaps: number[] = [];
  let dropped = 0;
  let singles = 0;
  for (const g of groups) {
    if (g.outputs.length < 2) {
      singles++;
      continue;
    }
    for (const [i, j] of candidates(g.rewards, mode, threshold, rng)) {
      const [w, l] = g.rewards[i] >= g.rewards[j] ? [i, j] : [j, i];
      const gap = g.rewards[w] - g.rewards[l];
      gaps.push(gap);
      if (!(gap > threshold)) {
        dropped++;
        continue;
      }
      const aWins = rng.nextFloat() < 0.5; // drawn only for kept pairs, so the draws follow the kept set
      records.push({
        ...(g.promptId !== undefined ? { prompt_id: g.promptId } : {}),
        prompt: g.prompt,
        chosen: g.outputs[w],
        rejected: g.outputs[l],
        chosen_reward: g.rewards[w],
        rejected_reward: g.rewards[l],
        reward_gap: gap,
        response_a: aWins ? g.outputs[w] : g.outputs[l],
        response_b: aWins ? g.outputs[l] : g.outputs[w],
        label: aWins ? 'a' : 'b',
      });
    }
  }
  return { records, gaps, droppedByThreshold: dropped, singlePrompts: singles };
}

/** Index pairs to consider for one prompt (>= 2 completions). */
function candidates(r: readonly number[], mode: PairMode, threshold: number, rng: Rng): [number, number][] {
  const byReward = r.map((_, i) => i).sort((a, b) => r[b] - r[a] || a - b); // best first, stable
  switch (mode) {
    case 'max':
      return [[byReward[0], byReward.at(-1)!]];
    case 'min': {
      // closest pair above the threshold; when none is, the widest (it is then counted as dropped)
      let best: [number, number] | undefined;
      let bestGap = Infinity;
      for (let a = 0; a < byReward.length; a++) {
        for (let b = a + 1; b < byReward.length; b++) {
          const gap = r[byReward[a]] - r[byReward[b]];
          if (gap > threshold && gap < bestGap) [best, bestGap] = [[byReward[a], byReward[b]], gap];
        }
      }
      return [best ?? [byReward[0], byReward.at(-1)!]];
    }
    case 'random': {
      const order = rng.shuffle(r.map((_, i) => i));
      const out: [number, number][] = [];
      for (let i = 0; i + 1 < order.length; i += 2) out.push([order[i], order[i + 1]]);
      return out;
    }
  }
}
