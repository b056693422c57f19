/**
 * The search space of a sweep: named run-config fields (`--grid key=values`) and the trials drawn
 * from them. An axis is a list (`train.lr=1e-3,3e-3`, or a JSON array `k=[[1,2],[3]]` when values
 * hold commas) or a range sampled at random (`train.lr=log-uniform:1e-4:1e-2`, `uniform:0:0.3`).
 * Lists alone make a grid: every combination, or a seeded random subset of `budget` of them.
 * Any range makes it a random search of exactly `budget` trials.
 */
import { ConfigError } from '@rewardkit/core';

export type Axis =
  | { readonly key: string; readonly kind: 'list'; readonly values: readonly string[] }
  | { readonly key: string; readonly kind: 'uniform' | 'log-uniform'; readonly low: number; readonly high: number };

/** One trial: a `key=value` override per axis, in axis order (what `--set` takes). */
export type Trial = readonly string[];

const RANGE = /^(uniform|log-uniform):([^:]+):([^:]+)$/;

export function parseAxis(entry: string): Axis {
  const eq = entry.indexOf('=');
  if (eq <= 0 || eq === entry.length - 1) throw new ConfigError(`--grid expects key=v1,v2,... or key=log-uniform:low:high, got "${entry}"`);
  const key = entry.slice(0, eq);
  const spec = entry.slice(eq + 1).trim();
  const range = RANGE.exec(spec);
  if (range) {
    const [low, high] = [Number(range[2]), Number(range[3])];
    const kind = range[1] as 'uniform' | 'log-uniform';
    if (!Number.isFinite(low) || !Number.isFinite(high) || low >= high || (kind === 'log-uniform' && low <= 0)) {
      throw new ConfigError(`--grid ${key}: ${kind} needs finite low < high${kind === 'log-uniform' ? ', both > 0' : ''}, got "${spec}"`);
    }
    return { key, kind, low, high };
  }
  let values: string[];
  if (spec.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(spec);
    } catch (err) {
      throw new ConfigError(`--grid ${key}: the list ${spec} is not valid JSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(parsed) || parsed.length === 0) throw new ConfigError(`--grid ${key}: expected a non-empty JSON array, got ${spec}`);
    values = parsed.map((v) => JSON.stringify(v));
  } else {
    values = spec.split(',').map((v) => v.trim());
  }
  if (values.some((v) => v === '')) throw new ConfigError(`--grid ${key}: an empty value in "${spec}"`);
  if (new Set(values).size !== values.length) throw new ConfigError(`--grid ${key}: a value appears twice in "${spec}"`);
  return { key, kind: 'list', values };
}

export function parseAxes(entries: readonly string[]): Axis[] {
  const axes = entries.map(parseAxis);
  const seen = new Set<string>();
  for (const a of axes) {
    if (seen.has(a.key)) throw new ConfigError(`--grid ${a.key} is given twice`);
    seen.add(a.key);
  }
  return axes;
}

/** Seeded uniform [0, 1): the same trials for the same seed. */
function random(seed: number): () => number {
  let s = (seed >>> 0) || 1;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
}

/** Up to `budget` trials (every grid point when budget is absent or large enough). */
export function drawTrials(axes: readonly Axis[], budget: number | undefined, seed: number): Trial[] {
  if (axes.length === 0) throw new ConfigError('a sweep needs at least one --grid key=values');
  const rand = random(seed);
  const lists = axes.filter((a) => a.kind === 'list');
  if (lists.length < axes.length) {
    if (!budget) throw new ConfigError('--budget is required when a --grid axis is a range (uniform/log-uniform)');
    return Array.from({ length: budget }, () => axes.map((a) => `${a.key}=${sample(a, rand)}`));
  }
  // the full grid, in order (first axis slowest)
  let grid: string[][] = [[]];
  for (const a of axes) grid = grid.flatMap((prefix) => (a.kind === 'list' ? a.values : []).map((v) => [...prefix, `${a.key}=${v}`]));
  if (budget === undefined || budget >= grid.length) return grid;
  // a seeded random subset, kept in grid order so tables read predictably
  const order = grid.map((_, i) => ({ i, r: rand() })).sort((x, y) => x.r - y.r);
  return order
    .slice(0, budget)
    .map((o) => o.i)
    .sort((x, y) => x - y)
    .map((i) => grid[i]);
}

function sample(a: Axis, rand: () => number): string {
  if (a.kind === 'list') return a.values[Math.floor(rand() * a.values.length)];
  const u = rand();
  const v = a.kind === 'uniform' ? a.low + u * (a.high - a.low) : Math.exp(Math.log(a.low) + u * (Math.log(a.high) - Math.log(a.low)));
  return String(Number(v.toPrecision(3)));
}
