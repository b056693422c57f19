import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '@rewardkit/core';
import { useScratch } from '../scratch.spec-helper';
import { drawTrials, parseAxes, parseAxis } from './sweep-grid';
import { parseSweepArgs } from './sweep-args';
import { rankTrials, runSweep, sweepTable } from './sweep';
import { parseSeeds, seedTable, summariseBySeeds, withSeeds } from './sweep-seeds';
import { validateAxes } from './validate-trials';

describe('sweep grid', () => {
  it('expands lists into every combination, first axis slowest', () => {
    const axes = parseAxes(['model.config.dim=32,64', 'train.lr=1e-3,3e-3']);
    expect(drawTrials(axes, undefined, 1)).toEqual([
      ['model.config.dim=32', 'train.lr=1e-3'],
      ['model.config.dim=32', 'train.lr=3e-3'],
      ['model.config.dim=64', 'train.lr=1e-3'],
      ['model.config.dim=64', 'train.lr=3e-3'],
    ]);
  });

  it('takes a seeded random subset of the grid within the budget', () => {
    const axes = parseAxes(['a=1,2,3', 'b=4,5,6']);
    const some = drawTrials(axes, 4, 7);
    expect(some).toHaveLength(4);
    expect(new Set(some.map((t) => t.join(' '))).size).toBe(4);
    expect(drawTrials(axes, 4, 7)).toEqual(some);
    expect(drawTrials(axes, 4, 8)).not.toEqual(some);
  });

  it('samples ranges (log-uniform within its bounds) and needs a budget for them', () => {
    const axes = parseAxes(['train.lr=log-uniform:1e-4:1e-2']);
    const trials = drawTrials(axes, 20, 3);
    const values = trials.map((t) => Number(t[0].split('=')[1]));
    expect(values.every((v) => v >= 1e-4 && v <= 1e-2)).toBe(true);
    expect(values.some((v) => v < 1e-3) && values.some((v) => v > 1e-3)).toBe(true);
    expect(() => drawTrials(axes, undefined, 3)).toThrow(/--budget is required/);
  });

  it('keeps JSON values whole and rejects malformed axes', () => {
    expect(parseAxis('data.loader.config=[{"a":1,"b":2},{"a":3}]')).toEqual({ key: 'data.loader.config', kind: 'list', values: ['{"a":1,"b":2}', '{"a":3}'] });
    expect(() => parseAxis('train.lr')).toThrow(ConfigError);
    expect(() => parseAxis('train.lr=1e-3,,2e-3')).toThrow(/empty value/);
    expect(() => parseAxis('train.lr=log-uniform:0:1')).toThrow(/both > 0/);
    expect(() => parseAxes(['a=1', 'a=2'])).toThrow(/--grid a is given twice/);
  });
});

describe('sweep arguments', () => {
  it('takes its own options out and passes the rest to every launch', () => {
    const a = parseSweepArgs(['--grid', 'train.lr=1e-3,2e-3', '--model=bag-of-embeddings', '--steps', '5', '--parallel=2', '--out', 'x']);
    expect(a.grid).toEqual(['train.lr=1e-3,2e-3']);
    expect(a.parallel).toBe(2);
    expect(a.out).toBe('x');
    expect(a.launchArgs).toEqual(['--model=bag-of-embeddings', '--steps', '5']);
    expect(a.launch.steps).toBe(5);
  });

  it('refuses --resume and unknown launch options before anything runs', () => {
    expect(() => parseSweepArgs(['--grid', 'train.lr=1', '--resume'])).toThrow(/--resume cannot be used in a sweep/);
    expect(() => parseSweepArgs(['--grid', 'train.lr=1', '--stepz', '3'])).toThrow(/unknown option '--stepz'/);
  });
});

describe('sweep validation', () => {
  const base = parseSweepArgs(['--model', 'bag-of-embeddings']).launch;

  it('names a grid field the model does not have', () => {
    expect(() => validateAxes(base, parseAxes(['model.config.dimm=8,16']))).toThrow(/--grid model\.config\.dimm=8 is not a valid setting.*dimm/s);
  });

  it('names a run-config field that does not exist, and a value out of range', () => {
    expect(() => validateAxes(base, parseAxes(['train.lrr=1e-3']))).toThrow(/--grid train\.lrr=1e-3 .*lrr/s);
    expect(() => validateAxes(base, parseAxes(['train.lr=1e-3,-1']))).toThrow(/--grid train\.lr=-1 /);
  });

  it('accepts valid fields', () => {
    expect(() => validateAxes(base, parseAxes(['model.config.dim=8,16', 'train.lr=1e-3']))).not.toThrow();
  });
});

describe('ranking', () => {
  const t = (id: string, value?: number) => ({ id, sets: [`x=${id}`], runDir: id, status: value === undefined ? ('failed' as const) : ('ok' as const), value, seconds: 1 });
  it('puts the best first by the goal and failed trials last', () => {
    const trials = [t('a', 0.6), t('b'), t('c', 0.8), t('d', 0.7)];
    expect(rankTrials(trials, 'max').map((r) => r.id)).toEqual(['c', 'd', 'a', 'b']);
    expect(rankTrials(trials, 'min').map((r) => r.id)).toEqual(['a', 'd', 'c', 'b']);
    expect(sweepTable(rankTrials(trials, 'max'), parseAxes(['x=a,b']), 'accuracy')).toMatch(/\| c +\| c +\| 0\.8000 /);
  });
});

describe('seeds', () => {
  const run = (lr: string, seed: number, value?: number) => ({
    id: `${lr}-${seed}`,
    sets: [`train.lr=${lr}`, `train.seed=${seed}`],
    runDir: '',
    status: value === undefined ? ('failed' as const) : ('ok' as const),
    value,
    seconds: 1,
  });

  it('runs every grid point once per seed and refuses a seed axis besides', () => {
    const axes = parseAxes(['train.lr=1e-3,3e-3']);
    expect(withSeeds(drawTrials(axes, undefined, 1), axes, [1, 2])).toEqual([
      ['train.lr=1e-3', 'train.seed=1'],
      ['train.lr=1e-3', 'train.seed=2'],
      ['train.lr=3e-3', 'train.seed=1'],
      ['train.lr=3e-3', 'train.seed=2'],
    ]);
    const seedAxis = parseAxes(['train.seed=1,2']);
    expect(() => withSeeds(drawTrials(seedAxis, undefined, 1), seedAxis, [3])).toThrow(/--seeds and --grid train\.seed/);
    expect(parseSeeds('1, 2,3')).toEqual([1, 2, 3]);
    expect(() => parseSeeds('1,x')).toThrow(ConfigError);
    for (const bad of ['', '1,,2', '1,']) expect(() => parseSeeds(bad)).toThrow(ConfigError); // Number('') would be seed 0
    expect(() => parseSeeds('2,2')).toThrow(/appears twice/);
    expect(parseSweepArgs(['--grid', 'train.lr=1,2', '--seeds', '4,5']).seeds).toEqual([4, 5]);
  });

  it('ranks grid points by their mean over seeds, not by their luckiest seed', () => {
    // 3e-3 has the single best run (0.66), 1e-3 the better mean (0.63 vs 0.61)
    const trials = [run('1e-3', 1, 0.62), run('1e-3', 2, 0.64), run('3e-3', 1, 0.66), run('3e-3', 2, 0.56), run('1e-2', 1), run('1e-2', 2)];
    expect(rankTrials(trials, 'max')[0].id).toBe('3e-3-1');
    const configs = summariseBySeeds(trials, 'max');
    expect(configs.map((c) => [c.sets, c.ok])).toEqual([
      [['train.lr=1e-3'], 2],
      [['train.lr=3e-3'], 2],
      [['train.lr=1e-2'], 0],
    ]);
    expect(configs[0].mean).toBeCloseTo(0.63, 10);
    expect([configs[1].min, configs[1].max]).toEqual([0.56, 0.66]);
    expect(summariseBySeeds(trials, 'min')[0].sets).toEqual(['train.lr=3e-3']);
    const table = seedTable(configs, parseAxes(['train.lr=1e-3,3e-3,1e-2']), 'accuracy');
    expect(table).toMatch(/\| 1e-3 +\| 0\.6300 +\| 0\.6200-0\.6400 \| 2\/2 /);
    expect(table).toMatch(/\| 1e-2 +\| failed +\| +\| 0\/2 /);
  });
});

describe('a tiny sweep with the bag model (trainer processes)', () => {
  const scratch = useScratch('rk-sweep-');
  beforeAll(() => {
    // both responses hold the same words; only which word "not" precedes decides: a unigram bag can
    // only tie (0.5), a bag with bigrams ("not bad") learns it
    const fillers = ['the', 'answer', 'is', 'here', 'and', 'it', 'seems', 'to', 'me', 'so'];
    const pairs = (n: number, seed: number) =>
      Array.from({ length: n }, (_, i) => {
        const f = (k: number) => Array.from({ length: 3 }, (_, j) => fillers[(seed * 7 + i * 3 + j * k) % fillers.length]).join(' ');
        const say = (negated: string, plain: string) => ` ${f(1)} not ${negated} ${f(2)} ${plain} ${f(3)}`;
        return JSON.stringify({ prompt: `Question ${i}?`, chosen: say('bad', 'good'), rejected: say('good', 'bad') });
      }).join('\n');
    fs.writeFileSync(path.join(scratch.dir, 'train.jsonl'), pairs(64, 1));
    fs.writeFileSync(path.join(scratch.dir, 'test.jsonl'), pairs(32, 2));
  });

  it('runs each trial as a launch in its own run dir and picks the best by held-out accuracy (bigrams over unigrams on an order task)', async () => {
    const out = path.join(scratch.dir, 'sweep');
    const args = parseSweepArgs([
      ...['--model', 'bag-of-embeddings', '--train', path.join(scratch.dir, 'train.jsonl'), '--eval', path.join(scratch.dir, 'test.jsonl')],
      ...['--steps', '30', '--batch-size', '16', '--eval-every', '0', '--checkpoint-every', '0', '--lr', '5e-2', '--set', 'train.warmupSteps=0'],
      ...['--grid', 'model.config.bigramBuckets=0,4096', '--parallel', '2', '--out', out],
    ]);
    const axes = parseAxes(args.grid);
    const result = await runSweep({ ...args, axes, baseArgs: args.launchArgs, base: args.launch });
    expect(result.trials.map((r) => r.status)).toEqual(['ok', 'ok']);
    expect(result.best.sets).toEqual(['model.config.bigramBuckets=4096']);
    expect(result.trials[0].value).toBe(0.5); // unigrams: every pair a tie
    expect(result.best.value).toBeGreaterThan(0.9);
    for (const id of ['trial-001', 'trial-002']) expect(fs.existsSync(path.join(out, id, 'final', 'model.safetensors'))).toBe(true);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'sweep.json'), 'utf8'));
    expect(summary.best.id).toBe('trial-002');
    const bestConfig = JSON.parse(fs.readFileSync(path.join(out, 'best-config.json'), 'utf8'));
    expect(bestConfig.model.config.bigramBuckets).toBe(4096);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'trial-002', 'config.json'), 'utf8')).gpus).toBe(1);
    expect(bestConfig).not.toHaveProperty('gpus'); // a launch from it chooses its own worker count
    // a second sweep into the same directory is refused, before any trial
    await expect(runSweep({ ...args, axes, baseArgs: args.launchArgs, base: args.launch })).rejects.toThrow(/already holds a sweep/);
  }, 240_000);
});
