/**
 * Ranks as real separate processes (the way training runs them), started through the same helper the
 * benchmark uses. Slower to start (each child loads tsx), so a few representative cases only.
 */
import path from 'node:path';
import { collectiveKey } from './link-auth';
import { bitwiseEqual, float32SumTolerance, float64Sum, maxAbsDiff, rankInput } from './testing/seeded-inputs';
import { runRankProcesses } from './testing/spawn-ranks';
import type { SeededAllReduceArgs } from './testing/test-tasks';

const TASKS = path.join(__dirname, 'testing/test-tasks.ts');

jest.setTimeout(60_000); // each child loads tsx: seconds apiece on a busy machine

describe('ranks as separate processes', () => {
  it.each([
    ['ring', 'tcp', 3],
    ['star', 'ipc', 2],
  ] as const)('%s over %s with %i processes (tagged with a job key) matches the float64 reference', async (algorithm, transport, worldSize) => {
    const args: SeededAllReduceArgs = { seed: 11, lengths: [0, 2, 1000, 50_001], steps: 3 };
    const results = await runRankProcesses<SeededAllReduceArgs, Float32Array[]>({
      worldSize,
      algorithm,
      transport,
      chunkBytes: 4096,
      timeoutMs: 20_000,
      key: collectiveKey('token', 'rank-processes'),
      taskModule: TASKS,
      taskExport: 'seededAllReduce',
      args,
    });
    expect(results).toHaveLength(worldSize);
    args.lengths.forEach((length, i) => {
      const reference = float64Sum(Array.from({ length: worldSize }, (_, r) => rankInput(args.seed, r, length)));
      for (const perRank of results) {
        expect(perRank[i]).toHaveLength(length); // (instanceof fails across jest realms)
        expect(maxAbsDiff(perRank[i], reference)).toBeLessThanOrEqual(float32SumTolerance(worldSize));
        expect(bitwiseEqual(perRank[i], results[0][i])).toBe(true);
      }
    });
  });

  it('broadcasts across processes', async () => {
    const results = await runRankProcesses<{ seed: number; length: number; root: number }, Float32Array>({
      worldSize: 3,
      algorithm: 'ring',
      transport: 'ipc',
      chunkBytes: 256,
      taskModule: TASKS,
      taskExport: 'seededBroadcast',
      args: { seed: 5, length: 777, root: 2 },
    });
    for (const r of results) expect(Array.from(r)).toEqual(Array.from(rankInput(5, 2, 777)));
  });

  it('reports a failing rank with its error', async () => {
    await expect(
      runRankProcesses({
        worldSize: 2,
        algorithm: 'ring',
        transport: 'ipc',
        taskModule: TASKS,
        taskExport: 'noSuchTask',
        args: {},
        processTimeoutMs: 30_000,
      }),
    ).rejects.toThrow(/rank \d failed: .*has no exported function noSuchTask/s);
  });
});
