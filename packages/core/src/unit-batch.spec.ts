import { packUnits, pairIndex, unitCount } from './unit-batch';
import type { EncodedPair, EncodedRanking } from './sequence-batch';
import { rankingPairs } from './preference-pair';

const seq = (...ids: number[]) => Int32Array.from(ids);
const pair = (id: string, extra: Partial<EncodedPair> = {}): EncodedPair => ({ id, chosen: seq(1, 2, 9), rejected: seq(1, 3, 3, 9), promptLength: 1, margin: 0, ...extra });
const ranking = (ranks: number[]): EncodedRanking => ({ id: 'r', responses: ranks.map((_, i) => seq(1, 10 + i, 9)), ranks: Int32Array.from(ranks), promptLength: 1 });

describe('packUnits', () => {
  it('scores every response once: a pair is 2 rows, a K-ranking K rows, unit by unit', () => {
    const u = packUnits([pair('a', { margin: 0.5 }), ranking([1, 0, 2]), pair('t', { tie: true, strength: 2 })], 0);
    expect(u.batch.rows).toBe(7);
    expect(unitCount(u)).toBe(3);
    expect(Array.from(u.offsets)).toEqual([0, 2, 5, 7]);
    expect(Array.from(u.ranks)).toEqual([0, 1, 1, 0, 2, 0, 0]);
    expect(Array.from(u.margins)).toEqual([0.5, 0, 0]);
    expect(Array.from(u.strengths)).toEqual([0, 0, 2]);
    expect(Array.from(u.batch.lengths)).toEqual([3, 4, 3, 3, 3, 3, 4]);
  });
});

describe('pairIndex', () => {
  it('a pair record is one pair of weight 1 with its margin and strength', () => {
    const idx = pairIndex(packUnits([pair('a', { margin: 0.5, strength: 3 })], 0));
    expect([...idx.better, ...idx.worse]).toEqual([0, 1]);
    expect([idx.margins[0], idx.strengths[0], idx.weights[0], idx.ties[0], idx.strict]).toEqual([0.5, 3, 1, 0, 1]);
  });

  it('a K-ranking expands to C(K,2) pairs, better first, 1/C(K,2) each; tied ranks are ties', () => {
    const idx = pairIndex(packUnits([ranking([2, 0, 0, 1])], 0));
    // pairs (i<j): 0-1 -> 1>0, 0-2 -> 2>0, 0-3 -> 3>0, 1-2 tie, 1-3 -> 1>3, 2-3 -> 2>3
    expect(Array.from(idx.better)).toEqual([1, 2, 3, 1, 1, 2]);
    expect(Array.from(idx.worse)).toEqual([0, 0, 0, 2, 3, 3]);
    expect(Array.from(idx.ties)).toEqual([0, 0, 0, 1, 0, 0]);
    expect(Array.from(idx.weights)).toEqual(new Array(6).fill(Math.fround(1 / 6)));
    expect(idx.strict).toBe(5);
  });

  it('a tie record is one tied pair with no margin, and no strict pair', () => {
    const idx = pairIndex(packUnits([pair('t', { tie: true })], 0));
    expect([idx.ties[0], idx.margins[0], idx.strict]).toEqual([1, 0, 0]);
  });

  it('expands a ranking the way rankingPairs does for evaluation (same pairs, same order, same ties)', () => {
    const ranks = [2, 0, 0, 1];
    const idx = pairIndex(packUnits([ranking(ranks)], 0));
    const pairs = rankingPairs({ id: 'r', prompt: '', responses: ['a', 'b', 'c', 'd'], ranking: ranks });
    expect(pairs.map((p) => `${p.chosen as string}${p.rejected as string}${p.tie ? '=' : ''}`)).toEqual(
      Array.from(idx.better, (b, i) => `${'abcd'[b]}${'abcd'[idx.worse[i]]}${idx.ties[i] ? '=' : ''}`),
    );
    expect(pairs.every((p) => p.group === 'r')).toBe(true);
  });
});
