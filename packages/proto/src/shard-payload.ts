/**
 * A Shard's token data as payload frames: core's `UnitBatch` (every response one row, units as
 * row offsets with per-row ranks and per-unit margins and strengths). Both ends use these two
 * functions, so the layout is written down once; the worker expands units to pairs itself.
 */
import type { UnitBatch } from '@rewardkit/core';
import { encodeMessage, type DecodedMessage, type EncodeOptions } from './codec';
import type { PayloadSpec, Shard } from './generated/rewardkit';
import { float32View, int32View } from './payload-view';
import { ProtocolError } from './protocol-error';

/** Payload names, in frame order. */
export const SHARD_PAYLOADS = ['ids', 'lengths', 'prompt_lengths', 'offsets', 'ranks', 'margins', 'strengths'] as const;

/** A shard's data: its packed units. */
export type ShardData = UnitBatch;

function payloadSpecs(shard: Shard): PayloadSpec[] {
  const { units: u, rows: m, width } = shard;
  return [
    { name: 'ids', dtype: 'DTYPE_INT32', shape: [m, width] },
    { name: 'lengths', dtype: 'DTYPE_INT32', shape: [m] },
    { name: 'prompt_lengths', dtype: 'DTYPE_INT32', shape: [m] },
    { name: 'offsets', dtype: 'DTYPE_INT32', shape: [u + 1] },
    { name: 'ranks', dtype: 'DTYPE_INT32', shape: [m] },
    { name: 'margins', dtype: 'DTYPE_FLOAT32', shape: [u] },
    { name: 'strengths', dtype: 'DTYPE_FLOAT32', shape: [u] },
  ];
}

/** Frames of a Shard message; `shard.units`, `shard.rows` and `shard.width` must describe `data`. */
export function encodeShard(shard: Shard, data: ShardData, opts: EncodeOptions = {}): Buffer[] {
  const { units: u, rows: m } = shard;
  const { batch } = data;
  const ok =
    batch.rows === m && batch.width === shard.width && data.offsets.length === u + 1 && data.offsets[u] === m &&
    data.ranks.length === m && data.margins.length === u && data.strengths.length === u;
  if (!ok) {
    throw new ProtocolError(
      `shard for step ${shard.step}: header says ${u} units in ${m} rows of width ${shard.width}, data has ${data.offsets.length - 1} units in ` +
        `${batch.rows} rows of width ${batch.width} with ${data.ranks.length} ranks, ${data.margins.length} margins and ${data.strengths.length} strengths`,
    );
  }
  const frames = [batch.ids, batch.lengths, batch.promptLengths, data.offsets, data.ranks, data.margins, data.strengths];
  return encodeMessage({ body: 'shard', shard, payloads: payloadSpecs(shard) }, frames, opts);
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
  const want = payloadSpecs(shard);
  envelope.payloads.forEach((p, i) => {
    if (p.dtype !== want[i].dtype || p.shape.join() !== want[i].shape.join()) {
      throw new ProtocolError(
        `shard for step ${shard.step}: payload '${p.name}' is ${p.dtype} [${p.shape.join(', ')}], expected ${want[i].dtype} [${want[i].shape.join(', ')}] ` +
          `for ${shard.units} units in ${shard.rows} rows of width ${shard.width}`,
      );
    }
  });
  const offsets = int32View(payloads[3]);
  if (offsets[0] !== 0 || offsets[shard.units] !== shard.rows || offsets.some((o, i) => i > 0 && o - offsets[i - 1] < 2)) {
    throw new ProtocolError(`shard for step ${shard.step}: unit offsets [${Array.from(offsets).join(', ')}] do not cut ${shard.rows} rows into units of >= 2 responses`);
  }
  return {
    shard,
    batch: {
      ids: int32View(payloads[0]),
      lengths: int32View(payloads[1]),
      promptLengths: int32View(payloads[2]),
      rows: shard.rows,
      width: shard.width,
    },
    offsets,
    ranks: int32View(payloads[4]),
    margins: float32View(payloads[5]),
    strengths: float32View(payloads[6]),
  };
}
