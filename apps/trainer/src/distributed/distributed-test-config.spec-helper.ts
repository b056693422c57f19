import fs from 'node:fs';
import path from 'node:path';
import { mergeConfig, parseRunConfig, type RunConfig, type RunConfigInput } from '@rewardkit/core';
import { hhRlhf } from '@rewardkit/sample-data';
import { readSafetensorsFile } from '@rewardkit/safetensors';

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

/** max |a - b| / max |a| over every tensor of two exported models (same names and shapes required). */
export function relativeDifference(dirA: string, dirB: string): number {
  const a = readSafetensorsFile(path.join(dirA, 'model.safetensors')).tensors;
  const b = readSafetensorsFile(path.join(dirB, 'model.safetensors')).tensors;
  let diff = 0;
  let scale = 0;
  for (const [name, t] of a) {
    const u = b.get(name);
    if (!u) throw new Error(`${dirB} has no tensor ${name}`);
    if (u.shape.join() !== t.shape.join()) throw new Error(`${name}: shape [${t.shape}] vs [${u.shape}]`);
    for (let i = 0; i < t.data.length; i++) {
      diff = Math.max(diff, Math.abs(t.data[i] - u.data[i]));
      scale = Math.max(scale, Math.abs(t.data[i]));
    }
  }
  return diff / scale;
}
