/**
 * Seeds in a sweep (`--seeds 1,2,3`): every grid point is trained once per seed, and configs are
 * ranked by their mean over the seeds, with the spread beside it. On a few hundred held-out pairs
 * one seed moves accuracy by 1-2 points, as much as most settings do; a ranking of single runs
 * picks the luckiest seed, not the best setting.
 */
import { ConfigError } from '@rewardkit/core';
import type { TrialResult } from './run-trial';
import type { Axis, Trial } from './sweep-grid';

export const SEED_KEY = 'train.seed';

/** One grid point over its seeds. */
export interface ConfigSummary {
  /** The grid point's overrides, without the seed. */
  readonly sets: readonly string[];
  readonly trials: readonly TrialResult[];
  /** Over the trials that finished; absent when none did. */
  readonly mean?: number;
  readonly min?: number;
  readonly max?: number;
  /** Trials that finished (the others failed). */
  readonly ok: number;
}

/** `--seeds 1,2,3` -> [1, 2, 3]: distinct non-negative integers. */
export function parseSeeds(spec: string): number[] {
  const parts = spec.split(',').map((s) => s.trim());
  const seeds = parts.map(Number); // Number('') is 0: an empty part must not become seed 0
  if (parts.some((p) => p === '') || seeds.some((s) => !Number.isInteger(s) || s < 0)) throw new ConfigError(`--seeds expects non-negative integers separated by commas, got "${spec}"`);
  if (new Set(seeds).size !== seeds.length) throw new ConfigError(`--seeds: a seed appears twice in "${spec}"`);
  return seeds;
}

/** Every trial once per seed (seed fastest), the seed as one more override. */
export function withSeeds(trials: readonly Trial[], axes: readonly Axis[], seeds: readonly number[]): Trial[] {
  if (axes.some((a) => a.key === SEED_KEY)) throw new ConfigError(`--seeds and --grid ${SEED_KEY} both vary the seed: use one of them`);
  return trials.flatMap((t) => seeds.map((s) => [...t, `${SEED_KEY}=${s}`]));
}

/** Trials grouped by grid point (seed left out), best mean first; points where every trial failed last. */
export function summariseBySeeds(trials: readonly TrialResult[], goal: 'max' | 'min'): ConfigSummary[] {
  const groups = new Map<string, TrialResult[]>();
  for (const t of trials) {
    const sets = t.sets.filter((s) => !s.startsWith(`${SEED_KEY}=`));
    const key = JSON.stringify(sets);
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  const out = [...groups].map(([key, group]): ConfigSummary => {
    const values = group.filter((t) => t.status === 'ok').map((t) => t.value!);
    const sets = JSON.parse(key) as string[];
    if (values.length === 0) return { sets, trials: group, ok: 0 };
    return { sets, trials: group, ok: values.length, mean: values.reduce((a, b) => a + b, 0) / values.length, min: Math.min(...values), max: Math.max(...values) };
  });
  const sign = goal === 'max' ? -1 : 1;
  return [...out.filter((c) => c.mean !== undefined).sort((a, b) => sign * (a.mean! - b.mean!)), ...out.filter((c) => c.mean === undefined)];
}

/** The configs as a markdown table: mean, min-max and finished trials per grid point. */
export function seedTable(configs: readonly ConfigSummary[], axes: readonly Axis[], metric: string): string {
  const header = [...axes.map((a) => a.key), `${metric} mean`, 'min-max', 'seeds ok'];
  const rows = configs.map((c) => [
    ...axes.map((a) => c.sets.find((s) => s.startsWith(`${a.key}=`))?.slice(a.key.length + 1) ?? ''),
    c.mean === undefined ? 'failed' : c.mean.toFixed(4),
    c.mean === undefined ? '' : `${c.min!.toFixed(4)}-${c.max!.toFixed(4)}`,
    `${c.ok}/${c.trials.length}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
