import type { EncodedPair } from '@rewardkit/core';
import { decodeMessage, encodeMessage, type StepResult } from '@rewardkit/proto';
import { outcomeOf, scoreSlices } from './step-protocol';

const seq = (x: number) => Int32Array.from([x, 0]);
const pair = (chosen: Int32Array, rejected: Int32Array, id = 'p'): EncodedPair => ({ id, chosen, rejected, promptLength: 0, margin: 0 });

describe('scoreSlices', () => {
  it('cuts pair records into equal contiguous slices, as before', () => {
    const pairs = Array.from({ length: 7 }, (_, i) => pair(seq(2 * i), seq(2 * i + 1), `p${i}`));
    expect(scoreSlices(pairs, 3).map((s) => s.map((p) => p.id))).toEqual([['p0', 'p1', 'p2'], ['p3', 'p4', 'p5'], ['p6']]);
  });

  it("keeps a ranking's pairs (which share responses) on one rank, so each response is scored once", () => {
    const [a, b, c, d] = [1, 2, 3, 4].map(seq);
    const ranking = [pair(a, b), pair(a, c), pair(a, d), pair(b, c), pair(b, d), pair(c, d)].map((p, i) => ({ ...p, id: `r${i}` }));
    const pairs = [pair(seq(10), seq(11), 'x'), ...ranking, pair(seq(12), seq(13), 'y')];
    const slices = scoreSlices(pairs, 2);
    expect(slices.map((s) => s.map((p) => p.id))).toEqual([['x', 'r0', 'r1', 'r2', 'r3', 'r4', 'r5'], ['y']]);
    expect(slices.flat()).toEqual(pairs);
  });
});

describe('outcomeOf', () => {
  const result: StepResult = { step: 3, loss: 0.5, accuracy: 0.75, pairs: 8, count: 8, gradNorm: NaN, computeMs: 2, allreduceMs: 1, skipped: true, lossScale: 2048 };
  const roundTrip = (r: StepResult) => outcomeOf(decodeMessage(encodeMessage({ body: 'stepResult', stepResult: r })));

  it("carries an f16 step's skip and loss scale from the worker to the coordinator's metrics", () => {
    const out = roundTrip(result);
    expect([out.skipped, out.lossScale, Number.isNaN(out.gradNorm)]).toEqual([true, 2048, true]);
    expect(roundTrip({ ...result, skipped: false, gradNorm: 1.5 })).toMatchObject({ skipped: false, lossScale: 2048, gradNorm: 1.5 });
  });

  it('leaves both out where no loss scaling ran (f32: scale 0 on the wire), as a replica in this process does', () => {
    const out = roundTrip({ ...result, skipped: false, lossScale: 0, gradNorm: 1.5 });
    expect('lossScale' in out || 'skipped' in out).toBe(false);
  });
});
