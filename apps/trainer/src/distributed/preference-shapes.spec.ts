import fs from 'node:fs';
import path from 'node:path';
import { parseRunConfig, type RunConfigInput } from '@rewardkit/core';
import { useScratch } from '../scratch.spec-helper';
import { train } from '../train';
import { generateShape, type Shape } from './preference-shapes.spec-helper';

/**
 * Each data shape trains the bag model through the trainer (what `trainer:launch --train FILE
 * --loss NAME` runs) on generated data whose true ordering is known, and beats chance clearly
 * on held-out data: strict pairs for the pair shapes; held-out rankings for rankings, scored by
 * the 'ranking' evaluator (pair accuracy over every ordered pair, Kendall's tau per prompt).
 */
describe('every preference shape trains the bag model through the trainer', () => {
  const scratch = useScratch('rk-shapes-', { logs: 'quiet' });
  beforeAll(() => {
    for (const shape of ['pairs', 'ties', 'rankings'] as const) fs.writeFileSync(path.join(scratch.dir, `${shape}.jsonl`), generateShape(shape, 240, 1));
    fs.writeFileSync(path.join(scratch.dir, 'strict-test.jsonl'), generateShape('strict', 120, 2));
    fs.writeFileSync(path.join(scratch.dir, 'rankings-test.jsonl'), generateShape('rankings', 60, 3));
  });

  const run = (shape: Shape, test: string, loss: RunConfigInput['loss']) =>
    train(
      parseRunConfig({
        data: { train: path.join(scratch.dir, `${shape}.jsonl`), eval: path.join(scratch.dir, test), maxLength: 32 },
        model: { name: 'bag-of-embeddings', config: { bigramBuckets: 0, dim: 8, hidden: 8 } },
        loss,
        evaluators: ['accuracy', 'ranking'],
        train: { steps: 60, batchSize: 16, lr: 2e-2, warmupSteps: 4 },
        evalEvery: 0,
        checkpointEvery: 0,
        out: path.join(scratch.dir, `${shape}-${loss!.name}`),
      }),
    );

  it.each([
    ['pairs', { name: 'bradley-terry', config: { strengthMargins: { '1': 0, '2': 0.5, '3': 1 } } }],
    ['ties', { name: 'bradley-terry-ties', config: { model: 'davidson', learnTie: true } }],
  ] as const)('%s with %j: held-out pair accuracy >= 0.8', async (shape, loss) => {
    const result = await run(shape, 'strict-test.jsonl', loss);
    expect(result.eval?.accuracy).toBeGreaterThanOrEqual(0.8);
  }, 300_000);

  it.each([
    ['plackett-luce', {}],
    ['bradley-terry', { rankings: 'weighted' }],
  ] as const)('rankings with %s %j: held-out ranking pair accuracy >= 0.8, Kendall tau >= 0.6', async (name, config) => {
    const result = await run('rankings', 'rankings-test.jsonl', { name, config });
    expect(result.eval?.pair_accuracy).toBeGreaterThanOrEqual(0.8);
    expect(result.eval?.kendall_tau).toBeGreaterThanOrEqual(0.6);
  }, 300_000);
});
