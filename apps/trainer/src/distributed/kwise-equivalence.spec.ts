import fs from 'node:fs';
import path from 'node:path';
import type { RunConfigInput } from '@rewardkit/core';
import { useScratch } from '../scratch.spec-helper';
import { train } from '../train';
import { relativeDifference, smallRun } from './distributed-test-config.spec-helper';
import { launchWorkers } from './launch-workers';
import { generateShape } from './preference-shapes.spec-helper';

/**
 * With K-wise rankings (each record one indivisible unit of 4 responses, scored once) and ties,
 * N workers still compute what 1 does: the loss's own count (units for Plackett-Luce and the
 * weighted expansion) is summed over ranks as the divisor. 8 steps, asserted to 1e-5 as for pairs.
 */
describe('data-parallel equivalence on K-wise data', () => {
  const scratch = useScratch('rk-kwise-', { logs: 'quiet' });
  const launcher = launchWorkers({ bind: 'tcp://127.0.0.1:0', external: false });
  beforeAll(() => {
    fs.writeFileSync(path.join(scratch.dir, 'rankings.jsonl'), generateShape('rankings', 64, 1));
    fs.writeFileSync(path.join(scratch.dir, 'strict.jsonl'), generateShape('strict', 24, 2));
  });

  const runWith = (name: string, gpus: number, loss: RunConfigInput['loss']) =>
    train(
      smallRun(scratch.dir, name, {
        gpus,
        loss,
        data: { train: path.join(scratch.dir, 'rankings.jsonl'), eval: path.join(scratch.dir, 'strict.jsonl'), maxLength: 48 },
      }),
      { spawnWorkers: launcher },
    );

  const ones = new Map<string, Promise<Awaited<ReturnType<typeof runWith>>>>();
  it.each([
    ['plackett-luce', {}, 2],
    ['plackett-luce', {}, 4],
    ['bradley-terry', { rankings: 'weighted' }, 2],
  ] as const)('%s %j: %i workers match 1 worker to 1e-5', async (name, config, n) => {
    if (!ones.has(name)) ones.set(name, runWith(`${name}-1`, 1, { name, config }));
    const one = await ones.get(name)!;
    const many = await runWith(`${name}-${n}`, n, { name, config });
    expect(relativeDifference(one.finalDir, many.finalDir)).toBeLessThan(1e-5);
    expect(many.eval!.accuracy).toBeCloseTo(one.eval!.accuracy, 6);
  }, 300_000);
});
