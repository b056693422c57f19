/**
 * A sweep: validate every grid value, draw the trials, run them `parallel` at a time (each a
 * `trainer launch` process in `OUT/trial-NNN/`), then rank them by the held-out metric and write
 * `OUT/sweep.json` (every trial) and `OUT/best-config.json` (the best trial's resolved run config).
 * A failed trial is recorded and the sweep goes on; the sweep fails only if every trial did.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, createLogger, RewardkitError } from '@rewardkit/core';
import type { LaunchOptions } from '../launch-options';
import { runTrial, type TrialResult } from './run-trial';
import { drawTrials, type Axis } from './sweep-grid';
import { summariseBySeeds, withSeeds, type ConfigSummary } from './sweep-seeds';
import { validateAxes } from './validate-trials';

const log = createLogger('sweep');

export interface SweepOptions {
  readonly out: string;
  readonly axes: readonly Axis[];
  readonly budget?: number;
  /** Each grid point once per seed; configs ranked by their mean (sweep-seeds.ts). */
  readonly seeds?: readonly number[];
  readonly seed: number;
  readonly parallel: number;
  /** A numeric field of the evaluation records (metrics.jsonl), e.g. accuracy. */
  readonly metric: string;
  readonly goal: 'max' | 'min';
  readonly overwrite: boolean;
  /** `launch` arguments every trial gets (and their parsed form, for validation). */
  readonly baseArgs: readonly string[];
  readonly base: LaunchOptions;
  readonly signal?: AbortSignal;
}

export interface SweepResult {
  readonly trials: readonly TrialResult[];
  /** Best first; failed trials last. */
  readonly ranked: readonly TrialResult[];
  readonly best: TrialResult;
  /** With seeds: the grid points over their seeds, best mean first. */
  readonly configs?: readonly ConfigSummary[];
}

export async function runSweep(opts: SweepOptions): Promise<SweepResult> {
  if (!Number.isInteger(opts.parallel) || opts.parallel < 1) throw new ConfigError(`--parallel must be a positive integer, got ${opts.parallel}`);
  validateAxes(opts.base, opts.axes);
  const points = drawTrials(opts.axes, opts.budget, opts.seed);
  const trials = opts.seeds ? withSeeds(points, opts.axes, opts.seeds) : points;
  const out = path.resolve(opts.out);
  if (fs.existsSync(path.join(out, 'sweep.json')) && !opts.overwrite) {
    throw new ConfigError(`${out} already holds a sweep (sweep.json); choose another --out or pass --overwrite`);
  }
  fs.mkdirSync(out, { recursive: true });
  log.info(`${trials.length} trial(s), ${opts.parallel} at a time, ranked by held-out ${opts.metric} (${opts.goal}) -> ${out}`);

  const results: TrialResult[] = new Array(trials.length);
  let next = 0;
  const lane = async () => {
    while (next < trials.length && !opts.signal?.aborted) {
      const i = next++;
      const id = `trial-${String(i + 1).padStart(3, '0')}`;
      log.info(`${id} starts: ${trials[i].join(' ')}`);
      const r = await runTrial(
        { id, runDir: path.join(out, id), logFile: path.join(out, `${id}.log`), baseArgs: opts.baseArgs, sets: trials[i], metric: opts.metric },
        opts.signal,
      );
      results[i] = r;
      log.info(r.status === 'ok' ? `${id}: ${opts.metric} ${r.value!.toFixed(4)} in ${r.seconds.toFixed(0)} s` : `${id} failed: ${r.error}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.parallel, trials.length) }, lane));
  const done = results.filter(Boolean);
  const ranked = rankTrials(done, opts.goal);
  const configs = opts.seeds ? summariseBySeeds(done, opts.goal) : undefined;
  // with seeds, the best config is the best mean; its best seed's run stands for it
  const best = configs?.[0]?.mean !== undefined ? rankTrials(configs[0].trials, opts.goal)[0] : ranked[0];
  fs.writeFileSync(
    path.join(out, 'sweep.json'),
    JSON.stringify({ metric: opts.metric, goal: opts.goal, axes: opts.axes, baseArgs: opts.baseArgs, trials: done, ...(configs ? { seeds: opts.seeds, configs: configs.map(({ trials: _t, ...c }) => c) } : {}), best: best?.status === 'ok' ? best : null }, null, 2) + '\n',
  );
  if (!best || best.status !== 'ok') throw new SweepFailedError(`no trial of the sweep finished with a held-out ${opts.metric}; see the logs in ${out}`);
  // the winner's settings without its worker count (trials run one each): a launch from it chooses its own
  const { gpus: _gpus, ...bestConfig } = JSON.parse(fs.readFileSync(path.join(best.runDir, 'config.json'), 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(path.join(out, 'best-config.json'), JSON.stringify(bestConfig, null, 2) + '\n');
  return { trials: done, ranked, best, ...(configs ? { configs } : {}) };
}

/** Best metric first (ties keep trial order); failed trials after. */
export function rankTrials(trials: readonly TrialResult[], goal: 'max' | 'min'): TrialResult[] {
  const sign = goal === 'max' ? -1 : 1;
  const ok = trials.filter((t) => t.status === 'ok').sort((a, b) => sign * (a.value! - b.value!));
  return [...ok, ...trials.filter((t) => t.status !== 'ok')];
}

/** The ranking as a markdown table: one row per trial, one column per grid field. */
export function sweepTable(ranked: readonly TrialResult[], axes: readonly Axis[], metric: string): string {
  const header = ['trial', ...axes.map((a) => a.key), metric, 'step', 'seconds'];
  const rows = ranked.map((t) => [
    t.id,
    ...axes.map((a) => t.sets.find((s) => s.startsWith(`${a.key}=`))?.slice(a.key.length + 1) ?? ''),
    t.status === 'ok' ? t.value!.toFixed(4) : 'failed',
    t.step === undefined ? '' : String(t.step),
    t.seconds.toFixed(0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export class SweepFailedError extends RewardkitError {
  constructor(message: string) {
    super('E_SWEEP_FAILED', message);
  }
}
