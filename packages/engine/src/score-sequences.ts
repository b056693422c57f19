import * as tf from '@tensorflow/tfjs-core';
import { packSequences, type RewardModel } from '@rewardkit/core';

/**
 * One reward per sequence, in input order: what the labeler and the scoring server need (single
 * responses, not pairs). Sequences are `prompt ++ response ++ EOS` as encodePair builds them, so a
 * text is scored exactly as it was trained. Scored in length-sorted batches of `batchRows` so that
 * little compute goes to padding; reads are asynchronous (webgpu cannot read synchronously).
 */
export async function scoreSequences(
  model: RewardModel,
  seqs: readonly Int32Array[],
  promptLengths: readonly number[],
  padId: number,
  batchRows = 64,
): Promise<Float64Array> {
  const order = seqs.map((_, i) => i).sort((a, b) => seqs[a].length - seqs[b].length);
  const out = new Float64Array(seqs.length);
  for (let i = 0; i < order.length; i += batchRows) {
    const idx = order.slice(i, i + batchRows);
    const batch = packSequences(
      idx.map((j) => seqs[j]),
      idx.map((j) => promptLengths[j]),
      padId,
    );
    const scored = tf.tidy(() => model.score(batch, { training: false })); // [rows]
    const r = await scored.data();
    scored.dispose();
    idx.forEach((j, k) => (out[j] = r[k]));
  }
  return out;
}
