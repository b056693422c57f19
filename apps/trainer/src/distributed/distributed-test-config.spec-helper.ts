import fs from 'node:fs';
import path from 'node:path';
import { mergeConfig, parseRunConfig, type RunConfig, type RunConfigInput } from '@rewardkit/core';
import { hhRlhf } from '@rewardkit/sample-data';

/** A small real-data run for distributed tests: 96 training pairs, 40 held-out. */
export function smallRun(root: string, name: string, overrides: RunConfigInput = {}): RunConfig {
  const slice = (file: string, n: number, target: string) => {
    if (!fs.existsSync(target)) fs.writeFileSync(target, fs.readFileSync(file, 'utf8').split('\n').slice(0, n).join('\n') + '\n');
    return target;
  };
  const base: RunConfigInput = {
    data: {
      train: slice(hhRlhf.train, 96, path.join(root, 'train.jsonl')),
      eval: slice(hhRlhf.test, 40, path.join(root, 'test.jsonl')),
      maxLength: 96,
    },
    model: { name: 'bag-of-embeddings', config: { bigramBuckets: 2048, dim: 8, hidden: 8 } },
    train: { steps: 8, batchSize: 8, warmupSteps: 2 },
    evalEvery: 0,
    checkpointEvery: 4,
    out: path.join(root, name),
  };
  // a model given in `overrides` replaces the default one whole (its config keys differ)
  const merged = mergeConfig<RunConfigInput>(base, overrides);
  return parseRunConfig(overrides.model ? { ...merged, model: overrides.model } : merged);
}
