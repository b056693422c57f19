/**
 * The sweep's command line: its own options (below) are taken out; everything else is a
 * `trainer launch` option that every trial gets unchanged (and is parsed once here, with launch's
 * own parser, so a bad one fails before any trial starts).
 */
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError } from '@rewardkit/core';
import { addLaunchOptions, type LaunchOptions } from '../launch-options';
import { parseSeeds } from './sweep-seeds';

export interface SweepArgs {
  readonly grid: string[];
  readonly budget?: number;
  /** Each grid point once per seed (train.seed), ranked by the mean. */
  readonly seeds?: number[];
  readonly parallel: number;
  readonly metric: string;
  readonly goal: 'max' | 'min';
  readonly seed: number;
  readonly out: string;
  readonly overwrite: boolean;
  /** What each trial's `launch` gets. */
  readonly launchArgs: string[];
  readonly launch: LaunchOptions;
}

/** Sweep options and whether each takes a value. */
const SWEEP_OPTIONS: Record<string, boolean> = {
  '--grid': true,
  '--budget': true,
  '--seeds': true,
  '--parallel': true,
  '--metric': true,
  '--goal': true,
  '--sweep-seed': true,
  '--out': true,
  '--overwrite': false,
};
/** Launch options a trial cannot take: the sweep owns the run directory and the resume logic. */
const REFUSED = new Set(['--resume', '--cluster', '--external-workers']);

export const SWEEP_USAGE = `trainer sweep --grid key=v1,v2 [--grid key=log-uniform:lo:hi] [--budget N] [--seeds 1,2,3] [--parallel P]
  [--metric accuracy] [--goal max|min] [--sweep-seed S] [--out runs/sweep] [--overwrite] [launch options...]`;

export function parseSweepArgs(argv: readonly string[]): SweepArgs {
  const own = new Map<string, string[]>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (REFUSED.has(name)) throw new ConfigError(`${name} cannot be used in a sweep (each trial is a fresh run in the sweep's --out)`);
    if (!(name in SWEEP_OPTIONS)) {
      rest.push(arg);
      continue;
    }
    let value = 'true';
    if (SWEEP_OPTIONS[name]) {
      if (eq > 0) value = arg.slice(eq + 1);
      else if (i + 1 < argv.length) value = argv[++i];
      else throw new ConfigError(`${name} needs a value`);
    }
    own.set(name, [...(own.get(name) ?? []), value]);
  }
  const one = (name: string) => own.get(name)?.at(-1);
  const positiveInt = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${name} must be a positive integer, got "${v}"`);
    return n;
  };
  const goal = one('--goal') ?? 'max';
  if (goal !== 'max' && goal !== 'min') throw new ConfigError(`--goal must be max or min, got "${goal}"`);
  return {
    grid: own.get('--grid') ?? [],
    budget: positiveInt('--budget', one('--budget')),
    seeds: one('--seeds') === undefined ? undefined : parseSeeds(one('--seeds')!),
    parallel: positiveInt('--parallel', one('--parallel')) ?? 1,
    metric: one('--metric') ?? 'accuracy',
    goal,
    seed: positiveInt('--sweep-seed', one('--sweep-seed')) ?? 1,
    out: one('--out') ?? 'runs/sweep',
    overwrite: own.has('--overwrite'),
    launchArgs: rest,
    launch: parseLaunchArgs(rest),
  };
}

/** `launch`'s own parser over the pass-through arguments (it rejects unknown options). */
function parseLaunchArgs(args: readonly string[]): LaunchOptions {
  let parsed: LaunchOptions | undefined;
  const cmd = addLaunchOptions(new Command('launch'))
    .exitOverride()
    .configureOutput({ writeErr: () => {} })
    .action((o: LaunchOptions) => {
      parsed = o;
    });
  try {
    cmd.parse([...args], { from: 'user' });
  } catch (err) {
    if (err instanceof InvalidArgumentError || (err as { code?: string }).code?.startsWith('commander.')) {
      throw new ConfigError(`sweep: ${(err as Error).message}`);
    }
    throw err;
  }
  return parsed!;
}
