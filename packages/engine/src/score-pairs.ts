import * as tf from '@tensorflow/tfjs-core';
import { packSequences, type EncodedPair, type RewardModel } from '@rewardkit/core';

export interface PairRewards {
  readonly chosen: Float64Array;
  readonly rejected: Float64Array;
}

/**
 * Rewards for every pair, in input order. Sequences are scored in length-sorted batches of
 * `batchRows` so that little compute goes to padding.
 */
export async function scorePairs(model: RewardModel, pairs: readonly EncodedPair[], padId: number, batchRows = 64): Promise<PairRewards> {
  const seqs = pairs.flatMap((p) => [p.chosen, p.rejected]);
  const prompts = pairs.flatMap((p) => [p.promptLength, p.promptLength]);
  const order = seqs.map((_, i) => i).sort((a, b) => seqs[a].length - seqs[b].length);
  const out = new Float64Array(seqs.length);
  for (let i = 0; i < order.length; i += batchRows) {
    const idx = order.slice(i, i + batchRows);
    const batch = packSequences(
      idx.map((j) => seqs[j]),
      idx.map((j) => prompts[j]),
      padId,
    );
    const scored = tf.tidy(() => model.score(batch, { training: false }));
    const r = await scored.data(); // asynchronous: webgpu cannot read a tensor synchronously
    scored.dispose();
    idx.forEach((j, k) => (out[j] = r[k]));
  }
  const chosen = new Float64Array(pairs.length);
  const rejected = new Float64Array(pairs.length);
  for (let i = 0; i < pairs.length; i++) {
    chosen[i] = out[2 * i];
    rejected[i] = out[2 * i + 1];
  }
  return { chosen, rejected };
}
