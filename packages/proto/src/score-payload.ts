/**
 * Held-out scoring on the wire: a ScoreRequest carries each distinct sequence once (the pairs a
 * ranking expands to share their responses' arrays) and, per pair, the rows of its two sequences;
 * Scores carries one float32 reward per pair side, [2, n].
 */
import { packSequences, type EncodedPair } from '@rewardkit/core';
import { encodeMessage, type DecodedMessage, type EncodeOptions } from './codec';
import type { ScoreRequest, Scores } from './generated/rewardkit';
import { float32View, int32View } from './payload-view';
import { ProtocolError } from './protocol-error';

/** Frames of a ScoreRequest for `pairs`. The pad value is irrelevant: lengths say what is real. */
export function encodeScoreRequest(request: Omit<ScoreRequest, 'width' | 'rows'>, pairs: readonly EncodedPair[], opts: EncodeOptions = {}): Buffer[] {
  const n = pairs.length;
  if (request.pairs !== n) throw new ProtocolError(`score request ${request.requestId}: header says ${request.pairs} pairs, data has ${n}`);
  const rowOf = new Map<Int32Array, number>();
  const seqs: Int32Array[] = [];
  const prompts: number[] = [];
  const pairRows = new Int32Array(2 * n);
  pairs.forEach((p, i) =>
    [p.chosen, p.rejected].forEach((s, side) => {
      let r = rowOf.get(s);
      if (r === undefined) {
        r = seqs.push(s) - 1;
        prompts.push(p.promptLength);
        rowOf.set(s, r);
      }
      pairRows[side * n + i] = r;
    }),
  );
  const batch = packSequences(seqs, prompts, 0);
  const m = seqs.length;
  return encodeMessage(
    {
      body: 'score',
      score: { ...request, width: batch.width, rows: m },
      payloads: [
        { name: 'ids', dtype: 'DTYPE_INT32', shape: [m, batch.width] },
        { name: 'lengths', dtype: 'DTYPE_INT32', shape: [m] },
        { name: 'prompt_lengths', dtype: 'DTYPE_INT32', shape: [m] },
        { name: 'pair_rows', dtype: 'DTYPE_INT32', shape: [2, n] },
      ],
    },
    [batch.ids, batch.lengths, batch.promptLengths, pairRows],
    opts,
  );
}

/** The request and its pairs, rebuilt from the rows: pairs sharing a row share one array (scored once). */
export function decodeScoreRequest(msg: DecodedMessage): { request: ScoreRequest; pairs: EncodedPair[] } {
  const { envelope, payloads } = msg;
  if (envelope.body !== 'score') throw new ProtocolError(`expected a score message, got ${envelope.body}`);
  const request = envelope.score;
  const { pairs: n, rows: m, width } = request;
  const [ids, lengths, prompts, pairRows] = envelope.payloads;
  const ok =
    envelope.payloads.length === 4 && ids.shape.join() === `${m},${width}` && lengths.shape.join() === `${m}` &&
    prompts.shape.join() === `${m}` && pairRows.shape.join() === `2,${n}`;
  if (!ok) throw new ProtocolError(`score request ${request.requestId}: payloads do not match ${n} pairs over ${m} rows of width ${width}`);
  const idv = int32View(payloads[0]);
  const len = int32View(payloads[1]);
  const pl = int32View(payloads[2]);
  const at = int32View(payloads[3]);
  if (at.some((r) => r < 0 || r >= m)) throw new ProtocolError(`score request ${request.requestId}: a pair row is outside [0, ${m})`);
  const rows = Array.from({ length: m }, (_, r) => idv.subarray(r * width, r * width + len[r]));
  const pairs = Array.from({ length: n }, (_, i) => ({ id: String(i), chosen: rows[at[i]], rejected: rows[at[n + i]], promptLength: pl[at[i]], margin: 0 }));
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
