import type { TextOrChat } from '@rewardkit/core';
import type { Sample } from './read-samples';

/** The scored completions of one prompt, in file order. */
export interface PromptGroup {
  readonly promptId?: string;
  readonly prompt: TextOrChat;
  readonly outputs: readonly TextOrChat[];
  readonly rewards: readonly number[];
}

/** Groups by prompt, in the order prompts first appear. */
export function groupByPrompt(samples: readonly Sample[], rewards: ArrayLike<number>): PromptGroup[] {
  const groups = new Map<string, { promptId?: string; prompt: TextOrChat; outputs: TextOrChat[]; rewards: number[] }>();
  for (const s of samples) {
    let g = groups.get(s.promptKey);
    if (!g) {
      g = { ...(s.promptId !== undefined ? { promptId: s.promptId } : {}), prompt: s.prompt, outputs: [], rewards: [] };
      groups.set(s.promptKey, g);
    }
    g.outputs.push(s.output);
    g.rewards.push(rewards[s.index]);
  }
  return [...groups.values()];
}
