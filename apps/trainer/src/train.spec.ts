import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseRunConfig, setLogSink } from '@rewardkit/core';
import { hhRlhf } from '@rewardkit/sample-data';
import { train } from './train';

/** A small real-data run: 120 training pairs, 60 held-out, wide bag model. */
function smallConfig(out: string, overrides: Record<string, unknown> = {}) {
  const dir = path.dirname(out);
  const slice = (file: string, n: number, name: string) => {
    const target = path.join(dir, name);
    if (!fs.existsSync(target)) fs.writeFileSync(target, fs.readFileSync(file, 'utf8').split('\n').slice(0, n).join('\n') + '\n');
    return target;
  };
  return parseRunConfig({
    data: { train: slice(hhRlhf.train, 120, 'train.jsonl'), eval: slice(hhRlhf.test, 60, 'test.jsonl'), maxLength: 128 },
    model: { name: 'bag-of-embeddings', config: { bigramBuckets: 4096, dim: 8, hidden: 8 } },
    train: { steps: 12, batchSize: 8, warmupSteps: 2 },
    evalEvery: 5,
    checkpointEvery: 4,
    out,
    ...overrides,
  });
}

describe('train (world size 1)', () => {
  let root: string;
  beforeAll(() => setLogSink(() => undefined));
  afterAll(() => setLogSink(undefined));
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'rk-train-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('trains, logs metrics, checkpoints, evaluates and exports', async () => {
    const cfg = smallConfig(path.join(root, 'run'));
    const result = await train(cfg);
    expect(result.steps).toBe(12);
    expect(result.eval?.n).toBe(60);
    expect(result.eval?.accuracy).toBeGreaterThanOrEqual(0);
    const lines = fs.readFileSync(path.join(root, 'run', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.kind === 'train').map((l) => l.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(lines.filter((l) => l.kind === 'eval').map((l) => l.step)).toEqual([5, 10, 12]);
    for (const l of lines.filter((x) => x.kind === 'train')) expect(Number.isFinite(l.loss)).toBe(true);
    expect(fs.readdirSync(path.join(root, 'run', 'checkpoints')).sort()).toEqual(['step-000008', 'step-000012']);
    for (const f of ['config.json', 'model.safetensors', 'tokenizer_config.json']) {
      expect(fs.existsSync(path.join(result.finalDir, f))).toBe(true);
    }
  });

  const dropoutTransformer = {
    model: { name: 'transformer', config: { nLayer: 1, nHead: 2, nEmbd: 16, nPositions: 128, dropout: 0.1 } },
  };
  it.each([
    ['the bag model', {}],
    ['a transformer with dropout (masks seeded by step)', dropoutTransformer],
  ])('resuming after a stop reaches exactly the parameters of an uninterrupted run: %s', async (_name, overrides) => {
    const straight = await train(smallConfig(path.join(root, 'straight'), overrides));
    let steps = 0;
    // stop after 6 steps (as Ctrl-C does), then resume from the checkpoint written at the stop
    const stopped = await train(smallConfig(path.join(root, 'resumed'), overrides), { shouldStop: () => ++steps > 6 });
    expect(stopped.steps).toBe(6);
    expect(stopped.finalDir).toBe('');
    const resumed = await train(smallConfig(path.join(root, 'resumed'), overrides), { resume: true });
    expect(resumed.steps).toBe(12);
    const a = fs.readFileSync(path.join(straight.finalDir, 'model.safetensors'));
    const b = fs.readFileSync(path.join(resumed.finalDir, 'model.safetensors'));
    expect(b.equals(a)).toBe(true);
    expect(resumed.eval).toEqual(straight.eval);
  });
});
