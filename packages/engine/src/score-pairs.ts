import type { EncodedPair, RewardModel } from '@rewardkit/core';
import { scoreSequences } from './score-sequences';

export interface PairRewards {
  readonly chosen: Float64Array;
  readonly rejected: Float64Array;
}

/** Rewards for every pair, in input order: both sequences of each pair through scoreSequences. */
export async function scorePairs(model: RewardModel, pairs: readonly EncodedPair[], padId: number, batchRows = 64): Promise<PairRewards> {
  const seqs = pairs.flatMap((p) => [p.chosen, p.rejected]);
  const prompts = pairs.flatMap((p) => [p.promptLength, p.promptLength]);
  const out = await scoreSequences(model, seqs, prompts, padId, batchRows);
  const chosen = new Float64Array(pairs.length);
  const rejected = new Float64Array(pairs.length);
  for (let i = 0; i < pairs.length; i++) {
    chosen[i] = out[2 * i];
    rejected[i] = out[2 * i + 1];
  }
  return { chosen, rejected };
}
