/**
 * A Shard's token data as payload frames: the batch layout of `packPairs` (rows 0..n-1 chosen,
 * n..2n-1 rejected) plus one margin per pair. Both ends use these two functions, so the layout is
 * written down once.
 */
import type { SequenceBatch } from '@rewardkit/core';
import { encodeMessage, type DecodedMessage, type EncodeOptions } from './codec';
import type { PayloadSpec, Shard } from './generated/rewardkit';
import { float32View, int32View } from './payload-view';
import { ProtocolError } from './protocol-error';

/** Payload names, in frame order. */
export const SHARD_PAYLOADS = ['ids', 'lengths', 'prompt_lengths', 'margins'] as const;

export interface ShardData {
  /** Rows = 2 * pairs; ids [2n, width]. */
  readonly batch: SequenceBatch;
  /** [n] per-pair margins. */
  readonly margins: Float32Array;
}

/** Frames of a Shard message; `shard.pairs` and `shard.width` must describe `data`. */
export function encodeShard(shard: Shard, data: ShardData, opts: EncodeOptions = {}): Buffer[] {
  const n = shard.pairs;
  const { batch, margins } = data;
  if (batch.rows !== 2 * n || batch.width !== shard.width || margins.length !== n) {
    throw new ProtocolError(
      `shard for step ${shard.step}: header says ${n} pairs of width ${shard.width}, data has ${batch.rows} rows of width ${batch.width} and ${margins.length} margins`,
    );
  }
  const payloads: PayloadSpec[] = [
    { name: 'ids', dtype: 'DTYPE_INT32', shape: [2 * n, shard.width] },
    { name: 'lengths', dtype: 'DTYPE_INT32', shape: [2 * n] },
    { name: 'prompt_lengths', dtype: 'DTYPE_INT32', shape: [2 * n] },
    { name: 'margins', dtype: 'DTYPE_FLOAT32', shape: [n] },
  ];
  return encodeMessage({ body: 'shard', shard, payloads }, [batch.ids, batch.lengths, batch.promptLengths, margins], opts);
}

/** The Shard header and its data, as views over the received frames where they are aligned. */
export function decodeShard(msg: DecodedMessage): { shard: Shard } & ShardData {
  const { envelope, payloads } = msg;
  if (envelope.body !== 'shard') throw new ProtocolError(`expected a shard message, got ${envelope.body}`);
  const { shard } = envelope;
  const names = envelope.payloads.map((p) => p.name);
  if (names.join() !== SHARD_PAYLOADS.join()) {
    throw new ProtocolError(`shard for step ${shard.step}: payloads [${names.join(', ')}], expected [${SHARD_PAYLOADS.join(', ')}]`);
  }
  const n = shard.pairs;
  const [ids, lengths, prompts, margins] = envelope.payloads;
  const shapeOk =
    ids.dtype === 'DTYPE_INT32' && ids.shape.join() === `${2 * n},${shard.width}` &&
    lengths.dtype === 'DTYPE_INT32' && lengths.shape.join() === `${2 * n}` &&
    prompts.dtype === 'DTYPE_INT32' && prompts.shape.join() === `${2 * n}` &&
    margins.dtype === 'DTYPE_FLOAT32' && margins.shape.join() === `${n}`;
  if (!shapeOk) throw new ProtocolError(`shard for step ${shard.step}: payload shapes do not match ${n} pairs of width ${shard.width}`);
  return {
    shard,
    batch: {
      ids: int32View(payloads[0]),
      lengths: int32View(payloads[1]),
      promptLengths: int32View(payloads[2]),
      rows: 2 * n,
      width: shard.width,
    },
    margins: float32View(payloads[3]),
  };
}
