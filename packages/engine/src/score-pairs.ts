import type { EncodedPair, RewardModel } from '@rewardkit/core';
import { scoreSequences } from './score-sequences';

export interface PairRewards {
  readonly chosen: Float64Array;
  readonly rejected: Float64Array;
}

/**
 * Rewards for every pair, in input order, through scoreSequences. A sequence shared by several
 * pairs (the same array: a ranking's pairs share their responses') is scored once.
 */
export async function scorePairs(model: RewardModel, pairs: readonly EncodedPair[], padId: number, batchRows = 64): Promise<PairRewards> {
  const row = new Map<Int32Array, number>();
  const seqs: Int32Array[] = [];
  const prompts: number[] = [];
  const rowOf = (s: Int32Array, promptLength: number) => {
    let r = row.get(s);
    if (r === undefined) {
      r = seqs.push(s) - 1;
      prompts.push(promptLength);
      row.set(s, r);
    }
    return r;
  };
  const at = pairs.map((p) => [rowOf(p.chosen, p.promptLength), rowOf(p.rejected, p.promptLength)]);
  const out = await scoreSequences(model, seqs, prompts, padId, batchRows);
  return { chosen: Float64Array.from(at, ([c]) => out[c]), rejected: Float64Array.from(at, ([, r]) => out[r]) };
}
