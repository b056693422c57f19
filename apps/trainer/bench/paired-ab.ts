/**
 * The paired A/B harness the in-process benches share (ab-kernels, ab-sparse): on a shared, noisy
 * machine only ratios measured side by side mean anything, so each round both arms train one step
 * on the same batch, alternating which goes first, and the figure is the median over rounds of
 * the per-round ratio (wall time, and this process's CPU time, less swayed by other processes).
 */
import { initBackend } from '@rewardkit/backend';
import { packUnits, parseRunConfig, type RunConfig, type UnitBatch } from '@rewardkit/core';
import { BatchSampler } from '@rewardkit/engine';
import { buildTokenizer, createShippedRegistry, prepareDataset } from '@rewardkit/runtime';
import { hhRlhf } from '@rewardkit/sample-data';

export const int = (v: string) => Number.parseInt(v, 10);
export const median = (a: readonly number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

/** Median over rounds of a[i] / b[i] (the same batch in both). */
export const pairedRatio = (a: readonly number[], b: readonly number[]) => median(a.map((x, i) => x / b[i]));

export type Registry = ReturnType<typeof createShippedRegistry>;
export type Tokenizer = ReturnType<typeof buildTokenizer>;

/** The embedded hh-rlhf train split on wasm, tokenized, and a seeded length-bucketed batch stream. */
export interface AbData {
  readonly cfg: RunConfig;
  readonly registry: Registry;
  readonly tokenizer: Tokenizer;
  /** The next global batch, packed (the same stream for every bench with the same sizes). */
  next(): UnitBatch;
}

export async function prepareAbData(opts: { readonly model: string; readonly pairs: number; readonly maxLength: number }): Promise<AbData> {
  await initBackend({ prefer: 'wasm' });
  const cfg = parseRunConfig({ data: { train: hhRlhf.train, maxLength: opts.maxLength }, model: { name: opts.model, config: {} }, train: { batchSize: opts.pairs }, backend: 'wasm' });
  const registry = createShippedRegistry();
  const tokenizer = buildTokenizer(cfg, registry);
  const data = await prepareDataset(hhRlhf.train, registry, tokenizer, { loader: cfg.data.loader, skipInvalid: false, maxLength: opts.maxLength });
  const sampler = new BatchSampler({ size: data.encoded.length, batchSize: opts.pairs, seed: 1, lengths: data.encoded.map((p) => p.chosen.length + p.rejected.length) });
  return { cfg, registry, tokenizer, next: () => packUnits(sampler.next().map((j) => data.encoded[j]), tokenizer.padId) };
}

/** One training step of an arm on `units` in round `round` (0-based, warm-up included). */
export type Arm<T> = (units: UnitBatch, round: number) => Promise<T>;

export interface PairedTimes<T> {
  /** Per arm, per timed round: wall ms and CPU ms (user + system) of its step. */
  readonly wall: readonly [number[], number[]];
  readonly cpu: readonly [number[], number[]];
  /** Per arm, what each step returned, warm-up rounds included. */
  readonly results: readonly [T[], T[]];
}

/**
 * `warmup` untimed rounds, then `rounds` timed ones; every round draws one batch from `next` and
 * runs both arms on it, arm 0 first in even rounds and arm 1 first in odd ones, so neither always
 * meets a warm (or a cold) cache.
 */
export async function pairedRounds<T>(opts: { readonly warmup: number; readonly rounds: number }, next: () => UnitBatch, arms: readonly [Arm<T>, Arm<T>]): Promise<PairedTimes<T>> {
  const wall: [number[], number[]] = [[], []];
  const cpu: [number[], number[]] = [[], []];
  const results: [T[], T[]] = [[], []];
  for (let r = 0; r < opts.warmup + opts.rounds; r++) {
    const units = next();
    for (const k of r % 2 ? [1, 0] : [0, 1]) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      results[k].push(await arms[k](units, r));
      const c = process.cpuUsage(c0);
      if (r < opts.warmup) continue;
      wall[k].push(performance.now() - t0);
      cpu[k].push((c.user + c.system) / 1000);
    }
  }
  return { wall, cpu, results };
}
