import { packUnits, type EncodedPair, type EncodedRanking } from '@rewardkit/core';
import { decodeMessage, decodeShard, encodeMessage, encodeShard, ProtocolError } from './index';

const pair = (id: string, chosen: number[], rejected: number[], promptLength: number, margin = 0): EncodedPair => ({
  id,
  chosen: Int32Array.from(chosen),
  rejected: Int32Array.from(rejected),
  promptLength,
  margin,
});
const ranking = (id: string, responses: number[][], ranks: number[], promptLength: number): EncodedRanking => ({
  id,
  responses: responses.map((r) => Int32Array.from(r)),
  ranks: Int32Array.from(ranks),
  promptLength,
});
const headerOf = (step: number, data: ReturnType<typeof packUnits>) => ({
  step,
  units: data.offsets.length - 1,
  rows: data.batch.rows,
  width: data.batch.width,
  learningRate: 1e-3,
});

describe('shard payloads', () => {
  it('round-trips packed units: pairs, a tie and a ranking, each response once', () => {
    const units = [
      pair('a', [5, 6, 7, 0], [5, 6, 9, 9, 0], 2, 1.5),
      { ...pair('t', [3, 0], [3, 4, 0], 1), tie: true, strength: 0 },
      ranking('r', [[8, 1, 0], [8, 2, 0], [8, 3, 3, 0]], [2, 0, 1], 1),
      { ...pair('s', [4, 0], [4, 5, 0], 1), strength: 3 },
    ];
    const data = packUnits(units, 0);
    const shard = headerOf(3, data);
    const got = decodeShard(decodeMessage(encodeShard(shard, data)));
    expect(got.shard).toEqual(shard);
    expect(got.batch.rows).toBe(9);
    expect(Array.from(got.batch.ids)).toEqual(Array.from(data.batch.ids));
    expect(Array.from(got.batch.lengths)).toEqual([4, 5, 2, 3, 3, 3, 4, 2, 3]);
    expect(Array.from(got.batch.promptLengths)).toEqual([2, 2, 1, 1, 1, 1, 1, 1, 1]);
    expect(Array.from(got.offsets)).toEqual([0, 2, 4, 7, 9]);
    expect(Array.from(got.ranks)).toEqual([0, 1, 0, 0, 2, 0, 1, 0, 1]);
    expect(Array.from(got.margins)).toEqual([1.5, 0, 0, 0]);
    expect(Array.from(got.strengths)).toEqual([0, 0, 0, 3]);
  });

  it('allows an empty shard (global batch smaller than the world)', () => {
    const data = packUnits([], 0);
    const got = decodeShard(decodeMessage(encodeShard(headerOf(0, data), data)));
    expect(got.batch.rows).toBe(0);
    expect(Array.from(got.offsets)).toEqual([0]);
  });

  it('refuses a header that does not describe the data', () => {
    const data = packUnits([pair('a', [1, 0], [2, 0], 1)], 0);
    const shard = { ...headerOf(9, data), units: 2 };
    expect(() => encodeShard(shard, data)).toThrow(/step 9: header says 2 units in 2 rows of width 2, data has 1 units in 2 rows/);
  });

  it('refuses a shard whose payloads are not the shard layout', () => {
    const frames = encodeMessage({ body: 'shard', shard: { step: 1, units: 1, rows: 2, width: 1, learningRate: 0 } });
    expect(() => decodeShard(decodeMessage(frames))).toThrow(ProtocolError);
  });

  it('refuses unit offsets that leave a unit with fewer than 2 responses', () => {
    const data = packUnits([pair('a', [1, 0], [2, 0], 1), pair('b', [1, 0], [2, 0], 1)], 0);
    const frames = encodeShard(headerOf(4, data), { ...data, offsets: Int32Array.from([0, 1, 4]) });
    expect(() => decodeShard(decodeMessage(frames))).toThrow(/step 4: unit offsets \[0, 1, 4\]/);
  });
});
