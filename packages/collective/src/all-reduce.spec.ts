/**
 * allReduce against a float64 reference, for every algorithm x transport x world size 1-5, over
 * lengths that reach every path: empty, one element, fewer elements than ranks (empty segments),
 * lengths not divisible by N, and many chunks per segment (chunkBytes of 64 = 16 floats).
 */
import type { Collective } from './collective';
import { TRANSPORTS } from './testing/addresses';
import { bitwiseEqual, float32SumTolerance, float64Sum, maxAbsDiff, rankInput } from './testing/seeded-inputs';
import { withRanks } from './testing/spawn-ranks';

const ALGORITHMS = ['ring', 'star'] as const;
const WORLD_SIZES = [1, 2, 3, 4, 5];

function lengthsFor(n: number): number[] {
  return [0, 1, Math.max(1, n - 1), 7 * n + 3, 1000, 16 * n * 5 + 1];
}

/** Runs one allReduce on every rank and checks it against the float64 sum; returns the result. */
async function checkAllReduce(ranks: Collective[], seed: number, length: number): Promise<Float32Array> {
  const inputs = ranks.map((c) => rankInput(seed, c.rank, length));
  const bufs = inputs.map((x) => x.slice());
  await Promise.all(ranks.map((c, r) => c.allReduce(bufs[r])));
  const reference = float64Sum(inputs);
  const tolerance = float32SumTolerance(ranks.length);
  for (const b of bufs) expect(maxAbsDiff(b, reference)).toBeLessThanOrEqual(tolerance);
  // Replicas must be bit-identical, not merely close: each applies the same update to the same weights.
  for (const b of bufs.slice(1)) expect(bitwiseEqual(b, bufs[0])).toBe(true);
  return bufs[0];
}

describe.each(ALGORITHMS)('%s allReduce', (algorithm) => {
  describe.each(TRANSPORTS)('over %s', (transport) => {
    it.each(WORLD_SIZES)('world size %i: every length, repeatedly on the same sockets', async (worldSize) => {
      await withRanks({ worldSize, algorithm, transport, chunkBytes: 64, timeoutMs: 10_000 }, async (ranks) => {
        let seed = 1;
        for (const length of lengthsFor(worldSize)) await checkAllReduce(ranks, seed++, length);
        // A second round on the same sockets: sequence numbers advance, nothing stale is left queued.
        for (const length of lengthsFor(worldSize).reverse()) await checkAllReduce(ranks, seed++, length);
      });
    });
  });

  it('with the default chunk size (one chunk per segment) and a large buffer', async () => {
    await withRanks({ worldSize: 3, algorithm, transport: 'ipc' }, async (ranks) => {
      await checkAllReduce(ranks, 7, 300_001);
    });
  });

  it('reusing one input buffer across steps is safe under zero-copy sends', async () => {
    // Each rank overwrites its buffer the moment allReduce resolves, as a trainer does when it scales
    // the gradient in place or computes the next step's. Had a frame still queued in ZeroMQ aliased the
    // buffer, a peer would read the new contents. Both algorithms send views where causality makes that
    // safe (ring-all-reduce.ts); making the star's rank 0 send views of its result fails this test.
    // Large enough (many chunks) that sends are still queued when the fastest rank returns.
    const length = 40_000;
    await withRanks({ worldSize: 3, algorithm, transport: 'tcp', chunkBytes: 4096 }, async (ranks) => {
      const bufs = ranks.map(() => new Float32Array(length));
      for (let step = 0; step < 6; step++) {
        const inputs = ranks.map((c) => rankInput(100 + step, c.rank, length));
        await Promise.all(
          ranks.map(async (c, r) => {
            bufs[r].set(inputs[r]);
            await c.allReduce(bufs[r]);
            const result = bufs[r].slice();
            bufs[r].fill(-1e6); // scribble over it at once
            const err = maxAbsDiff(result, float64Sum(inputs));
            if (err > float32SumTolerance(ranks.length)) throw new Error(`rank ${r} step ${step}: error ${err}`);
          }),
        );
      }
    });
  });
});
