import fs from 'node:fs';
import path from 'node:path';
import { parseRunConfig, type RunConfig } from '@rewardkit/core';
import { hhRlhf } from '@rewardkit/sample-data';
import { flattenFigures } from './flatten-figures';
import { useScratch } from './scratch.spec-helper';
import { train, type SpawnContext, type TrainResult } from './train';

/** The first `n` records of `file` in `target`, each given a category (two of them alternately, so evaluations have nested figures). */
function sliceWithCategories(file: string, n: number, target: string): string {
  if (!fs.existsSync(target)) {
    const lines = fs.readFileSync(file, 'utf8').split('\n').slice(0, n);
    fs.writeFileSync(target, lines.map((l, i) => JSON.stringify({ ...JSON.parse(l), category: i % 2 ? 'odd' : 'even' })).join('\n') + '\n');
  }
  return target;
}

/** A small real-data run: 120 training pairs, 60 held-out, wide bag model. */
function smallConfig(out: string, overrides: Record<string, unknown> = {}) {
  const dir = path.dirname(out);
  const slice = (file: string, n: number, name: string) => sliceWithCategories(file, n, path.join(dir, name));
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
  const scratch = useScratch('rk-train-', { each: true, logs: 'quiet' });

  it('trains, logs metrics, checkpoints, evaluates and exports', async () => {
    const cfg = smallConfig(path.join(scratch.dir, 'run'));
    const result = await train(cfg);
    expect(result.steps).toBe(12);
    expect(result.eval?.n).toBe(60);
    expect(result.eval?.accuracy).toBeGreaterThanOrEqual(0);
    const lines = fs.readFileSync(path.join(scratch.dir, 'run', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.kind === 'train').map((l) => l.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(lines.filter((l) => l.kind === 'eval').map((l) => l.step)).toEqual([5, 10, 12]);
    for (const l of lines.filter((x) => x.kind === 'train')) expect(Number.isFinite(l.loss)).toBe(true);
    // every figure of the evaluation, nested ones as a.b.c keys, and the held-out loss
    const last = lines.filter((l) => l.kind === 'eval').at(-1);
    const report = JSON.parse(fs.readFileSync(path.join(result.finalDir, 'eval-report.json'), 'utf8'));
    expect(report).toEqual(result.report);
    const figures = flattenFigures(report);
    expect(Object.keys(figures).filter((k) => k.includes('.')).length).toBeGreaterThan(0);
    for (const [k, v] of Object.entries(figures)) expect([k, last[k]]).toEqual([k, v]);
    expect(last.eval_loss).toBeGreaterThan(0);
    expect(result.eval).toEqual({ ...figures, eval_loss: last.eval_loss });
    expect(JSON.parse(fs.readFileSync(path.join(result.finalDir, 'config.json'), 'utf8')).rewardkit.info.steps).toBe(12);
    expect(fs.readdirSync(path.join(scratch.dir, 'run', 'checkpoints')).sort()).toEqual(['step-000008', 'step-000012']);
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
    ['the bag model with a moving average of its weights (train.ema, checkpointed)', { train: { steps: 12, batchSize: 8, warmupSteps: 2, ema: 0.9 } }],
  ])('resuming after a stop reaches exactly the parameters of an uninterrupted run: %s', async (_name, overrides) => {
    const straight = await train(smallConfig(path.join(scratch.dir, 'straight'), overrides));
    let steps = 0;
    // stop after 6 steps (as Ctrl-C does), then resume from the checkpoint written at the stop
    const stopped = await train(smallConfig(path.join(scratch.dir, 'resumed'), overrides), { shouldStop: () => ++steps > 6 });
    expect(stopped.steps).toBe(6);
    expect(stopped.finalDir).toBe('');
    const resumed = await train(smallConfig(path.join(scratch.dir, 'resumed'), overrides), { resume: true });
    expect(resumed.steps).toBe(12);
    const a = fs.readFileSync(path.join(straight.finalDir, 'model.safetensors'));
    const b = fs.readFileSync(path.join(resumed.finalDir, 'model.safetensors'));
    expect(b.equals(a)).toBe(true);
    expect(resumed.eval).toEqual(straight.eval);
  });
});

describe('train: train.ema', () => {
  const scratch = useScratch('rk-ema-', { each: true, logs: 'quiet' });

  it('evaluates and exports the averaged weights; checkpoints carry the average and the trained weights', async () => {
    const ema = { train: { steps: 12, batchSize: 8, warmupSteps: 2, ema: 0.9 } };
    const plain = await train(smallConfig(path.join(scratch.dir, 'plain')));
    const averaged = await train(smallConfig(path.join(scratch.dir, 'ema'), ema));
    // the same training: the last checkpoints hold the same trained weights
    const ckpt = (run: string) => path.join(scratch.dir, run, 'checkpoints', 'step-000012');
    expect(fs.readFileSync(path.join(ckpt('ema'), 'model.safetensors')).equals(fs.readFileSync(path.join(ckpt('plain'), 'model.safetensors')))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(ckpt('ema'), 'state.json'), 'utf8')).average.updates).toBe(12);
    expect(fs.existsSync(path.join(ckpt('plain'), 'average.safetensors'))).toBe(false);
    // but another model is exported and scored
    expect(fs.readFileSync(path.join(averaged.finalDir, 'model.safetensors')).equals(fs.readFileSync(path.join(plain.finalDir, 'model.safetensors')))).toBe(false);
    expect(averaged.eval?.eval_loss).not.toBe(plain.eval?.eval_loss);
    expect(JSON.parse(fs.readFileSync(path.join(averaged.finalDir, 'config.json'), 'utf8')).rewardkit.info.weights).toBe('moving average, decay 0.9');
  });
});

describe('train: damaged checkpoints', () => {
  const scratch = useScratch('rk-damaged-', { logs: 'quiet' });
  let straight: Buffer;
  beforeAll(async () => {
    const result = await train(smallConfig(path.join(scratch.dir, 'straight')));
    straight = fs.readFileSync(path.join(result.finalDir, 'model.safetensors'));
  }, 120_000);

  it.each([
    ['a half-written state.json', (dir: string) => fs.writeFileSync(path.join(dir, 'state.json'), '{"version": 2, "step": 6, "optim')],
    ['a truncated model.safetensors', (dir: string) => fs.truncateSync(path.join(dir, 'model.safetensors'), 100)],
  ])('--resume past %s restarts from the checkpoint before and ends where an uninterrupted run does', async (what, harm) => {
    const out = path.join(scratch.dir, what.replace(/\W+/g, '-'));
    let steps = 0;
    await train(smallConfig(out), { shouldStop: () => ++steps > 6 }); // checkpoints at 4 and 6
    harm(path.join(out, 'checkpoints', 'step-000006'));
    const resumed = await train(smallConfig(out), { resume: true });
    expect(resumed.steps).toBe(12);
    expect(fs.readFileSync(path.join(resumed.finalDir, 'model.safetensors')).equals(straight)).toBe(true);
  }, 120_000);
});

describe('train: the run directory', () => {
  const scratch = useScratch('rk-rundir-', { each: true, logs: 'quiet' });

  /** Everything a run wrote, file by file, to see that a refused launch changed nothing. */
  const snapshot = (dir: string): Record<string, string> => {
    const out: Record<string, string> = {};
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else out[path.relative(dir, p)] = fs.readFileSync(p).toString('base64');
      }
    };
    walk(dir);
    return out;
  };

  it('refuses a directory holding another run unless resuming or told to overwrite, and changes nothing', async () => {
    const out = path.join(scratch.dir, 'run');
    await train(smallConfig(out, { train: { steps: 4, batchSize: 8, warmupSteps: 2 }, evalEvery: 0 }));
    const before = snapshot(out);
    await expect(train(smallConfig(out, { train: { steps: 4, batchSize: 8, lr: 0.5 } }))).rejects.toThrow(
      /already holds a run \(config\.json, metrics\.jsonl, checkpoints, final\): continue it with --resume, replace it with --overwrite/,
    );
    expect(snapshot(out)).toEqual(before);
  });

  it('validates plugins, model config and data before touching the run directory', async () => {
    const out = path.join(scratch.dir, 'run');
    await train(smallConfig(out, { train: { steps: 4, batchSize: 8, warmupSteps: 2 }, evalEvery: 0 }));
    const before = snapshot(out);
    const bad = [
      smallConfig(out, { model: { name: 'gpt-17' } }),
      smallConfig(out, { model: { name: 'bag-of-embeddings', config: { dim: 'wide' } } }),
      smallConfig(out, { data: { train: path.join(scratch.dir, 'missing.jsonl') } }),
      smallConfig(out, { loss: { name: 'hinge-17' } }),
    ];
    for (const cfg of bad) {
      await expect(train(cfg, { overwrite: true })).rejects.toThrow();
      await expect(train(cfg, { resume: true })).rejects.toThrow();
    }
    expect(snapshot(out)).toEqual(before);
  });

  it('--overwrite replaces the old run: no old checkpoint, no appended metrics', async () => {
    const out = path.join(scratch.dir, 'run');
    await train(smallConfig(out, { train: { steps: 8, batchSize: 8, warmupSteps: 2 }, evalEvery: 0 }));
    const result = await train(smallConfig(out, { train: { steps: 4, batchSize: 8, warmupSteps: 2 }, evalEvery: 0 }), { overwrite: true });
    expect(result.steps).toBe(4);
    expect(fs.readdirSync(path.join(out, 'checkpoints'))).toEqual(['step-000004']);
    const steps = fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.kind === 'train');
    expect(steps.map((l) => l.step)).toEqual([1, 2, 3, 4]);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')).train.steps).toBe(4);
  });

  it('--resume refuses a config that differs in anything but the step count, naming the fields', async () => {
    const out = path.join(scratch.dir, 'run');
    let n = 0;
    await train(smallConfig(out), { shouldStop: () => ++n > 4 });
    const before = snapshot(out);
    await expect(train(smallConfig(out, { train: { steps: 12, batchSize: 8, warmupSteps: 2, lr: 0.5 }, evalEvery: 3 }), { resume: true })).rejects.toThrow(
      /--resume: the config differs from the run's own \(.*config\.json\) in evalEvery, train\.lr; only train\.steps or train\.epochs may change/,
    );
    expect(snapshot(out)).toEqual(before);
    // more steps is the same run, continued
    const longer = await train(smallConfig(out, { train: { steps: 16, batchSize: 8, warmupSteps: 2 } }), { resume: true });
    expect(longer.steps).toBe(16);
  });
});

describe('train: the automatic worker count (no --gpus)', () => {
  const scratch = useScratch('rk-auto-', { each: true, logs: 'record' });
  const { lines } = scratch;

  /** A launcher that records what it was asked to start and stops the run there. */
  const recordSpawn = () => {
    const asked: { gpus: number; automatic?: boolean }[] = [];
    const spawnWorkers = async (cfg: RunConfig, ctx: SpawnContext): Promise<never> => {
      asked.push({ gpus: cfg.gpus, automatic: ctx.automatic });
      throw new Error('spawn recorded');
    };
    return { asked, spawnWorkers };
  };
  const twoCores = { devices: { cores: 2, gpus: 0 } };

  it('keeps the bag model (a ~0.01 GFLOP step) in this process, and says why', async () => {
    const { asked, spawnWorkers } = recordSpawn();
    const result = await train(smallConfig(path.join(scratch.dir, 'run'), { train: { steps: 2, batchSize: 8, warmupSteps: 1 }, evalEvery: 0 }), { spawnWorkers, autoWorkers: twoCores });
    expect(result.steps).toBe(2);
    expect(asked).toEqual([]);
    expect(lines.join('\n')).toMatch(/1 worker process\(es\), chosen automatically: no GPU; a step is ~\S+ GFLOP on 2 CPU core\(s\), limited by at least 1 GFLOP/);
  });

  it('starts one worker per core for the default transformer (~6 GFLOP a step), records it, and a resume keeps the recorded count', async () => {
    const out = path.join(scratch.dir, 'run');
    const cfg = smallConfig(out, { model: { name: 'transformer' }, train: { steps: 2, batchSize: 32 } });
    const first = recordSpawn();
    await expect(train(cfg, { spawnWorkers: first.spawnWorkers, autoWorkers: twoCores })).rejects.toThrow('spawn recorded');
    expect(first.asked).toEqual([{ gpus: 2, automatic: true }]);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')).gpus).toBe(2);
    // on one core the rule would say 1; the run recorded 2, and a resumed run must match its config
    const resumed = recordSpawn();
    await expect(train(cfg, { resume: true, spawnWorkers: resumed.spawnWorkers, autoWorkers: { devices: { cores: 1, gpus: 0 } } })).rejects.toThrow('spawn recorded');
    expect(resumed.asked).toEqual([{ gpus: 2, automatic: true }]);
    expect(lines.join('\n')).toMatch(/2 worker process\(es\), as the run recorded \(on the CPU: no GPU here\)/);
  });

  it('refuses to resume a recorded count that would oversubscribe this machine, unless told to', async () => {
    const out = path.join(scratch.dir, 'run');
    const cfg = smallConfig(out, { model: { name: 'transformer' }, train: { steps: 2, batchSize: 32 } });
    const first = recordSpawn();
    await expect(train({ ...cfg, gpus: 6 }, { spawnWorkers: first.spawnWorkers })).rejects.toThrow('spawn recorded');
    const oneCore = { cores: 1, gpus: 0 };
    const refused = recordSpawn();
    await expect(train(cfg, { resume: true, spawnWorkers: refused.spawnWorkers, autoWorkers: { devices: oneCore } })).rejects.toThrow(/--resume: the run recorded 6 workers \(counted on the machine it started on\): --gpus=6: .*1 CPU core\(s\); .*at most 4 here/);
    expect(refused.asked).toEqual([]);
    const told = recordSpawn();
    await expect(train(cfg, { resume: true, spawnWorkers: told.spawnWorkers, autoWorkers: { devices: oneCore, oversubscribe: true } })).rejects.toThrow('spawn recorded');
    expect(told.asked).toEqual([{ gpus: 6, automatic: true }]);
  });

  it('gives each GPU a worker', async () => {
    const { asked, spawnWorkers } = recordSpawn();
    await expect(train(smallConfig(path.join(scratch.dir, 'run'), { train: { steps: 2, batchSize: 32 } }), { spawnWorkers, autoWorkers: { devices: { cores: 2, gpus: 4 } } })).rejects.toThrow('spawn recorded');
    expect(asked).toEqual([{ gpus: 4, automatic: true }]);
    expect(lines.join('\n')).toMatch(/4 worker process\(es\), chosen automatically: one per GPU \(4 found\)/);
  });
});

describe('train: length from the data', () => {
  const scratch = useScratch('rk-length-', { each: true, logs: 'quiet' });

  it('without steps trains ceil(epochs * pairs / batch) steps and records them; --resume keeps them after the data grew; a new run on twice the pairs trains twice the steps', async () => {
    const byEpochs = (out: string) => smallConfig(out, { train: { epochs: 0.5, batchSize: 8, warmupSteps: 2 }, evalEvery: 0, checkpointEvery: 2 });
    const out = path.join(scratch.dir, 'run');
    let n = 0;
    const stopped = await train(byEpochs(out), { shouldStop: () => ++n > 3 });
    expect(stopped.steps).toBe(3);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')).train).toMatchObject({ steps: 8, epochs: 0.5 }); // ceil(0.5 * 120 / 8)
    // the training file grows to 240 pairs: the resumed run keeps the 8 steps its schedule was laid out for
    const file = path.join(scratch.dir, 'train.jsonl');
    fs.rmSync(file);
    sliceWithCategories(hhRlhf.train, 240, file);
    const resumed = await train(byEpochs(out), { resume: true });
    expect(resumed.steps).toBe(8);
    const fresh = await train(byEpochs(path.join(scratch.dir, 'fresh')));
    expect(fresh.steps).toBe(15); // ceil(0.5 * 240 / 8)
  }, 120_000);
});

describe('train: early stopping', () => {
  const scratch = useScratch('rk-early-', { logs: 'quiet' });
  let straight: TrainResult;
  let evals: { step: number; eval_loss: number; accuracy: number }[];
  let best: { step: number; eval_loss: number; accuracy: number };
  const PATIENCE = 3;
  const EVERY = 2;
  // 120 training pairs at lr 0.05 without weight decay: the held-out loss falls for about 20 steps,
  // then rises as the model memorises its training pairs
  const overfitting = (out: string) =>
    smallConfig(out, {
      train: { steps: 40, batchSize: 8, warmupSteps: 2, lr: 0.05, weightDecay: 0, earlyStop: { patience: PATIENCE } },
      evalEvery: EVERY,
      checkpointEvery: 5,
      keepCheckpoints: 1,
    });
  const readMetrics = (out: string) => fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

  beforeAll(async () => {
    straight = await train(overfitting(path.join(scratch.dir, 'straight')));
    evals = readMetrics(straight.runDir).filter((l) => l.kind === 'eval');
    best = evals.reduce((a, b) => (b.eval_loss < a.eval_loss ? b : a));
  }, 120_000);

  it(`stops ${PATIENCE} evaluations after the lowest held-out loss and exports that step`, () => {
    expect(best.step).toBeGreaterThan(EVERY); // it did improve for a while
    expect(straight.steps).toBe(best.step + PATIENCE * EVERY);
    expect(straight.steps).toBeLessThan(40);
    expect(evals.at(-1)!.step).toBe(straight.steps);
    expect(evals.filter((e) => e.step > best.step)).toHaveLength(PATIENCE);
    expect(straight.exportedStep).toBe(best.step);
    // the exported model is the best checkpoint: measured again after restoring it, the same figures
    expect(straight.eval!.eval_loss).toBeCloseTo(best.eval_loss, 12);
    expect(straight.eval!.accuracy).toBe(best.accuracy);
    const info = JSON.parse(fs.readFileSync(path.join(straight.finalDir, 'config.json'), 'utf8')).rewardkit.info;
    expect(info).toMatchObject({ steps: best.step, trainedSteps: straight.steps });
    expect(info.selected).toMatch(new RegExp(`^the checkpoint of step ${best.step}, best held-out eval_loss .* training stopped at step ${straight.steps} after ${PATIENCE} evaluation`));
    expect(fs.readFileSync(path.join(straight.finalDir, 'README.md'), 'utf8')).toContain(`- Exported: the checkpoint of step ${best.step},`);
    const stop = readMetrics(straight.runDir).filter((l) => l.kind === 'early_stop');
    expect(stop).toEqual([expect.objectContaining({ step: straight.steps, stopped_early: true, best_step: best.step, metric: 'eval_loss' })]);
    expect(JSON.parse(fs.readFileSync(path.join(straight.finalDir, 'eval-report.json'), 'utf8'))).toEqual(straight.report);
  });

  it('keeps the best checkpoint however many newer ones pruning removes', () => {
    const pad = (s: number) => `step-${String(s).padStart(6, '0')}`;
    expect(fs.readdirSync(path.join(straight.runDir, 'checkpoints')).sort()).toEqual([pad(best.step), pad(straight.steps)].sort());
  });

  it('a run stopped after the best step and resumed continues the count and exports the same model', async () => {
    const out = path.join(scratch.dir, 'resumed');
    let n = 0;
    // stop one step after the first evaluation without improvement
    const stopped = await train(overfitting(out), { shouldStop: () => ++n > best.step + EVERY + 1 });
    expect(stopped.finalDir).toBe('');
    const resumed = await train(overfitting(out), { resume: true });
    expect(resumed.steps).toBe(straight.steps);
    expect(resumed.exportedStep).toBe(best.step);
    expect(resumed.eval).toEqual(straight.eval);
    const model = (r: TrainResult) => fs.readFileSync(path.join(r.finalDir, 'model.safetensors'));
    expect(model(resumed).equals(model(straight))).toBe(true);
  }, 120_000);

  it('refuses early stopping without held-out evaluations, before touching the run directory', async () => {
    const out = path.join(scratch.dir, 'refused');
    const noEvals = { ...overfitting(out), evalEvery: 0 };
    await expect(train(noEvals)).rejects.toThrow(/train\.earlyStop needs held-out evaluations/);
    const noEvalFile = overfitting(out);
    await expect(train({ ...noEvalFile, data: { ...noEvalFile.data, eval: undefined } })).rejects.toThrow(/data\.eval, --eval/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
