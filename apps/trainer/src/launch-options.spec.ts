import fs from 'node:fs';
import path from 'node:path';
import { parseSetOverride } from '@rewardkit/core';
import { transformerModel } from '@rewardkit/model-transformer';
import { hhRlhf } from '@rewardkit/sample-data';
import { Command } from 'commander';
import { addLaunchOptions, resolveRunConfig, workerCountGiven, type LaunchOptions } from './launch-options';
import { useScratch } from './scratch.spec-helper';

describe('resolveRunConfig', () => {
  const scratch = useScratch('rk-opts-', { each: true, logs: 'quiet' });
  const base = { bind: 'tcp://127.0.0.1:0' };

  it('defaults to the embedded HH-RLHF sample', () => {
    const cfg = resolveRunConfig(base);
    expect(cfg.data.train).toBe(hhRlhf.train);
    expect(cfg.data.eval).toBe(hhRlhf.test);
    expect(cfg.model.name).toBe('bag-of-embeddings');
  });

  it('layers the config file, then flags, then --set', () => {
    const file = path.join(scratch.dir, 'run.json');
    fs.writeFileSync(file, JSON.stringify({ train: { steps: 10, lr: 0.5 }, out: 'from-file' }));
    const cfg = resolveRunConfig({ ...base, config: file, steps: 20, set: ['train.lr=0.25', 'model.config.dim=4'] });
    expect(cfg.train.steps).toBe(20);
    expect(cfg.train.lr).toBe(0.25);
    expect(cfg.out).toBe('from-file');
    expect(cfg.model.config).toEqual({ dim: 4 });
  });

  it("applies the chosen model's recommended settings below the user's", () => {
    const rec = transformerModel.recommendedRunConfig as { data: { maxLength: number }; train: { epochs: number } };
    expect(rec).toBeDefined();
    const cfg = resolveRunConfig({ ...base, model: 'transformer' });
    expect(cfg.data.maxLength).toBe(rec.data.maxLength);
    expect(cfg.train.epochs).toBe(rec.train.epochs);
    expect(cfg.train.steps).toBeUndefined(); // derived from the epochs and the data when training starts
    const mine = resolveRunConfig({ ...base, model: 'transformer', maxLength: 64, steps: 5, epochs: 2 });
    expect(mine.data.maxLength).toBe(64);
    expect(mine.train.steps).toBe(5);
    expect(mine.train.epochs).toBe(2);
    // the bag model has no recommendation: plain defaults
    expect(resolveRunConfig(base).data.maxLength).toBe(512);
  });

  it('--epochs takes a fractional number of passes and refuses a non-number', () => {
    const parse = (args: string[]) => addLaunchOptions(new Command('launch').exitOverride().configureOutput({ writeErr: () => undefined })).parse(args, { from: 'user' }).opts<LaunchOptions>();
    const opts = parse(['--epochs', '2.5']);
    expect(opts.epochs).toBe(2.5);
    expect(resolveRunConfig({ ...base, ...opts }).train.epochs).toBe(2.5);
    expect(() => parse(['--epochs', 'many'])).toThrow(/--epochs must be a number, got "many"/);
  });

  it('--early-stop N sets the patience, over a config file\'s other early-stopping fields', () => {
    const file = path.join(scratch.dir, 'run.json');
    fs.writeFileSync(file, JSON.stringify({ train: { earlyStop: { metric: 'accuracy', patience: 9 } } }));
    expect(resolveRunConfig({ ...base, earlyStop: 2 }).train.earlyStop).toEqual({ metric: 'eval_loss', patience: 2, minDelta: 0 });
    expect(resolveRunConfig({ ...base, config: file, earlyStop: 2 }).train.earlyStop).toEqual({ metric: 'accuracy', patience: 2, minDelta: 0 });
    expect(resolveRunConfig(base).train.earlyStop).toBeUndefined();
  });

  it('parses --set values as JSON when they are', () => {
    expect(parseSetOverride('a.b=3')).toEqual({ a: { b: 3 } });
    expect(parseSetOverride('a={"x":[1]}')).toEqual({ a: { x: [1] } });
    expect(parseSetOverride('out=runs/x')).toEqual({ out: 'runs/x' });
    expect(() => parseSetOverride('nothing')).toThrow(/key=value/);
  });

  it.each([
    ['model.config={"dim": 64,}', /--set model\.config: .*JSON failed to parse: .*(position|token)/],
    ['data.loader.config={"columns":{"prompt":"q"}', /--set data\.loader\.config: .*JSON failed to parse/],
    ['train.lr=.5', /--set train\.lr: .*JSON failed to parse/],
    ['model.config.dropout=True', /JSON failed to parse/],
    ['out="runs/x', /JSON failed to parse: Unterminated string/],
  ])('refuses a --set value that looks like JSON but does not parse: %s', (entry, message) => {
    expect(() => parseSetOverride(entry)).toThrow(message);
  });

  it('keeps plain strings, including ones with dots and digits', () => {
    expect(parseSetOverride('model.config.pretrained=/models/gpt2')).toEqual({ model: { config: { pretrained: '/models/gpt2' } } });
    expect(parseSetOverride('tokenizer.config.revision=1.2.3')).toEqual({ tokenizer: { config: { revision: '1.2.3' } } });
    expect(parseSetOverride('a=nullable')).toEqual({ a: 'nullable' });
    expect(parseSetOverride('a=-1e-3')).toEqual({ a: -1e-3 });
    expect(parseSetOverride('a="quoted {text"')).toEqual({ a: 'quoted {text' });
  });
});

describe('workerCountGiven', () => {
  const scratch = useScratch('rk-gpus-');
  const base = { bind: 'tcp://127.0.0.1:0' };
  it('is true for --gpus, --set gpus=N or gpus in the config file, and false otherwise (the trainer then chooses)', () => {
    const withGpus = path.join(scratch.dir, 'a.json');
    const without = path.join(scratch.dir, 'b.json');
    fs.writeFileSync(withGpus, JSON.stringify({ gpus: 2 }));
    fs.writeFileSync(without, JSON.stringify({ train: { steps: 3 } }));
    expect(workerCountGiven(base)).toBe(false);
    expect(workerCountGiven({ ...base, gpus: 1 })).toBe(true);
    expect(workerCountGiven({ ...base, set: ['train.lr=0.1', 'gpus=3'] })).toBe(true);
    expect(workerCountGiven({ ...base, set: ['train.lr=0.1'] })).toBe(false);
    expect(workerCountGiven({ ...base, config: withGpus })).toBe(true);
    expect(workerCountGiven({ ...base, config: without })).toBe(false);
  });
});
