/**
 * The ring's bf16 wire: sums within bf16 rounding of the float64 reference, replicas bit-identical,
 * every result a bf16 value, and a rank on the other wire (or the star) refused with a clear error.
 */
import { CollectiveError } from '@rewardkit/core';
import { roundToBf16 } from './bf16';
import type { Collective } from './collective';
import { bindCollective, createCollective } from './create-collective';
import { bindAddressFor, TRANSPORTS } from './testing/addresses';
import { bitwiseEqual, float64Sum, rankInput } from './testing/seeded-inputs';
import { withRanks } from './testing/spawn-ranks';

/**
 * The ring rounds N times on the way to each sum (each rank's own values at step 0, then each of the
 * N-1 partial sums), each within half a bf16 ulp, 2^-8 relative, of a partial sum no larger than
 * sum |x_r|.
 */
function bf16Tolerance(inputs: readonly Float32Array[], i: number): number {
  let magnitude = 0;
  for (const x of inputs) magnitude += Math.abs(x[i]);
  return inputs.length * 2 ** -8 * magnitude * 1.01;
}

async function checkBf16AllReduce(ranks: Collective[], seed: number, length: number): Promise<number> {
  const inputs = ranks.map((c) => rankInput(seed, c.rank, length));
  const bufs = inputs.map((x) => x.slice());
  await Promise.all(ranks.map((c, r) => c.allReduce(bufs[r])));
  const reference = float64Sum(inputs);
  let worst = 0;
  for (let i = 0; i < length; i++) {
    const err = Math.abs(bufs[0][i] - reference[i]);
    if (err > bf16Tolerance(inputs, i)) throw new Error(`length ${length} element ${i}: ${bufs[0][i]} vs ${reference[i]}`);
    worst = Math.max(worst, err);
  }
  for (const b of bufs.slice(1)) expect(bitwiseEqual(b, bufs[0])).toBe(true);
  // What every rank holds came off a bf16 wire, the completing rank's own copy included.
  if (ranks.length > 1) expect(bitwiseEqual(roundToBf16(bufs[0]), bufs[0])).toBe(true);
  return worst;
}

describe('ring allReduce on a bf16 wire', () => {
  describe.each(TRANSPORTS)('over %s', (transport) => {
    it.each([1, 2, 3, 5])('world size %i: every length, twice on the same sockets', async (worldSize) => {
      await withRanks({ worldSize, algorithm: 'ring', transport, chunkBytes: 64, timeoutMs: 10_000, wire: 'bf16' }, async (ranks) => {
        const lengths = [0, 1, Math.max(1, worldSize - 1), 7 * worldSize + 3, 1000, 16 * worldSize * 5 + 1];
        let seed = 1;
        for (const length of [...lengths, ...lengths.reverse()]) await checkBf16AllReduce(ranks, seed++, length);
      });
    });
  });

  it('a large buffer in default chunks: error far above float32 rounding, within bf16 rounding', async () => {
    await withRanks({ worldSize: 4, algorithm: 'ring', transport: 'ipc', wire: 'bf16' }, async (ranks) => {
      const worst = await checkBf16AllReduce(ranks, 11, 200_003);
      // Inputs in [-1, 1): float32 would be within 2^-20 here; bf16 is off by up to ~2^-6.
      expect(worst).toBeGreaterThan(2 ** -12);
      expect(worst).toBeLessThan(4 * 4 * 2 ** -8);
    });
  });

  it.each([4, 20])('the last %i elements (exactTail: counts riding with the gradient) sum exactly, across chunks too', async (exactTail) => {
    await withRanks({ worldSize: 3, algorithm: 'ring', transport: 'ipc', chunkBytes: 64, wire: 'bf16', exactTail }, async (ranks) => {
      const length = 101;
      const inputs = ranks.map((c) => {
        const x = rankInput(5, c.rank, length);
        for (let i = length - exactTail; i < length; i++) x[i] = 1000 + 257 * c.rank + i; // not bf16 values
        return x;
      });
      const bufs = inputs.map((x) => x.slice());
      await Promise.all(ranks.map((c, r) => c.allReduce(bufs[r])));
      const reference = float64Sum(inputs);
      for (const b of bufs) {
        expect(Array.from(b.subarray(length - exactTail))).toEqual(Array.from(reference.subarray(length - exactTail)));
        expect(bitwiseEqual(roundToBf16(b.subarray(0, length - exactTail)), b.subarray(0, length - exactTail))).toBe(true);
      }
    });
  });

  it('keeps Infinity and NaN gradients visible in the sum', async () => {
    await withRanks({ worldSize: 3, algorithm: 'ring', transport: 'ipc', wire: 'bf16' }, async (ranks) => {
      const bufs = ranks.map(() => Float32Array.from([1, 2, 3, 4]));
      bufs[1][1] = Infinity;
      bufs[2][3] = NaN;
      await Promise.all(ranks.map((c, r) => c.allReduce(bufs[r])));
      for (const b of bufs) {
        expect([b[0], b[1], b[2]]).toEqual([3, Infinity, 9]);
        expect(Number.isNaN(b[3])).toBe(true);
      }
    });
  });

  it('broadcast stays float32 (exact) on a bf16 collective', async () => {
    await withRanks({ worldSize: 2, algorithm: 'ring', transport: 'ipc', wire: 'bf16' }, async ([r0, r1]) => {
      const weights = Float32Array.from([Math.PI, 1 + 2 ** -20]);
      const got = new Float32Array(2);
      await Promise.all([r0.broadcast(weights, 0), r1.broadcast(got, 0)]);
      expect(bitwiseEqual(got, weights)).toBe(true);
    });
  });

  it('a rank on the float32 wire among bf16 ranks fails on the first frame, naming the byte counts', async () => {
    const endpoints = [await bindCollective(bindAddressFor('ipc', 'a')), await bindCollective(bindAddressFor('ipc', 'b'))];
    const peerAddresses = endpoints.map((e) => e.address);
    const ranks = endpoints.map((e, rank) =>
      e.connect({ algorithm: 'ring', rank, worldSize: 2, peerAddresses, timeoutMs: 1000, wire: rank === 0 ? 'bf16' : 'f32' }),
    );
    try {
      const results = await Promise.allSettled(ranks.map((c) => c.allReduce(new Float32Array(10))));
      const reasons = results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'resolved'));
      expect(reasons.some((m) => /sent 10 bytes .* expected 20|sent 20 bytes .* expected 10/.test(m))).toBe(true);
    } finally {
      await Promise.all(ranks.map((c) => c.close()));
    }
  });

  it('the star and unknown wires are refused', async () => {
    const base = { rank: 0, worldSize: 2, peerAddresses: ['ipc:///x', 'ipc:///y'], bindAddress: bindAddressFor('ipc') };
    await expect(createCollective({ ...base, algorithm: 'star', wire: 'bf16' })).rejects.toThrow(CollectiveError);
    await expect(createCollective({ ...base, algorithm: 'star', wire: 'bf16' })).rejects.toThrow(/bf16 gradient wire is built for the ring/);
    await expect(createCollective({ ...base, algorithm: 'ring', wire: 'fp8' as never })).rejects.toThrow(/unknown gradient wire "fp8" \(known: f32, bf16\)/);
  });
});
