import type { Collective } from './collective';
import { TRANSPORTS } from './testing/addresses';
import { rankInput } from './testing/seeded-inputs';
import { withRanks } from './testing/spawn-ranks';

const ALGORITHMS = ['ring', 'star'] as const;

describe.each(ALGORITHMS)('%s', (algorithm) => {
  describe.each(TRANSPORTS)('over %s', (transport) => {
    it.each([1, 2, 4])('broadcasts from every root, world size %i', async (worldSize) => {
      await withRanks({ worldSize, algorithm, transport, chunkBytes: 64, timeoutMs: 10_000 }, async (ranks) => {
        for (const length of [0, 1, 3, 1001]) {
          for (let root = 0; root < worldSize; root++) {
            const expected = rankInput(root, root, length);
            const bufs = ranks.map((c) => (c.rank === root ? expected.slice() : new Float32Array(length).fill(NaN)));
            await Promise.all(ranks.map((c, r) => c.broadcast(bufs[r], root)));
            for (const b of bufs) expect(Array.from(b)).toEqual(Array.from(expected));
          }
        }
      });
    });
  });

  it('barrier holds every rank until the last one enters', async () => {
    await withRanks({ worldSize: 4, algorithm, transport: 'ipc', timeoutMs: 10_000 }, async (ranks) => {
      for (let round = 0; round < 3; round++) {
        const late = (round + 1) % 4; // a different straggler each round
        const released: number[] = [];
        let lateEntered = false;
        const enter = async (c: Collective): Promise<void> => {
          if (c.rank === late) {
            await new Promise((r) => setTimeout(r, 100));
            lateEntered = true;
          }
          await c.barrier();
          // Every rank, the straggler included, may only leave after the straggler came in.
          expect(lateEntered).toBe(true);
          released.push(c.rank);
        };
        await Promise.all(ranks.map(enter));
        expect(released.sort()).toEqual([0, 1, 2, 3]);
      }
    });
  });
});
