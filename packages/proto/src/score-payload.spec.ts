import type { EncodedPair } from '@rewardkit/core';
import { decodeMessage } from './codec';
import { decodeScoreRequest, decodeScores, encodeScoreRequest, encodeScores } from './score-payload';

const pair = (c: number[], r: number[], prompt: number): EncodedPair => ({
  id: 'x',
  chosen: Int32Array.from(c),
  rejected: Int32Array.from(r),
  promptLength: prompt,
  margin: 0,
});

describe('score payloads', () => {
  it('round-trips the pairs of a score request, ragged lengths included', () => {
    const pairs = [pair([1, 2, 3, 9], [1, 2, 9], 2), pair([4, 9], [4, 5, 6, 7, 9], 1)];
    const msg = decodeMessage(encodeScoreRequest({ requestId: 7, pairs: 2 }, pairs));
    const { request, pairs: back } = decodeScoreRequest(msg);
    expect(request).toEqual({ requestId: 7, pairs: 2, width: 5, rows: 4 });
    expect(back.map((p) => [Array.from(p.chosen), Array.from(p.rejected), p.promptLength])).toEqual([
      [[1, 2, 3, 9], [1, 2, 9], 2],
      [[4, 9], [4, 5, 6, 7, 9], 1],
    ]);
  });

  it('sends a sequence shared by several pairs once, and the pairs share it again after decoding', () => {
    const [a, b, c] = [[1, 9], [2, 2, 9], [3, 9]].map((s) => Int32Array.from(s));
    const pairs = [a, b, c].flatMap((x, i) => [a, b, c].slice(i + 1).map((y) => ({ id: 'r', chosen: x, rejected: y, promptLength: 0, margin: 0 })));
    const { request, pairs: back } = decodeScoreRequest(decodeMessage(encodeScoreRequest({ requestId: 2, pairs: 3 }, pairs)));
    expect(request.rows).toBe(3);
    expect(back[0].chosen).toBe(back[1].chosen);
    expect(back[0].rejected).toBe(back[2].chosen);
    expect(back.map((p) => [Array.from(p.chosen), Array.from(p.rejected)])).toEqual(pairs.map((p) => [Array.from(p.chosen), Array.from(p.rejected)]));
  });

  it('round-trips rewards as float32 [2, n]', () => {
    const msg = decodeMessage(encodeScores({ requestId: 3, rank: 1, pairs: 2 }, { chosen: [0.5, -1], rejected: [2, 0.25] }));
    const out = decodeScores(msg);
    expect(out.scores).toEqual({ requestId: 3, rank: 1, pairs: 2 });
    expect(Array.from(out.chosen)).toEqual([0.5, -1]);
    expect(Array.from(out.rejected)).toEqual([2, 0.25]);
  });

  it('handles an empty request (more ranks than pairs)', () => {
    const { pairs } = decodeScoreRequest(decodeMessage(encodeScoreRequest({ requestId: 1, pairs: 0 }, [])));
    expect(pairs).toEqual([]);
  });
});
