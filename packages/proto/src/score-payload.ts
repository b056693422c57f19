/**
 * Held-out scoring on the wire: a ScoreRequest carries pairs in the `packPairs` layout (as a Shard
 * does, without margins); Scores carries one float32 reward per sequence, [2, n].
 */
import { packPairs, type EncodedPair } from '@rewardkit/core';
import { encodeMessage, type DecodedMessage, type EncodeOptions } from './codec';
import type { ScoreRequest, Scores } from './generated/rewardkit';
import { float32View, int32View } from './payload-view';
import { ProtocolError } from './protocol-error';

/** Frames of a ScoreRequest for `pairs`. The pad value is irrelevant: lengths say what is real. */
export function encodeScoreRequest(request: Omit<ScoreRequest, 'width'>, pairs: readonly EncodedPair[], opts: EncodeOptions = {}): Buffer[] {
  const batch = packPairs(pairs, 0);
  const n = pairs.length;
  if (request.pairs !== n) throw new ProtocolError(`score request ${request.requestId}: header says ${request.pairs} pairs, data has ${n}`);
  return encodeMessage(
    {
      body: 'score',
      score: { ...request, width: batch.width },
      payloads: [
        { name: 'ids', dtype: 'DTYPE_INT32', shape: [2 * n, batch.width] },
        { name: 'lengths', dtype: 'DTYPE_INT32', shape: [2 * n] },
        { name: 'prompt_lengths', dtype: 'DTYPE_INT32', shape: [2 * n] },
      ],
    },
    [batch.ids, batch.lengths, batch.promptLengths],
    opts,
  );
}

/** The request and its pairs, rebuilt from the rows (ids views over the received frame). */
export function decodeScoreRequest(msg: DecodedMessage): { request: ScoreRequest; pairs: EncodedPair[] } {
  const { envelope, payloads } = msg;
  if (envelope.body !== 'score') throw new ProtocolError(`expected a score message, got ${envelope.body}`);
  const request = envelope.score;
  const n = request.pairs;
  const [ids, lengths, prompts] = envelope.payloads;
  if (envelope.payloads.length !== 3 || ids?.shape.join() !== `${2 * n},${request.width}` || lengths.shape.join() !== `${2 * n}` || prompts.shape.join() !== `${2 * n}`) {
    throw new ProtocolError(`score request ${request.requestId}: payloads do not match ${n} pairs of width ${request.width}`);
  }
  const idv = int32View(payloads[0]);
  const len = int32View(payloads[1]);
  const pl = int32View(payloads[2]);
  const row = (r: number) => idv.subarray(r * request.width, r * request.width + len[r]);
  const pairs = Array.from({ length: n }, (_, i) => ({ id: String(i), chosen: row(i), rejected: row(n + i), promptLength: pl[i], margin: 0 }));
  return { request, pairs };
}

/** Frames of a Scores reply: rewards of the chosen then the rejected sequences. */
export function encodeScores(scores: Scores, rewards: { chosen: ArrayLike<number>; rejected: ArrayLike<number> }): Buffer[] {
  const n = scores.pairs;
  const data = new Float32Array(2 * n);
  data.set(Array.from(rewards.chosen), 0);
  data.set(Array.from(rewards.rejected), n);
  return encodeMessage({ body: 'scores', scores, payloads: [{ name: 'rewards', dtype: 'DTYPE_FLOAT32', shape: [2, n] }] }, [data]);
}

export function decodeScores(msg: DecodedMessage): { scores: Scores; chosen: Float32Array; rejected: Float32Array } {
  const { envelope, payloads } = msg;
  if (envelope.body !== 'scores') throw new ProtocolError(`expected a scores message, got ${envelope.body}`);
  const n = envelope.scores.pairs;
  if (envelope.payloads.length !== 1 || envelope.payloads[0].shape.join() !== `2,${n}`) {
    throw new ProtocolError(`scores ${envelope.scores.requestId} from rank ${envelope.scores.rank}: payload is not [2, ${n}]`);
  }
  const all = float32View(payloads[0]);
  return { scores: envelope.scores, chosen: all.subarray(0, n), rejected: all.subarray(n) };
}
