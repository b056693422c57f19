import { unitPairs, type EncodedRanking, type PreferenceUnit } from '@rewardkit/core';
import { encodeUnits } from './encode-units';

/** One token per character, EOS = 0: lengths are string lengths. */
const chars = { name: 'chars', eosId: 0, encode: (text: string) => [...text].map((c) => c.charCodeAt(0)) };
const ids = (s: string) => [...s].map((c) => c.charCodeAt(0));
const seq = (a: Int32Array) => Array.from(a);

describe('encodeUnits', () => {
  const records: PreferenceUnit[] = [
    { id: 'p', prompt: 'Q', chosen: 'ab', rejected: 'c', strength: 2 },
    { id: 't', prompt: 'Q', chosen: 'x', rejected: 'y', tie: true },
    { id: 'r', prompt: 'PROMPT', responses: ['a', 'bbbbbb', 'cc'], ranking: [1, 0, 1] },
  ];

  it('encodes pair records as pairs (with tie and strength) and a ranking as one unit sharing one prompt', () => {
    const { units, pairs, truncatedPairs } = encodeUnits(records, chars, { maxLength: 64 });
    expect(units).toHaveLength(3);
    expect(units[0]).toMatchObject({ id: 'p', strength: 2, margin: 0 });
    expect(units[1]).toMatchObject({ id: 't', tie: true });
    const r = units[2] as EncodedRanking;
    expect(r.responses.map(seq)).toEqual([[...ids('PROMPTa'), 0], [...ids('PROMPTbbbbbb'), 0], [...ids('PROMPTcc'), 0]]);
    expect(Array.from(r.ranks)).toEqual([1, 0, 1]);
    expect(r.promptLength).toBe(6);
    // pairs line up with the loader's unitPairs and share the ranking's arrays (scored once)
    expect(pairs.map((p) => p.id)).toEqual(unitPairs(records).map((p) => p.id));
    expect(pairs[2].chosen).toBe(r.responses[1]);
    expect(pairs[3]).toMatchObject({ tie: true, chosen: r.responses[0], rejected: r.responses[2] });
    expect(pairs[4].chosen).toBe(r.responses[1]);
    expect(truncatedPairs).toEqual([false, false, false, false, false]);
  });

  it('truncates a ranking like a pair: every response keeps the same prompt tail, room set by the longest', () => {
    // maxLength 10: budget 9, minResponse 4, longest response reserves 4 -> prompt keeps 5
    const { units, truncated, truncatedPairs } = encodeUnits([records[2]], chars, { maxLength: 10 });
    const r = units[0] as EncodedRanking;
    expect(r.promptLength).toBe(5);
    expect(r.responses.map(seq)).toEqual([[...ids('ROMPTa'), 0], [...ids('ROMPTbbbb'), 0], [...ids('ROMPTcc'), 0]]);
    expect(truncated).toBe(1);
    expect(truncatedPairs).toEqual([true, true, true]);
  });
});
