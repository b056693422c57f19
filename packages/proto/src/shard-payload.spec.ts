import { packPairs, type EncodedPair } from '@rewardkit/core';
import { decodeMessage, decodeShard, encodeMessage, encodeShard, ProtocolError } from './index';

const pair = (id: string, chosen: number[], rejected: number[], promptLength: number, margin = 0): EncodedPair => ({
  id,
  chosen: Int32Array.from(chosen),
  rejected: Int32Array.from(rejected),
  promptLength,
  margin,
});

describe('shard payloads', () => {
  it('round-trips a packed batch and margins', () => {
    const pairs = [pair('a', [5, 6, 7, 0], [5, 6, 9, 9, 0], 2, 1.5), pair('b', [3, 0], [3, 4, 0], 1)];
    const batch = packPairs(pairs, 0);
    const margins = Float32Array.from(pairs.map((p) => p.margin));
    const shard = { step: 3, pairs: 2, width: batch.width, learningRate: 1e-3 };
    const got = decodeShard(decodeMessage(encodeShard(shard, { batch, margins })));
    expect(got.shard).toEqual(shard);
    expect(got.batch.rows).toBe(4);
    expect(Array.from(got.batch.ids)).toEqual(Array.from(batch.ids));
    expect(Array.from(got.batch.lengths)).toEqual([4, 2, 5, 3]);
    expect(Array.from(got.batch.promptLengths)).toEqual([2, 1, 2, 1]);
    expect(Array.from(got.margins)).toEqual([1.5, 0]);
  });

  it('allows an empty shard (global batch smaller than the world)', () => {
    const batch = { ids: new Int32Array(0), lengths: new Int32Array(0), promptLengths: new Int32Array(0), rows: 0, width: 1 };
    const shard = { step: 0, pairs: 0, width: 1, learningRate: 0 };
    const got = decodeShard(decodeMessage(encodeShard(shard, { batch, margins: new Float32Array(0) })));
    expect(got.batch.rows).toBe(0);
  });

  it('refuses a header that does not describe the data', () => {
    const batch = packPairs([pair('a', [1, 0], [2, 0], 1)], 0);
    const shard = { step: 9, pairs: 2, width: batch.width, learningRate: 0 };
    expect(() => encodeShard(shard, { batch, margins: new Float32Array(2) })).toThrow(/step 9: header says 2 pairs of width 2, data has 2 rows/);
  });

  it('refuses a shard whose payloads are not the shard layout', () => {
    const frames = encodeMessage({ body: 'shard', shard: { step: 1, pairs: 1, width: 1, learningRate: 0 } });
    expect(() => decodeShard(decodeMessage(frames))).toThrow(ProtocolError);
  });
});
